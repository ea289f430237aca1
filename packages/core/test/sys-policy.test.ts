import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

const POLICY = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';

describe('sys/policy and sys/policies/acl', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('lists default and root under both keys and policies', async () => {
    const resp = await request(core, 'read', 'sys/policy', root);
    assert.deepEqual(resp.data?.keys, resp.data?.policies);
    assert.ok((resp.data?.keys as string[]).includes('default'));
    assert.ok((resp.data?.keys as string[]).includes('root'));
    const acl = await request(core, 'list', 'sys/policies/acl', root);
    assert.deepEqual(acl.data?.keys, resp.data?.keys);
  });

  it('writes through sys/policy and reads it back as rules and as policy', async () => {
    await request(core, 'update', 'sys/policy/App', root, { policy: POLICY });
    const legacy = await request(core, 'read', 'sys/policy/app', root);
    assert.deepEqual(legacy.data, { name: 'app', rules: POLICY });
    const modern = await request(core, 'read', 'sys/policies/acl/app', root);
    assert.deepEqual(modern.data, { name: 'app', policy: POLICY });
  });

  it('accepts the deprecated rules field with a warning, and base64 bodies', async () => {
    const resp = await request(core, 'update', 'sys/policy/legacy', root, { rules: POLICY });
    assert.ok(resp.warnings?.some((w) => /deprecated/.test(w)));
    await request(core, 'update', 'sys/policies/acl/b64', root, { policy: Buffer.from(POLICY).toString('base64') });
    const read = await request(core, 'read', 'sys/policies/acl/b64', root);
    assert.equal(read.data?.policy, POLICY);
  });

  it('deletes idempotently; a missing policy reads as 404', async () => {
    await request(core, 'update', 'sys/policies/acl/gone', root, { policy: POLICY });
    await request(core, 'delete', 'sys/policies/acl/gone', root);
    await request(core, 'delete', 'sys/policies/acl/gone', root);
    const read = await request(core, 'read', 'sys/policies/acl/gone', root);
    assert.equal(read.raw?.status, 404);
  });

  it('refuses bad policies and protected names with a 400', async () => {
    await assert.rejects(request(core, 'update', 'sys/policy/bad', root, { policy: 'path "x" { capabilities = ["fly"] }' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/policy/bad', root, { policy: 'path "x" {' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/policy/empty', root, {}), /policy' parameter not supplied/);
    await assert.rejects(request(core, 'update', 'sys/policy/root', root, { policy: POLICY }), InvalidRequestError);
    await assert.rejects(request(core, 'delete', 'sys/policy/default', root), InvalidRequestError);
    await assert.rejects(request(core, 'delete', 'sys/policies/acl/root', root), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/policy/bad', root, { policy: 42 }), InvalidRequestError);
  });

  it('applies a written policy to tokens at once', async () => {
    await request(core, 'update', 'sys/policies/acl/reader', root, { policy: 'path "secret/data/shared" { capabilities = ["read"] }' });
    await request(core, 'update', 'secret/data/shared', root, { data: { k: 'v' } });
    const tok = (await request(core, 'update', 'auth/token/create', root, { policies: ['reader'] })).auth!.clientToken!;
    const got = await request(core, 'read', 'secret/data/shared', tok);
    assert.deepEqual((got.data?.data as Record<string, unknown>).k, 'v');
    await request(core, 'delete', 'sys/policies/acl/reader', root);
    await assert.rejects(request(core, 'read', 'secret/data/shared', tok), PermissionDeniedError);
  });
});
