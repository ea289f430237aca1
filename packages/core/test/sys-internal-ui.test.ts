import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/internal/ui/mounts', () => {
  let core: Node;
  let root: string;
  let app: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    await request(core, 'update', 'sys/mounts/kv1', root, { type: 'kv' });
    await request(core, 'update', 'sys/mounts/hidden', root, { type: 'kv', options: { version: '2' } });
    await request(core, 'update', 'sys/mounts/public', root, { type: 'kv', config: { listing_visibility: 'unauth' } });
    await request(core, 'update', 'sys/policies/acl/app', root, { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    app = (await request(core, 'update', 'auth/token/create', root, { policies: ['app'] })).auth!.clientToken!;
  });
  after(async () => core.shutdown());

  it('answers the kv preflight with the mount entry, its path and options.version', async () => {
    const resp = await request(core, 'read', 'sys/internal/ui/mounts/secret/app/config', app);
    assert.equal(resp.data?.path, 'secret/');
    assert.equal(resp.data?.type, 'kv');
    assert.deepEqual(resp.data?.options, { version: '2' });
    const v1 = await request(core, 'read', 'sys/internal/ui/mounts/kv1', root);
    assert.deepEqual(v1.data?.options, { version: '1' });
    assert.equal(v1.data?.path, 'kv1/');
  });

  it('is 403 without a capability under the mount, for unknown mounts and without a token', async () => {
    await assert.rejects(request(core, 'read', 'sys/internal/ui/mounts/hidden/x', app), PermissionDeniedError);
    await assert.rejects(request(core, 'read', 'sys/internal/ui/mounts/nosuch/x', app), PermissionDeniedError);
    await assert.rejects(request(core, 'read', 'sys/internal/ui/mounts/secret/x', ''), PermissionDeniedError);
    await assert.rejects(request(core, 'read', 'sys/internal/ui/mounts/secret/x', 'hvs.not-a-token'), PermissionDeniedError);
  });

  it('lists only the mounts the token can use, and unauth-visible mounts to anyone', async () => {
    const mine = await request(core, 'read', 'sys/internal/ui/mounts', app);
    const secret = mine.data?.secret as Record<string, unknown>;
    assert.ok(secret['secret/']);
    assert.ok(secret['cubbyhole/'], 'the default policy grants cubbyhole/*');
    assert.ok(secret['public/']);
    assert.equal(secret['hidden/'], undefined);
    assert.equal(secret['kv1/'], undefined);

    const anon = await request(core, 'read', 'sys/internal/ui/mounts', '');
    assert.deepEqual(Object.keys(anon.data?.secret as object), ['public/']);
    assert.deepEqual(Object.keys(anon.data?.auth as object), []);

    const all = await request(core, 'read', 'sys/internal/ui/mounts', root);
    assert.ok((all.data?.secret as Record<string, unknown>)['hidden/']);
    assert.ok((all.data?.auth as Record<string, unknown>)['token/']);
  });
});
