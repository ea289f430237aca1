import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/index.js';
import { startTestServer, type TestServer } from '../src/testing.js';
import { RawClient, rawRequest } from './raw-client.js';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Response bodies are checked field by field against Vault's shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

describe('HTTP API against a dev server', () => {
  let srv: TestServer;
  let call: (method: string, path: string, o?: { token?: string | null; body?: string | object; headers?: Record<string, string> }) => Promise<Reply>;

  before(async () => {
    srv = await startTestServer();
    call = async (method, path, o = {}) => {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? srv.rootToken : o.token;
      if (token !== null) headers['X-Vault-Token'] = token;
      const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      const r = await fetch(srv.url + path, { method, headers, body });
      const text = await r.text();
      let json: unknown = undefined;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: r.status, headers: r.headers, text, json };
    };
  });
  after(() => srv.close());

  describe('response shapes', () => {
    it('answers a write with the full envelope', async () => {
      const r = await call('POST', '/v1/secret/data/shapes/a', { body: { data: { password: 'hunter2' } } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.deepEqual(Object.keys(r.json).sort(), [
        'auth', 'data', 'lease_duration', 'lease_id', 'mount_type', 'renewable', 'request_id', 'warnings', 'wrap_info',
      ]);
      assert.match(r.json.request_id, /^[0-9a-f-]{36}$/);
      assert.equal(r.json.lease_id, '');
      assert.equal(r.json.renewable, false);
      assert.equal(r.json.lease_duration, 0);
      assert.equal(r.json.wrap_info, null);
      assert.equal(r.json.warnings, null);
      assert.equal(r.json.auth, null);
      assert.equal(r.json.mount_type, 'kv');
      assert.equal(r.json.data.version, 1);
    });

    it('answers 204 with no body when there is nothing to say', async () => {
      const r = await call('PUT', '/v1/sys/policy/shapes', { body: { policy: 'path "secret/*" { capabilities = ["read"] }' } });
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
      const d = await call('DELETE', '/v1/secret/data/shapes/a');
      assert.equal(d.status, 204);
    });

    it('answers a read of nothing and an empty list with 404 {"errors":[]}', async () => {
      const r = await call('GET', '/v1/secret/data/shapes/never-written');
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { errors: [] });
      const l = await call('GET', '/v1/secret/metadata/no-such-folder/?list=true');
      assert.equal(l.status, 404);
      assert.deepEqual(l.json, { errors: [] });
    });

    it('answers an unrouted path with 404 and the route message', async () => {
      const r = await call('GET', '/v1/nowhere/at/all');
      assert.equal(r.status, 404);
      assert.match(r.json.errors[0], /no handler for route/);
    });

    it('answers paths outside /v1 with 404', async () => {
      const r = await call('GET', '/v2/secret/data/x');
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { errors: [] });
    });

    it('copies data keys to the top level on legacy sys routes only', async () => {
      const mounts = await call('GET', '/v1/sys/mounts');
      assert.equal(mounts.status, 200);
      assert.equal(mounts.json['secret/'].type, 'kv');
      assert.equal(mounts.json.data['secret/'].type, 'kv');
      assert.equal(mounts.json.mount_type, 'system');
      const policy = await call('GET', '/v1/sys/policy/shapes');
      assert.equal(policy.json.name, 'shapes');
      assert.equal(policy.json.data.name, 'shapes');
      await call('POST', '/v1/secret/data/shapes/b', { body: { data: { k: 'v' } } });
      const kv = await call('GET', '/v1/secret/data/shapes/b');
      assert.equal(kv.json.metadata, undefined);
      assert.deepEqual(kv.json.data.data, { k: 'v' });
    });

    it('passes query parameters to reads', async () => {
      await call('POST', '/v1/secret/data/shapes/versions', { body: { data: { n: 1 } } });
      await call('POST', '/v1/secret/data/shapes/versions', { body: { data: { n: 2 } } });
      const v1 = await call('GET', '/v1/secret/data/shapes/versions?version=1');
      assert.deepEqual(v1.json.data.data, { n: 1 });
      const latest = await call('GET', '/v1/secret/data/shapes/versions');
      assert.deepEqual(latest.json.data.data, { n: 2 });
    });

    it('answers ?help=1 with the help text', async () => {
      const r = await call('GET', '/v1/secret/data/shapes/b?help=1');
      assert.equal(r.status, 200);
      assert.equal(typeof r.json.help, 'string');
      assert.ok(r.json.openapi);
    });

    it('writes the auth block of a token creation field by field', async () => {
      const r = await call('POST', '/v1/auth/token/create', { body: { policies: ['shapes'], ttl: '1h', meta: { team: 'a' } } });
      assert.equal(r.status, 200);
      assert.equal(r.json.data, null);
      const a = r.json.auth;
      for (const k of ['client_token', 'accessor', 'policies', 'token_policies', 'metadata', 'lease_duration', 'renewable', 'entity_id', 'token_type', 'orphan', 'mfa_requirement', 'num_uses']) {
        assert.ok(k in a, `auth.${k}`);
      }
      assert.deepEqual(a.policies, ['default', 'shapes']);
      assert.equal(a.lease_duration, 3600);
      assert.equal(a.renewable, true);
      assert.equal(a.token_type, 'service');
      assert.equal(a.orphan, false);
      assert.equal(a.mfa_requirement, null);
      assert.deepEqual(a.metadata, { team: 'a' });
    });
  });

  describe('methods', () => {
    it('answers HEAD on sys/health with the status only', async () => {
      const r = await rawRequest(srv.url, 'HEAD', '/v1/sys/health');
      assert.equal(r.status, 200);
      assert.equal(r.body, '');
    });

    it('refuses HEAD elsewhere and unknown methods with 405', async () => {
      assert.equal((await rawRequest(srv.url, 'HEAD', '/v1/secret/data/x', { 'X-Vault-Token': srv.rootToken })).status, 405);
      const options = await call('OPTIONS', '/v1/secret/data/x');
      assert.equal(options.status, 405);
      const propfind = await rawRequest(srv.url, 'PROPFIND', '/v1/secret/data/x');
      assert.equal(propfind.status, 405);
      const frob = await rawRequest(srv.url, 'FROB', '/v1/secret/data/x');
      assert.equal(frob.status, 405);
    });

    it('needs the merge-patch content type for PATCH (415 otherwise)', async () => {
      await call('POST', '/v1/secret/data/methods/p', { body: { data: { a: 1, b: 2 } } });
      const bad = await call('PATCH', '/v1/secret/data/methods/p', { body: { data: { a: 9 } }, headers: { 'Content-Type': 'application/json' } });
      assert.equal(bad.status, 415);
      assert.match(bad.json.errors[0], /merge-patch/);
      const ok = await call('PATCH', '/v1/secret/data/methods/p', {
        body: { data: { a: 9 } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.equal(ok.status, 200);
      const read = await call('GET', '/v1/secret/data/methods/p');
      assert.deepEqual(read.json.data.data, { a: 9, b: 2 });
      const missing = await call('PATCH', '/v1/secret/data/methods/never-written', {
        body: { data: { a: 1 } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json, { errors: [] });
      const missingMeta = await call('PATCH', '/v1/secret/metadata/methods/never-written', {
        body: { max_versions: 3 },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.equal(missingMeta.status, 404);
      assert.deepEqual(missingMeta.json, { errors: [] });
    });

    it('treats PUT and POST alike', async () => {
      assert.equal((await call('PUT', '/v1/secret/data/methods/put', { body: { data: { x: 1 } } })).status, 200);
      assert.deepEqual((await call('GET', '/v1/secret/data/methods/put')).json.data.data, { x: 1 });
    });

    it('lists with the raw LIST verb and with ?list=true', async () => {
      await call('POST', '/v1/secret/data/methods/folder/one', { body: { data: { x: 1 } } });
      await call('POST', '/v1/secret/data/methods/folder/two', { body: { data: { x: 2 } } });
      const viaQuery = await call('GET', '/v1/secret/metadata/methods/folder?list=true');
      assert.deepEqual(viaQuery.json.data.keys, ['one', 'two']);
      const c = await RawClient.open(srv.url);
      c.send('POST', '/v1/secret/data/methods/folder/three', { 'X-Vault-Token': srv.rootToken }, '{"data":{"x":3}}');
      assert.equal((await c.read()).status, 200);
      c.send('LIST', '/v1/secret/metadata/methods/folder', { 'X-Vault-Token': srv.rootToken });
      const listed = await c.read();
      assert.equal(listed.status, 200);
      assert.deepEqual(JSON.parse(listed.body).data.keys, ['one', 'three', 'two']);
      await c.waitClosed();
    });
  });

  describe('bodies', () => {
    it('reads JSON whatever the Content-Type', async () => {
      const r = await call('POST', '/v1/secret/data/bodies/plain', { body: '{"data":{"x":"y"}}', headers: { 'Content-Type': 'text/plain' } });
      assert.equal(r.status, 200);
      assert.deepEqual((await call('GET', '/v1/secret/data/bodies/plain')).json.data.data, { x: 'y' });
    });

    it('accepts a form body that does not look like JSON', async () => {
      const policy = 'path "secret/*" { capabilities = ["list"] }';
      const r = await call('PUT', '/v1/sys/policy/form-made', {
        body: new URLSearchParams({ policy }).toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(r.status, 204);
      assert.equal((await call('GET', '/v1/sys/policy/form-made')).json.rules, policy);
    });

    it('accepts an empty body', async () => {
      const r = await call('POST', '/v1/auth/token/create', { body: '' });
      assert.equal(r.status, 200);
      assert.ok(r.json.auth.client_token);
    });

    it('refuses malformed JSON with 400', async () => {
      const r = await call('POST', '/v1/secret/data/bodies/bad', { body: '{"data": {"x": ' });
      assert.equal(r.status, 400);
      assert.match(r.json.errors[0], /^failed to parse JSON input: /);
    });

    it('refuses JSON that is not an object with 400', async () => {
      for (const body of ['[1,2]', '"text"', '42', 'true']) {
        const r = await call('POST', '/v1/secret/data/bodies/bad', { body });
        assert.equal(r.status, 400, body);
        assert.match(r.json.errors[0], /failed to parse JSON input/);
      }
    });

    it('gives a typed 400, not a 500, for wrong field types', async () => {
      const r = await call('POST', '/v1/auth/token/create', { body: { ttl: { nested: true } } });
      assert.equal(r.status, 400);
    });
  });

  describe('paths', () => {
    const traversal = [
      '/v1/secret/../sys/seal',
      '/v1/secret/%2e%2e/sys/seal',
      '/v1/secret/%2E%2E/sys/seal',
      '/v1/secret/data/./x',
      '/v1/secret/data/%2e/x',
      '/v1/secret/..%2fsys/seal',
      '/v1/..',
      '/v1/secret/data/%zz',
      '/v1/secret/data/a%00b',
    ];
    for (const target of traversal) {
      it(`refuses ${target} with a 4xx`, async () => {
        for (const method of ['PUT', 'GET']) {
          const r = await rawRequest(srv.url, method, target, { 'X-Vault-Token': srv.rootToken }, method === 'PUT' ? '{}' : undefined);
          assert.ok(r.status >= 400 && r.status < 500, `${method} ${target}: ${r.status} ${r.body}`);
          assert.ok(Array.isArray(JSON.parse(r.body).errors));
        }
        assert.equal(srv.node.isSealed(), false);
      });
    }

    it('refuses empty path segments with a 4xx', async () => {
      const r = await rawRequest(srv.url, 'PUT', '/v1/secret/data//x', { 'X-Vault-Token': srv.rootToken }, '{"data":{}}');
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
    });
  });

  describe('tokens', () => {
    it('refuses a request without a token with 403 and a multierror body', async () => {
      const r = await call('GET', '/v1/secret/data/x', { token: null });
      assert.equal(r.status, 403);
      assert.deepEqual(r.json, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    });

    it('refuses an unknown token with 403', async () => {
      const r = await call('GET', '/v1/secret/data/x', { token: 'hvs.not-a-token' });
      assert.equal(r.status, 403);
      assert.match(r.json.errors[0], /permission denied/);
    });

    it('takes the token from Authorization: Bearer', async () => {
      const r = await call('GET', '/v1/auth/token/lookup-self', { token: null, headers: { Authorization: `Bearer ${srv.rootToken}` } });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.data.policies, ['root']);
    });

    it('prefers X-Vault-Token over Authorization', async () => {
      const good = await call('GET', '/v1/auth/token/lookup-self', { headers: { Authorization: 'Bearer hvs.wrong' } });
      assert.equal(good.status, 200);
      const bad = await call('GET', '/v1/auth/token/lookup-self', { token: 'hvs.wrong', headers: { Authorization: `Bearer ${srv.rootToken}` } });
      assert.equal(bad.status, 403);
    });

    it('wraps a response when X-Vault-Wrap-TTL is set, and unwraps it', async () => {
      await call('POST', '/v1/secret/data/tokens/wrapped', { body: { data: { s: 'v' } } });
      const r = await call('GET', '/v1/secret/data/tokens/wrapped', { headers: { 'X-Vault-Wrap-TTL': '5m' } });
      assert.equal(r.status, 200);
      assert.equal(r.json.data, null);
      const w = r.json.wrap_info;
      assert.deepEqual(Object.keys(w).sort(), ['accessor', 'creation_path', 'creation_time', 'token', 'ttl']);
      assert.equal(w.ttl, 300);
      assert.equal(w.creation_path, 'secret/data/tokens/wrapped');
      const u = await call('POST', '/v1/sys/wrapping/unwrap', { token: w.token, body: '' });
      assert.equal(u.status, 200);
      assert.deepEqual(u.json.data.data, { s: 'v' });
    });

    it('refuses an unparsable X-Vault-Wrap-TTL with 400', async () => {
      const r = await call('GET', '/v1/secret/data/x', { headers: { 'X-Vault-Wrap-TTL': 'soon' } });
      assert.equal(r.status, 400);
    });
  });

  describe('metrics', () => {
    it('serves the JSON form to a token that may read sys/metrics', async () => {
      const r = await call('GET', '/v1/sys/metrics');
      assert.equal(r.status, 200);
      const unsealed = r.json.Gauges.find((g: { Name: string }) => g.Name === 'vault.core.unsealed');
      assert.equal(unsealed.Value, 1);
      assert.ok(Array.isArray(r.json.Counters));
    });

    it('refuses metrics without a token', async () => {
      const r = await call('GET', '/v1/sys/metrics', { token: null });
      assert.equal(r.status, 403);
    });

    it('refuses the Prometheus format when telemetry does not enable it', async () => {
      const r = await call('GET', '/v1/sys/metrics?format=prometheus');
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { errors: ['prometheus is not enabled'] });
    });

    it('refuses an unknown format with 400', async () => {
      assert.equal((await call('GET', '/v1/sys/metrics?format=xml')).status, 400);
    });
  });
});

describe('HTTP API limits', () => {
  let srv: TestServer;
  let server: Server;
  let url: string;
  before(async () => {
    srv = await startTestServer();
    server = createServer(buildApp(srv.node, { maxRequestSize: 1024 }).app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await srv.close();
  });

  it('refuses a body over max_request_size with 413', async () => {
    const body = JSON.stringify({ data: { blob: 'x'.repeat(4096) } });
    const r = await fetch(`${url}/v1/secret/data/big`, { method: 'POST', headers: { 'X-Vault-Token': srv.rootToken }, body });
    assert.equal(r.status, 413);
    assert.ok(Array.isArray(((await r.json()) as { errors: unknown }).errors));
  });

  it('accepts a body under the limit on the same app', async () => {
    const r = await fetch(`${url}/v1/secret/data/small`, {
      method: 'POST',
      headers: { 'X-Vault-Token': srv.rootToken },
      body: JSON.stringify({ data: { blob: 'x' } }),
    });
    assert.equal(r.status, 200);
  });

  it('refuses a chunked body over the limit with 413', async () => {
    const c = await RawClient.open(url);
    c.write(`POST /v1/secret/data/chunked HTTP/1.1\r\nHost: a\r\nX-Vault-Token: ${srv.rootToken}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 4; i++) c.write(`400\r\n${'y'.repeat(1024)}\r\n`);
    c.write('0\r\n\r\n');
    const r = await c.read();
    assert.equal(r.status, 413);
    c.close();
  });
});
