import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { installListShim } from '../src/index.js';
import { RawClient } from './raw-client.js';

const HEADERS_TIMEOUT = 300;
const REQUEST_TIMEOUT = 700;

/** Time from `t0` until the server closed `c`, with what it sent. */
async function closedAfter(c: RawClient, t0: number): Promise<{ ms: number; status: number }> {
  const status = await c.read().then((r) => r.status, () => 0);
  await c.waitClosed();
  return { ms: Date.now() - t0, status };
}

/** A taken-over LIST connection is held to the same limits as any other connection of the server. */
describe('LIST shim limits', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer({ headersTimeout: HEADERS_TIMEOUT, requestTimeout: REQUEST_TIMEOUT, connectionsCheckingInterval: 50 }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    installListShim(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  for (const [name, bytes, limit] of [
    ['a request line that never ends', 'LIST /v1/x HTTP/1.1', HEADERS_TIMEOUT],
    ['headers that never end', 'LIST /v1/x HTTP/1.1\r\nHost: a\r\n', HEADERS_TIMEOUT],
    ['a body that never comes', 'LIST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', REQUEST_TIMEOUT],
  ] as const) {
    it(`closes a stalled LIST connection with ${name} (408)`, { timeout: 3000 }, async () => {
      const c = await RawClient.open(url);
      const t0 = Date.now();
      c.write(bytes);
      const { ms, status } = await closedAfter(c, t0);
      assert.equal(status, 408);
      assert.ok(ms >= limit - 50 && ms < limit + 1500, `closed after ${ms}ms`);
    });
  }

  it('answers a parser error after the LIST line with 400 and closes', { timeout: 3000 }, async () => {
    const c = await RawClient.open(url);
    c.write('LIST /v1/x HTTP/1.1\r\nBad Header\r\n\r\n');
    const { ms, status } = await closedAfter(c, Date.now());
    assert.equal(status, 400);
    assert.ok(ms < 1000, `closed after ${ms}ms`);
  });

  it('still serves a LIST that completes in time', async () => {
    const c = await RawClient.open(url);
    c.write('LIST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc');
    assert.equal((await c.read()).status, 200);
    await c.waitClosed();
  });

  it('counts a held LIST connection against maxConnections until it is closed', { timeout: 3000 }, async () => {
    server.maxConnections = 1;
    try {
      const held = await RawClient.open(url);
      held.write('LIST /v1/x HTTP/1.1\r\nHost: a\r\n');
      await new Promise((r) => setTimeout(r, 50));
      const refused = await RawClient.open(url);
      refused.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      await refused.waitClosed();
      await held.waitClosed();
      const next = await RawClient.open(url);
      next.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.equal((await next.read()).status, 200);
      next.close();
    } finally {
      server.maxConnections = Infinity;
    }
  });
});
