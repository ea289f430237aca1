import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/ root-protected paths', () => {
  let core: Node;
  let root: string;
  let admin: string;
  let sudo: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    const all = '["create", "read", "update", "delete", "list"]';
    await request(core, 'update', 'sys/policies/acl/admin', root, { policy: `path "sys/*" { capabilities = ${all} }` });
    await request(core, 'update', 'sys/policies/acl/sudo', root, { policy: `path "sys/*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }` });
    admin = (await request(core, 'update', 'auth/token/create', root, { policies: ['admin'] })).auth!.clientToken!;
    sudo = (await request(core, 'update', 'auth/token/create', root, { policies: ['sudo'] })).auth!.clientToken!;
  });
  after(async () => core.shutdown());

  it('lets a token without sudo manage mounts and policies', async () => {
    await request(core, 'update', 'sys/mounts/by-admin', admin, { type: 'kv' });
    await request(core, 'read', 'sys/mounts', admin);
    await request(core, 'read', 'sys/auth', admin);
    await request(core, 'read', 'sys/policy', admin);
  });

  it('refuses auth method changes, audit, rotate and remount without sudo', async () => {
    await assert.rejects(request(core, 'update', 'sys/auth/x', admin, { type: 'token' }), PermissionDeniedError);
    await assert.rejects(request(core, 'read', 'sys/audit', admin), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'sys/rotate', admin), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'sys/remount', admin, { from: 'a', to: 'b' }), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'sys/seal', admin), PermissionDeniedError);
  });

  it('allows them with sudo', async () => {
    await request(core, 'read', 'sys/audit', sudo);
    await request(core, 'update', 'sys/rotate', sudo);
    const status = await request(core, 'read', 'sys/key-status', sudo);
    assert.equal(status.data?.term, 2);
  });

  it('keeps the rekey backup behind sudo: no token, or a token without sudo, can neither read nor delete it', async () => {
    for (const token of ['', admin]) {
      await assert.rejects(request(core, 'read', 'sys/rekey/backup', token), PermissionDeniedError);
      await assert.rejects(request(core, 'delete', 'sys/rekey/backup', token), PermissionDeniedError);
    }
    await request(core, 'read', 'sys/rekey/backup', sudo);
    await request(core, 'delete', 'sys/rekey/backup', sudo);
  });

  it('leaves only the unseal-key steps of rekey and generate-root unauthenticated, as Vault does', async () => {
    const status = await request(core, 'read', 'sys/rekey/init', '');
    assert.equal((status.raw?.body as { started?: boolean }).started, false);
    await request(core, 'read', 'sys/generate-root/attempt', '');
    const verify = await request(core, 'read', 'sys/rekey/verify', '').catch((err: unknown) => err);
    assert.ok(!(verify instanceof PermissionDeniedError));
    await assert.rejects(request(core, 'read', 'sys/rekey/elsewhere', ''), PermissionDeniedError);
    await assert.rejects(request(core, 'read', 'sys/generate-root/elsewhere', ''), PermissionDeniedError);
  });
});
