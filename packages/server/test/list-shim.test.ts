import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { installListShim, rewriteListLine } from '../src/index.js';
import { RawClient } from './raw-client.js';

/** An echo server: method, URL, body and client address of every request, as JSON. */
function echoServer(): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString(),
        remote: req.socket.remoteAddress,
      });
      res.setHeader('Content-Type', 'application/json');
      res.end(body);
    });
  });
  installListShim(server);
  return server;
}

describe('LIST shim', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = echoServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('rewrites the request line to GET ?list=true and keeps the rest of the query', () => {
    assert.equal(rewriteListLine('LIST /v1/secret/metadata/ HTTP/1.1\r'), 'GET /v1/secret/metadata/?list=true HTTP/1.1\r\nConnection: close\r\n');
    assert.equal(rewriteListLine('LIST /v1/a?x=1&list=false&y=2 HTTP/1.1'), 'GET /v1/a?x=1&y=2&list=true HTTP/1.1\r\nConnection: close\r\n');
    assert.equal(rewriteListLine('LIST nonsense'), null);
  });

  it('serves a raw LIST request as a list and closes that connection after the response', async () => {
    const c = await RawClient.open(url);
    c.send('LIST', '/v1/secret/metadata/');
    const r = await c.read();
    assert.equal(r.status, 200);
    assert.equal(r.headers['connection'], 'close');
    const echoed = JSON.parse(r.body);
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.url, '/v1/secret/metadata/?list=true');
    assert.match(echoed.remote, /127\.0\.0\.1/);
    await c.waitClosed();
  });

  it('serves a LIST after normal requests with bodies on the same keep-alive connection', async () => {
    const c = await RawClient.open(url);
    c.send('POST', '/v1/secret/data/a', { 'Content-Type': 'application/json' }, '{"data":{"x":1}}');
    const first = await c.read();
    assert.equal(JSON.parse(first.body).body, '{"data":{"x":1}}');
    c.send('PUT', '/v1/secret/data/b', {}, '{"data":{"y":2}}');
    assert.equal(JSON.parse((await c.read()).body).method, 'PUT');
    c.send('LIST', '/v1/secret/metadata?foo=bar');
    const listed = JSON.parse((await c.read()).body);
    assert.equal(listed.url, '/v1/secret/metadata?foo=bar&list=true');
    await c.waitClosed();
  });

  it('handles several LIST requests in a row, each on its own connection, interleaved with writes', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await RawClient.open(url);
      c.send('POST', `/v1/kv/item-${i}`, {}, JSON.stringify({ n: i }));
      assert.equal(JSON.parse((await c.read()).body).body, JSON.stringify({ n: i }));
      c.send('LIST', `/v1/kv/folder-${i}/`);
      assert.equal(JSON.parse((await c.read()).body).url, `/v1/kv/folder-${i}/?list=true`);
      await c.waitClosed();
    }
  });

  it('passes a LIST body through to the handler, even when it arrives in pieces', async () => {
    const c = await RawClient.open(url);
    c.write('LIST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc');
    await new Promise((r) => setTimeout(r, 30));
    c.write('def');
    const echoed = JSON.parse((await c.read()).body);
    assert.equal(echoed.body, 'abcdef');
    c.close();
  });

  it("accepts LIST from Node's own client, which sends it as written", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${url}/v1/auth/token/accessors`, { method: 'LIST' }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(body).url, '/v1/auth/token/accessors?list=true');
  });

  it('answers another unknown method with 405 and a normal request still works afterwards', async () => {
    const c = await RawClient.open(url);
    c.send('FROB', '/v1/secret/x');
    const r = await c.read();
    assert.equal(r.status, 405);
    assert.deepEqual(JSON.parse(r.body), { errors: [] });
    c.close();
    const d = await RawClient.open(url);
    d.send('GET', '/v1/ok');
    assert.equal((await d.read()).status, 200);
    d.close();
  });

  it('answers a malformed request with 400, as Node does', async () => {
    const c = await RawClient.open(url);
    c.write('GET /v1/x HTTP/1.1\r\nBad Header\r\n\r\n');
    assert.equal((await c.read()).status, 400);
    c.close();
  });
});
