import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { InvalidRequestError } from '../src/errors.js';
import { PolicyStore } from '../src/policy/index.js';

async function store(storage = new InmemBackend()): Promise<PolicyStore> {
  const s = new PolicyStore({ storage });
  await s.setup();
  return s;
}

const READ_SECRET = 'path "secret/*" {\n  capabilities = ["read", "list"]\n}\n';

describe('PolicyStore', () => {
  it('creates the default policy once, and keeps an edited one across setups', async () => {
    const storage = new InmemBackend();
    const s = await store(storage);
    const def = await s.get('default');
    assert.ok(def);
    assert.match(def.rules, /auth\/token\/lookup-self/);
    assert.match(def.rules, /cubbyhole\/\*/);

    await s.set('default', READ_SECRET);
    const again = await store(storage);
    assert.equal((await again.get('default'))?.rules, READ_SECRET);
  });

  it('lets the default policy do what Vault lets it do, and nothing else', async () => {
    const acl = await (await store()).acl(['default']);
    assert.ok(acl.allowOperation({ operation: 'read', path: 'auth/token/lookup-self' }).allowed);
    assert.ok(acl.allowOperation({ operation: 'update', path: 'auth/token/renew-self' }).allowed);
    assert.ok(acl.allowOperation({ operation: 'create', path: 'cubbyhole/foo' }).allowed);
    assert.ok(acl.allowOperation({ operation: 'update', path: 'sys/wrapping/unwrap' }).allowed);
    assert.ok(acl.allowOperation({ operation: 'read', path: 'identity/oidc/provider/p1/authorize' }).allowed);
    assert.equal(acl.allowOperation({ operation: 'read', path: 'secret/foo' }).allowed, false);
    assert.equal(acl.allowOperation({ operation: 'update', path: 'sys/policy/x' }).allowed, false);
  });

  it('writes, reads, lists and deletes a policy; names are case-insensitive', async () => {
    const s = await store();
    await s.set('Readers', READ_SECRET);
    assert.deepEqual(await s.get('READERS'), { name: 'readers', rules: READ_SECRET });
    assert.deepEqual(await s.list(), ['default', 'readers', 'root']);
    const acl = await s.acl(['readers']);
    assert.ok(acl.allowOperation({ operation: 'read', path: 'secret/a' }).allowed);
    assert.equal(acl.allowOperation({ operation: 'update', path: 'secret/a' }).allowed, false);

    await s.delete('readers');
    assert.equal(await s.get('readers'), null);
    assert.deepEqual(await s.list(), ['default', 'root']);
    // The cached ACL input is gone too.
    assert.equal((await s.acl(['readers'])).allowOperation({ operation: 'read', path: 'secret/a' }).allowed, false);
    await s.delete('readers'); // idempotent
  });

  it('sees an updated policy at once (no stale cache)', async () => {
    const s = await store();
    await s.set('p', READ_SECRET);
    assert.ok((await s.acl(['p'])).allowOperation({ operation: 'read', path: 'secret/a' }).allowed);
    await s.set('p', 'path "other/*" { capabilities = ["read"] }');
    assert.equal((await s.acl(['p'])).allowOperation({ operation: 'read', path: 'secret/a' }).allowed, false);
  });

  it('accepts JSON policies', async () => {
    const s = await store();
    await s.set('json', JSON.stringify({ path: { 'kv/*': { capabilities: ['create', 'update'] } } }));
    assert.ok((await s.acl(['json'])).allowOperation({ operation: 'create', path: 'kv/x' }).allowed);
  });

  it('refuses bad policy text with a 400 that says why', async () => {
    const s = await store();
    await assert.rejects(s.set('bad', 'path "secret/*" { capabilities = ["read"'), (err: unknown) => {
      assert.ok(err instanceof InvalidRequestError);
      assert.match(err.message, /failed to parse policy/);
      return true;
    });
    await assert.rejects(s.set('bad', 'path "secret/*" { capabilities = ["fly"] }'), /invalid capability "fly"/);
    await assert.rejects(s.set('bad', '{"path": '), InvalidRequestError);
    await assert.rejects(s.set('bad', ''), InvalidRequestError);
    await assert.rejects(s.set('a/b', READ_SECRET), /invalid policy name/);
    await assert.rejects(s.set('..', READ_SECRET), /invalid policy name/);
    assert.deepEqual(await s.list(), ['default', 'root']);
  });

  it('protects root, default and response-wrapping', async () => {
    const s = await store();
    await assert.rejects(s.set('root', READ_SECRET), (err: unknown) => err instanceof InvalidRequestError && /root/.test(err.message));
    await assert.rejects(s.delete('root'), /cannot delete root policy/);
    await assert.rejects(s.delete('Default'), /cannot delete default policy/);
    await assert.rejects(s.set('response-wrapping', READ_SECRET), InvalidRequestError);
    await assert.rejects(s.delete('response-wrapping'), InvalidRequestError);
    assert.deepEqual(await s.get('root'), { name: 'root', rules: '' });
  });

  it('gives root everything and response-wrapping only its cubbyhole response and unwrap', async () => {
    const s = await store();
    const root = await s.acl(['default', 'root']);
    assert.ok(root.isRoot);
    assert.ok(root.allowOperation({ operation: 'delete', path: 'sys/mounts/x' }).allowed);

    const rw = await s.acl(['response-wrapping']);
    assert.ok(rw.allowOperation({ operation: 'read', path: 'cubbyhole/response' }).allowed);
    assert.ok(rw.allowOperation({ operation: 'update', path: 'sys/wrapping/unwrap' }).allowed);
    assert.equal(rw.allowOperation({ operation: 'read', path: 'cubbyhole/other' }).allowed, false);
    assert.equal(rw.allowOperation({ operation: 'update', path: 'sys/wrapping/wrap' }).allowed, false);
    assert.ok(!(await s.list()).includes('response-wrapping'));
  });

  it('ignores unknown policy names in an ACL', async () => {
    const s = await store();
    await s.set('p', READ_SECRET);
    const acl = await s.acl(['nope', 'p']);
    assert.ok(acl.allowOperation({ operation: 'read', path: 'secret/a' }).allowed);
    assert.equal((await s.acl([])).allowOperation({ operation: 'read', path: 'secret/a' }).allowed, false);
  });
});
