import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inject } from 'light-my-request';
import { joinRequestHeaders } from '../src/cluster/http-relay.js';
import type { DirectDispatch } from '../src/http/direct-dispatch.js';
import { buildApp } from '../src/index.js';
import { startTestServer, type TestServer } from '../src/testing.js';

interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a client would notice, less what differs on every request. */
function normalise(s: Seen): Seen {
  const headers = { ...s.headers };
  delete headers['date'];
  delete headers['connection'];
  delete headers['keep-alive'];
  delete headers['transfer-encoding'];
  let body = s.body.replace(/"request_id":"[0-9a-f-]{36}"/g, '"request_id":"-"');
  body = body.replace(/"(created_time|deletion_time)":"[^"]*"/g, '"$1":"-"');
  if (headers['content-length'] !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return { status: s.status, headers, body };
}

describe('serving a forwarded request without express', () => {
  let srv: TestServer;
  let app: ReturnType<typeof buildApp>['app'];
  let dispatch: DirectDispatch;

  before(async () => {
    srv = await startTestServer();
    ({ app, dispatch } = buildApp(srv.node, { maxRequestSize: 1024 }));
  });
  after(() => srv.close());

  const viaExpress = async (method: string, url: string, headers: Record<string, string>, body?: string): Promise<Seen> => {
    const r = await inject(app, { method: method as 'GET', url, headers: { 'user-agent': undefined as unknown as string, ...headers }, ...(body ? { payload: body } : {}), validate: false });
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) h[k] = String(v);
    return { status: r.statusCode, headers: h, body: r.payload };
  };

  const direct = async (method: string, url: string, headers: Record<string, string>, body?: string): Promise<Seen> => {
    const buf = Buffer.from(body ?? '');
    const reply = await dispatch({ method, url, headers: joinRequestHeaders(headers, buf.length), body: buf, remoteAddress: '127.0.0.1', remotePort: 1, forwardedFrom: 'standby-1' });
    assert.ok(reply, 'the node is active');
    const h: Record<string, string> = {};
    for (const [k, v] of reply.headers) h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
    return { status: reply.status, headers: h, body: reply.body.toString() };
  };

  it('answers exactly as the express path does, successes and errors alike', async () => {
    const token = { 'x-vault-token': srv.rootToken };
    await viaExpress('POST', '/v1/secret/data/same', { ...token, 'content-type': 'application/json' }, '{"data":{"k":"v"}}');
    const cases: [string, string, Record<string, string>, string?][] = [
      ['GET', '/v1/secret/data/same', token],
      ['GET', '/v1/secret/data/same?version=1', token],
      ['GET', '/v1/secret/data/missing', token],
      ['LIST', '/v1/secret/metadata/', token],
      ['GET', '/v1/secret/metadata?list=true', token],
      ['GET', '/v1/secret/data/same', {}],
      ['GET', '/v1/secret/data/same', { 'x-vault-token': 'hvs.not-a-token' }],
      ['GET', '/v1/no-such-mount/x', token],
      ['GET', '/v1/secret/data/%zz', token],
      ['POST', '/v1/secret/data/bad', token, '{"data":'],
      ['POST', '/v1/secret/data/big', token, `{"data":{"v":"${'x'.repeat(2000)}"}}`],
      ['PATCH', '/v1/secret/data/same', token, '{"data":{}}'],
      ['DELETE', '/v1/secret/nope', token],
      ['HEAD', '/v1/sys/health', {}],
      ['GET', '/v1/sys/health', {}],
      ['GET', '/v1/auth/token/lookup-self', token],
      ['GET', '/v1/sys/mounts', token],
      ['PUT', '/v1/sys/wrapping/lookup', token, '{"token":"nope"}'],
      ['GET', '/v1/secret/data/same', { ...token, 'x-vault-wrap-ttl': 'soon' }],
      ['OPTIONS', '/v1/secret/data/same', token],
      ['GET', '/nothing-here', token],
    ];
    for (const [method, url, headers, body] of cases) {
      const a = normalise(await viaExpress(method, url, headers, body));
      const b = normalise(await direct(method, url, headers, body));
      assert.deepEqual(b, a, `${method} ${url}`);
    }
  });

  it('refuses a traversal path as the HTTP listener does (the injected path would resolve it)', async () => {
    const r = await direct('GET', '/v1/secret/data/../x', { 'x-vault-token': srv.rootToken });
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body).errors[0], /segments are not allowed/);
  });

  it('writes land as through express, and the response says so in the same shape', async () => {
    const token = { 'x-vault-token': srv.rootToken, 'content-type': 'application/json' };
    const a = normalise(await viaExpress('POST', '/v1/secret/data/w1', token, '{"data":{"k":"v"}}'));
    const b = normalise(await direct('POST', '/v1/secret/data/w2', token, '{"data":{"k":"v"}}'));
    assert.deepEqual(b, a);
    const read = await direct('GET', '/v1/secret/data/w2', token);
    assert.equal(JSON.parse(read.body).data.data.k, 'v');
  });

  it('hands back null, having done nothing, on a node that is not active', async () => {
    const standby = buildApp({ ...srv.node, isActive: () => false } as unknown as typeof srv.node);
    const r = await standby.dispatch({
      method: 'POST',
      url: '/v1/secret/data/never',
      headers: { 'x-vault-token': srv.rootToken },
      body: Buffer.from('{"data":{"k":"v"}}'),
      remoteAddress: '127.0.0.1',
      remotePort: 1,
      forwardedFrom: 'standby-1',
    });
    assert.equal(r, null);
    assert.equal((await direct('GET', '/v1/secret/data/never', { 'x-vault-token': srv.rootToken })).status, 404);
  });
});
