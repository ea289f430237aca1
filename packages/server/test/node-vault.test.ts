import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodeVault from 'node-vault';
import { startTestServer, type TestServer } from '../src/testing.js';

/** node-vault, unchanged, against a dev server: the client most Node users reach for. */
describe('node-vault session', () => {
  let srv: TestServer;
  let vault: nodeVault.client;

  before(async () => {
    srv = await startTestServer();
    vault = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken });
  });
  after(() => srv.close());

  it('reports health', async () => {
    const h = await vault.health();
    assert.equal(h.initialized, true);
    assert.equal(h.sealed, false);
    assert.equal(h.standby, false);
  });

  it('writes, reads, lists and deletes kv v2 secrets', async () => {
    const w = await vault.write('secret/data/app/db', { data: { username: 'app', password: 's3cr3t' } });
    assert.equal(w.data.version, 1);
    await vault.write('secret/data/app/api', { data: { key: 'k' } });
    await vault.write('secret/data/other', { data: { x: 1 } });

    const r = await vault.read('secret/data/app/db');
    assert.deepEqual(r.data.data, { username: 'app', password: 's3cr3t' });
    assert.equal(r.data.metadata.version, 1);

    // node-vault sends the LIST verb.
    const top = await vault.list('secret/metadata/');
    assert.deepEqual(top.data.keys, ['app/', 'other']);
    const app = await vault.list('secret/metadata/app');
    assert.deepEqual(app.data.keys, ['api', 'db']);

    await vault.delete('secret/data/app/db');
    await assert.rejects(vault.read('secret/data/app/db'), (err: nodeVault.ApiResponseError) => {
      assert.equal(err.response.statusCode, 404);
      return true;
    });
    await vault.delete('secret/metadata/app/db');
    assert.deepEqual((await vault.list('secret/metadata/app')).data.keys, ['api']);
  });

  it('lists several times in a row and between writes (LIST over fresh connections)', async () => {
    for (let i = 0; i < 5; i++) {
      await vault.write(`secret/data/loop/k${i}`, { data: { i } });
      const l = await vault.list('secret/metadata/loop');
      assert.equal(l.data.keys.length, i + 1);
    }
  });

  it('lists with noCustomHTTPVerbs (GET ?list=1)', async () => {
    const plain = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken, noCustomHTTPVerbs: true });
    const l = await plain.list('secret/metadata/loop');
    assert.equal(l.data.keys.length, 5);
  });

  it('patches a secret with update (merge-patch)', async () => {
    await vault.write('secret/data/patched', { data: { a: 1, b: 2 } });
    await vault.update('secret/data/patched', { data: { b: 3 } });
    assert.deepEqual((await vault.read('secret/data/patched')).data.data, { a: 1, b: 3 });
  });

  it('writes and reads policies', async () => {
    const rules = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';
    await vault.addPolicy({ name: 'app-reader', rules });
    const p = await vault.getPolicy({ name: 'app-reader' });
    assert.equal(p.rules, rules);
    assert.equal(p.data.rules, rules);
    const all = await vault.policies();
    assert.ok(all.policies.includes('app-reader'));
    assert.ok(all.policies.includes('default'));
  });

  it('creates and looks up tokens, and the new token only gets what its policy allows', async () => {
    // node-vault adopts the token a tokenCreate returns, so mint it from a client of its own.
    const minter = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken });
    const created = await minter.tokenCreate({ policies: ['app-reader'], ttl: '1h', display_name: 'ci' });
    const token = created.auth.client_token as string;
    assert.equal(minter.token, token);
    assert.ok(token);
    assert.deepEqual(created.auth.policies, ['app-reader', 'default']);

    const looked = await vault.tokenLookup({ token });
    assert.equal(looked.data.id, token);
    assert.deepEqual(looked.data.policies, ['app-reader', 'default']);
    assert.equal(looked.data.display_name, 'token-ci');
    assert.equal(looked.data.path, 'auth/token/create');

    const limited = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token });
    assert.deepEqual((await limited.read('secret/data/app/api')).data.data, { key: 'k' });
    await assert.rejects(limited.write('secret/data/app/api', { data: { key: 'stolen' } }), (err: Error) => {
      assert.match(err.message, /permission denied/);
      return true;
    });
    const self = await limited.tokenLookupSelf();
    assert.equal(self.data.id, token);
  });

  it('enables, lists and disables mounts', async () => {
    await vault.mount({ mount_point: 'kv1', type: 'kv', description: 'plain kv' });
    await vault.mount({ mount_point: 'kv2', type: 'kv-v2' });
    const mounts = await vault.mounts();
    assert.equal(mounts['kv1/'].type, 'kv');
    assert.equal(mounts.data['kv2/'].options.version, '2');

    await vault.write('kv1/hello', { value: 'world' });
    assert.deepEqual((await vault.read('kv1/hello')).data, { value: 'world' });
    assert.deepEqual((await vault.list('kv1/')).data.keys, ['hello']);

    await vault.unmount({ mount_point: 'kv1' });
    await vault.unmount({ mount_point: 'kv2' });
    const after = await vault.mounts();
    assert.equal(after['kv1/'], undefined);
    assert.equal(after['kv2/'], undefined);
    await assert.rejects(vault.read('kv1/hello'));
  });

  it('surfaces errors as node-vault expects: the first of `errors` as the message', async () => {
    const anonymous = nodeVault({ apiVersion: 'v1', endpoint: srv.url });
    await assert.rejects(anonymous.read('secret/data/app/api'), (err: nodeVault.ApiResponseError) => {
      assert.equal(err.response.statusCode, 403);
      assert.match(err.message, /permission denied/);
      return true;
    });
  });
});
