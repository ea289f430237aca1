import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/audit', () => {
  let core: Node;
  let root: string;
  let dir: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    dir = await mkdtemp(join(tmpdir(), 'sys-audit-'));
  });
  after(async () => {
    await core.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('enables a file device, lists it, and logs requests to it', async () => {
    const file = join(dir, 'audit.log');
    await request(core, 'update', 'sys/audit/file', root, { type: 'file', description: 'to disk', options: { file_path: file } });
    const list = await request(core, 'read', 'sys/audit', root);
    assert.deepEqual((list.data as Record<string, unknown>)['file/'], {
      type: 'file',
      description: 'to disk',
      options: { file_path: file },
      local: false,
      path: 'file/',
    });
    await request(core, 'read', 'sys/mounts', root);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { request?: { path?: string } });
    assert.ok(lines.some((l) => l.request?.path === 'sys/mounts'));
  });

  it('hashes a value with the device salt', async () => {
    const resp = await request(core, 'update', 'sys/audit-hash/file', root, { input: 'secret' });
    assert.match(String(resp.data?.hash), /^hmac-sha256:[0-9a-f]{64}$/);
    const again = await request(core, 'update', 'sys/audit-hash/file', root, { input: 'secret' });
    assert.equal(again.data?.hash, resp.data?.hash);
  });

  it('refuses a missing or unknown type, a bad file path and a path in use with a 400', async () => {
    await assert.rejects(request(core, 'update', 'sys/audit/x', root, { options: { file_path: 'discard' } }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/audit/x', root, { type: 'socket' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/audit/x', root, { type: 'file', options: {} }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/audit/x', root, { type: 'file', options: { file_path: join(dir, 'no/such/dir/a.log') } }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/audit/file', root, { type: 'file', options: { file_path: 'discard' } }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/audit/x', root, { type: 'file', options: ['discard'] }), InvalidRequestError);
  });

  it('needs sudo', async () => {
    await request(core, 'update', 'sys/policies/acl/auditor', root, { policy: 'path "sys/audit*" { capabilities = ["read", "update", "delete"] }' });
    const tok = (await request(core, 'update', 'auth/token/create', root, { policies: ['auditor'] })).auth!.clientToken!;
    await assert.rejects(request(core, 'read', 'sys/audit', tok), PermissionDeniedError);
    await assert.rejects(request(core, 'delete', 'sys/audit/file', tok), PermissionDeniedError);
  });

  it('disables the device, idempotently', async () => {
    await request(core, 'delete', 'sys/audit/file', root);
    await request(core, 'delete', 'sys/audit/file', root);
    const list = await request(core, 'read', 'sys/audit', root);
    assert.deepEqual(list.data, {});
    await assert.rejects(request(core, 'update', 'sys/audit-hash/file', root, { input: 'x' }), InvalidRequestError);
  });
});
