import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodeVault from 'node-vault';
import { startTestServer, type TestServer } from '@strongroom/server/testing';

// node-vault with its default options (LIST verb, POST writes) against a dev server, through a whole operator
// session: mounts of both kv versions, policies, a limited token and response wrapping.

type VaultClient = ReturnType<typeof nodeVault>;

/** Asserts that `p` rejects the way node-vault reports an API error: status and the first of `errors` as message. */
async function rejectsWith(p: Promise<unknown>, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: nodeVault.ApiResponseError) => {
    assert.equal(err.response?.statusCode, status, `status ${err.response?.statusCode}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('node-vault session against a dev server', () => {
  let srv: TestServer;
  let vault: VaultClient;

  before(async () => {
    srv = await startTestServer();
    vault = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken });
  });
  after(() => srv?.close());

  it('enables kv v1 at kv1/ and kv v2 at kv2/', async () => {
    await vault.mount({ mount_point: 'kv1', type: 'kv', options: { version: '1' } });
    await vault.write('sys/mounts/kv2', { type: 'kv', options: { version: '2' } });
    const mounts = await vault.mounts();
    assert.equal(mounts.data['kv1/'].type, 'kv');
    assert.equal(mounts.data['kv1/'].options.version, '1');
    assert.equal(mounts.data['kv2/'].type, 'kv');
    assert.equal(mounts.data['kv2/'].options.version, '2');
    // The legacy top-level copy of the table, which old clients read.
    assert.equal(mounts['kv2/'].type, 'kv');
  });

  it('writes, reads, lists and deletes on kv v1', async () => {
    await vault.write('kv1/app/db', { username: 'app', password: 'v1-pass' });
    await vault.write('kv1/app/api', { key: 'v1-key' });
    await vault.write('kv1/top', { n: 1 });

    const r = await vault.read('kv1/app/db');
    assert.deepEqual(r.data, { username: 'app', password: 'v1-pass' });
    assert.equal(r.lease_id, '');
    assert.ok(r.lease_duration > 0, 'kv v1 reads carry the mount TTL as a refresh hint');

    assert.deepEqual((await vault.list('kv1/')).data.keys, ['app/', 'top']);
    assert.deepEqual((await vault.list('kv1/app')).data.keys, ['api', 'db']);

    await vault.delete('kv1/app/db');
    await rejectsWith(vault.read('kv1/app/db'), 404);
    assert.deepEqual((await vault.list('kv1/app/')).data.keys, ['api']);
    await vault.delete('kv1/app/api');
    await rejectsWith(vault.list('kv1/app/'), 404);
  });

  it('writes, reads, lists and deletes on kv v2', async () => {
    const w1 = await vault.write('kv2/data/app/db', { data: { password: 'v2-pass-1' } });
    assert.equal(w1.data.version, 1);
    const w2 = await vault.write('kv2/data/app/db', { data: { password: 'v2-pass-2' } });
    assert.equal(w2.data.version, 2);
    await vault.write('kv2/data/other', { data: { x: 'y' } });

    const latest = await vault.read('kv2/data/app/db');
    assert.deepEqual(latest.data.data, { password: 'v2-pass-2' });
    assert.equal(latest.data.metadata.version, 2);
    const first = await vault.read('kv2/data/app/db?version=1');
    assert.deepEqual(first.data.data, { password: 'v2-pass-1' });

    assert.deepEqual((await vault.list('kv2/metadata/')).data.keys, ['app/', 'other']);
    assert.deepEqual((await vault.list('kv2/metadata/app')).data.keys, ['db']);

    // Soft delete of the latest version: its read is a 404 (with the metadata), the older version stays.
    await vault.delete('kv2/data/app/db');
    await rejectsWith(vault.read('kv2/data/app/db'), 404);
    assert.deepEqual((await vault.read('kv2/data/app/db?version=1')).data.data, { password: 'v2-pass-1' });
    const meta = await vault.read('kv2/metadata/app/db');
    assert.equal(meta.data.current_version, 2);
    assert.notEqual(meta.data.versions['2'].deletion_time, '');

    // Deleting the metadata removes every version and the key from listings.
    await vault.delete('kv2/metadata/app/db');
    await rejectsWith(vault.read('kv2/data/app/db?version=1'), 404);
    assert.deepEqual((await vault.list('kv2/metadata/')).data.keys, ['other']);
  });

  describe('a token with a policy', () => {
    let token: string;
    let limited: VaultClient;

    before(async () => {
      await vault.write('kv1/allowed/one', { value: 'readable' });
      await vault.write('kv1/secret-area/two', { value: 'hidden' });
      await vault.write('kv2/data/allowed/three', { data: { value: 'readable-v2' } });
      const rules = [
        'path "kv1/allowed/*" {',
        '  capabilities = ["read", "list"]',
        '}',
        'path "kv2/data/allowed/*" {',
        '  capabilities = ["read"]',
        '}',
        '',
      ].join('\n');
      await vault.addPolicy({ name: 'session-reader', rules });
      assert.equal((await vault.getPolicy({ name: 'session-reader' })).rules, rules);

      // node-vault adopts the token a tokenCreate returns: mint from a client of its own.
      const minter = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken });
      const created = await minter.tokenCreate({ policies: ['session-reader'] });
      token = created.auth.client_token;
      assert.ok(typeof token === 'string' && token.length > 0);
      assert.deepEqual([...created.auth.policies].sort(), ['default', 'session-reader']);
      limited = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token });
    });

    it('reads allowed paths', async () => {
      assert.deepEqual((await limited.read('kv1/allowed/one')).data, { value: 'readable' });
      assert.deepEqual((await limited.read('kv2/data/allowed/three')).data.data, { value: 'readable-v2' });
      assert.deepEqual((await limited.list('kv1/allowed')).data.keys, ['one']);
    });

    it('is refused elsewhere with 403 permission denied', async () => {
      await rejectsWith(limited.read('kv1/secret-area/two'), 403, /permission denied/);
      await rejectsWith(limited.write('kv1/allowed/one', { value: 'overwritten' }), 403, /permission denied/);
      await rejectsWith(limited.read('kv2/metadata/allowed/three'), 403, /permission denied/);
      await rejectsWith(limited.mounts(), 403, /permission denied/);
      // The refused write changed nothing.
      assert.deepEqual((await vault.read('kv1/allowed/one')).data, { value: 'readable' });
    });
  });

  describe('response wrapping', () => {
    it('wraps data with sys/wrapping/wrap; unwrap returns it once', async () => {
      const payload = { user: 'wrapped-user', password: 'wrapped-pass' };
      const wrapped = await vault.write('sys/wrapping/wrap', payload, { headers: { 'X-Vault-Wrap-TTL': '60s' } });
      assert.equal(wrapped.data, null);
      const info = wrapped.wrap_info;
      assert.ok(info && typeof info.token === 'string' && info.token.length > 0);
      assert.equal(info.ttl, 60);
      assert.equal(info.creation_path, 'sys/wrapping/wrap');

      const unwrapped = await vault.unwrap({ token: info.token });
      assert.deepEqual(unwrapped.data, payload);
      await rejectsWith(vault.unwrap({ token: info.token }), 400, /wrapping token is not valid or does not exist/);
    });

    it('wraps any read with X-Vault-Wrap-TTL; the wrapping token alone unwraps it', async () => {
      await vault.write('kv2/data/wrapme', { data: { answer: 'forty-two' } });
      const wrapped = await vault.read('kv2/data/wrapme', { headers: { 'X-Vault-Wrap-TTL': '2m' } });
      assert.equal(wrapped.data, null);
      assert.equal(wrapped.wrap_info.ttl, 120);
      assert.equal(wrapped.wrap_info.creation_path, 'kv2/data/wrapme');

      // As the Vault docs show: the wrapping token as the client token, no body.
      const holder = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: wrapped.wrap_info.token });
      const unwrapped = await holder.unwrap();
      assert.deepEqual(unwrapped.data.data, { answer: 'forty-two' });
      assert.equal(unwrapped.data.metadata.version, 1);
      // A spent wrapping token as the client token is refused (403 as an unknown token here; Vault may say 400).
      await assert.rejects(holder.unwrap(), (err: nodeVault.ApiResponseError) => [400, 403].includes(err.response?.statusCode));
      await rejectsWith(vault.unwrap({ token: wrapped.wrap_info.token }), 400);
    });
  });
});
