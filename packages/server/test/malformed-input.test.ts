import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing.js';

/** Input a client gets wrong is its error (400), never the server's (500). */
describe('malformed input is a 400', () => {
  let srv: TestServer;
  const send = async (method: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> => {
    const r = await fetch(srv.url + path, { method, headers: { 'X-Vault-Token': srv.rootToken, ...headers }, body });
    return { status: r.status, text: await r.text() };
  };
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  it('answers `Content-Encoding: gzip` on a plain body with 400', async () => {
    const r = await send('POST', '/v1/secret/data/gz', '{"data":{"a":"b"}}', { 'Content-Encoding': 'gzip' });
    assert.equal(r.status, 400, r.text);
  });

  it('answers a JSON policy nested 50,000 levels deep with 400', async () => {
    for (const inner of ['['.repeat(50000) + ']'.repeat(50000), '{"a":'.repeat(50000) + '1' + '}'.repeat(50000)]) {
      const policy = `{"path": {"a": {"capabilities": ${inner}}}}`;
      const r = await send('PUT', '/v1/sys/policy/deep', JSON.stringify({ policy }));
      assert.equal(r.status, 400, r.text.slice(0, 200));
    }
  });

  it('takes `constructor` as an ordinary name in allowed_parameters', async () => {
    const policy = 'path "a" {\n  capabilities = ["read"]\n  allowed_parameters = { "constructor" = [] }\n}';
    const r = await send('PUT', '/v1/sys/policy/ctor', JSON.stringify({ policy }));
    assert.equal(r.status, 204, r.text);
  });
});
