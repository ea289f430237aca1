import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing.js';

/** Parameter rules in policies apply to query-string parameters too, since backends read those as request data. */
describe('ACL parameter rules on query parameters', () => {
  let srv: TestServer;
  let user: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, token: string, body?: object): Promise<{ status: number; json: any }> => {
    const r = await fetch(srv.url + path, { method, headers: { 'X-Vault-Token': token }, body: body && JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    srv = await startTestServer();
    const root = srv.rootToken;
    const policy = `
path "secret/data/qp" {
  capabilities = ["read", "create", "update"]
  denied_parameters = { "version" = [] }
}
path "auth/token/lookup" {
  capabilities = ["read", "update"]
  allowed_parameters = { "other" = [] }
}`;
    assert.equal((await call('PUT', '/v1/sys/policy/qp', root, { policy })).status, 204);
    assert.equal((await call('POST', '/v1/secret/data/qp', root, { data: { v: 'old' } })).status, 200);
    assert.equal((await call('POST', '/v1/secret/data/qp', root, { data: { v: 'new' } })).status, 200);
    const created = await call('POST', '/v1/auth/token/create', root, { policies: ['qp'] });
    user = created.json.auth.client_token;
  });
  after(() => srv.close());

  it('refuses a denied parameter sent in the query string', async () => {
    const plain = await call('GET', '/v1/secret/data/qp', user);
    assert.equal(plain.status, 200);
    assert.equal(plain.json.data.data.v, 'new');
    const old = await call('GET', '/v1/secret/data/qp?version=1', user);
    assert.equal(old.status, 403);
    assert.equal(old.json.data, undefined);
  });

  it('refuses a query parameter outside allowed_parameters', async () => {
    assert.equal((await call('POST', '/v1/auth/token/lookup', user, { token: srv.rootToken })).status, 403);
    const r = await call('GET', `/v1/auth/token/lookup?token=${srv.rootToken}`, user);
    assert.equal(r.status, 403);
  });
});
