// sys/remount as `vault secrets move` and `vault auth move` call it: a migration id, then its status to poll.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/remount', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('moves a secrets engine with its data and answers a migration that already succeeded', async () => {
    await request(core, 'update', 'sys/mounts/old', root, { type: 'kv-v2' });
    await request(core, 'update', 'old/data/app', root, { data: { k: 'v' } });
    const r = await request(core, 'update', 'sys/remount', root, { from: 'old', to: 'new' });
    const id = r.data?.migration_id as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const status = await request(core, 'read', `sys/remount/status/${id}`, root);
    assert.deepEqual(status.data, { migration_id: id, migration_info: { source_mount: 'old/', target_mount: 'new/', status: 'success' } });
    const moved = await request(core, 'read', 'new/data/app', root);
    assert.deepEqual((moved.data?.data as Record<string, unknown>), { k: 'v' });
    const list = (await request(core, 'read', 'sys/mounts', root)).data as Record<string, unknown>;
    assert.ok('new/' in list && !('old/' in list));
  });

  it('moves an auth method under auth/', async () => {
    await request(core, 'update', 'sys/auth/up', root, { type: 'userpass' });
    await request(core, 'update', 'auth/up/users/alice', root, { password: 'pw' });
    const r = await request(core, 'update', 'sys/remount', root, { from: 'auth/up', to: 'auth/people' });
    const status = await request(core, 'read', `sys/remount/status/${String(r.data?.migration_id)}`, root);
    assert.deepEqual(status.data?.migration_info, { source_mount: 'auth/up/', target_mount: 'auth/people/', status: 'success' });
    const login = await request(core, 'update', 'auth/people/login/alice', '', { password: 'pw' });
    assert.ok(login.auth?.clientToken);
  });

  it('refuses what Vault refuses, with a 400, and leaves the mounts as they were', async () => {
    const bad = (data: Record<string, unknown>, msg: RegExp) =>
      assert.rejects(request(core, 'update', 'sys/remount', root, data), (err: Error) => err instanceof InvalidRequestError && msg.test(err.message));
    await bad({ from: 'new' }, /both 'from' and 'to'/);
    await bad({ from: 'nowhere', to: 'x' }, /no matching mount/);
    await bad({ from: 'new', to: 'secret' }, /already in use/);
    await bad({ from: 'cubbyhole', to: 'x' }, /cannot remount/);
    await bad({ from: 'auth/people', to: 'x' }, /non-auth mount/);
    await bad({ from: 'new', to: 'auth/x' }, /to auth mount/);
    await bad({ from: 'new', to: 'sys/x' }, /reserved/);
    assert.ok(core.router.match('new/data/app'));
    const missing = await request(core, 'read', 'sys/remount/status/unknown', root);
    assert.equal(missing.raw?.status, 404);
  });
});
