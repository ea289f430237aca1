import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ClusterListener, ForwardingClient, ForwardingError, generateClusterIdentity, type ClusterIdentity } from '../src/cluster/index.js';
import type { ForwardedHttpRequest } from '../src/cluster/forwarding-service.js';
import type { DirectDispatch } from '../src/http/direct-dispatch.js';
import { leader, waitFor } from './cluster-helpers.js';

/** A request the active holds unanswered until the test answers it. */
interface Held {
  url: string;
  answer(body: string): void;
  cancelled?: AbortSignal;
}

/** The active's HTTP API: answers at once, or holds requests to `/v1/hold/*` until the test answers them. */
function dispatch(held: Held[]): DirectDispatch {
  return (req) =>
    new Promise((resolve) => {
      const answer = (body: string | Buffer): void =>
        resolve({ status: 200, headers: [['content-type', 'application/octet-stream']], body: Buffer.from(body) });
      if (req.url.startsWith('/v1/hold/')) held.push({ url: req.url, answer, ...(req.cancelled ? { cancelled: req.cancelled } : {}) });
      else answer(req.url === '/v1/echo' ? req.body : String(req.body.length));
    });
}

const get = (url: string, body = Buffer.alloc(0)): ForwardedHttpRequest => ({
  method: body.length ? 'POST' : 'GET',
  url,
  headers: [],
  body,
  remoteAddress: '::1',
  remotePort: 1,
});

describe('cluster transport', () => {
  let identity: ClusterIdentity;
  let listener: ClusterListener;
  let address = '';
  const held: Held[] = [];
  const clients: ForwardingClient[] = [];
  const client = (): ForwardingClient => {
    const c = new ForwardingClient({ nodeId: 'standby-t', heartbeatMs: 1000 });
    c.setLeader(leader(address, identity));
    clients.push(c);
    return c;
  };

  before(async () => {
    identity = await generateClusterIdentity();
    listener = new ClusterListener({ identity, addresses: ['127.0.0.1:0'], dispatch: dispatch(held), nodeId: 'active-t' });
    [address = ''] = await listener.start();
  });

  after(async () => {
    for (const c of clients) c.close();
    await listener.stop();
  });

  test('concurrent forwards share the connection without waiting for one another', async () => {
    const c = client();
    const n = 20;
    const replies = Array.from({ length: n }, (_, i) => c.forward(get(`/v1/hold/${i}`)));
    // Every request reaches the active while none has been answered: nothing is serialised behind another.
    const deadline = Date.now() + 5000;
    while (held.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(held.length, n);
    for (const h of held.splice(0)) h.answer(h.url);
    const bodies = (await Promise.all(replies)).map((r) => r.body.toString()).sort();
    assert.deepEqual(bodies, Array.from({ length: n }, (_, i) => `/v1/hold/${i}`).sort());
  });

  test('a body of several MiB goes over and back whole', async () => {
    const c = client();
    const body = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
    body[0] = 1;
    const r = await c.forward(get('/v1/echo', body));
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(body));
  });

  test('a forward past its deadline fails, and not as a transport error (the active may have acted)', async () => {
    const c = client();
    const started = Date.now();
    await assert.rejects(
      c.forward(get('/v1/hold/late'), { timeoutMs: 200 }),
      (err: unknown) => err instanceof ForwardingError && !err.transport && err.grpcCode === grpc.status.DEADLINE_EXCEEDED,
    );
    assert.ok(Date.now() - started < 2000);
    // The active's late answer goes nowhere, and the link carries on.
    held.pop()?.answer('late');
    assert.equal((await c.forward(get('/v1/x'))).status, 200);
  });

  test('a cancelled forward rejects at once, and the active abandons the request', async () => {
    const c = client();
    const abort = new AbortController();
    const p = c.forward(get('/v1/hold/cancelled', Buffer.from('body')), { signal: abort.signal });
    await waitFor(() => held.length === 1, 5000);
    abort.abort();
    await assert.rejects(p, (err: unknown) => err instanceof ForwardingError && !err.transport && err.grpcCode === grpc.status.CANCELLED);
    const [h] = held.splice(0);
    // As when a client closes its connection: the active learns that nobody waits for the answer.
    await waitFor(() => h!.cancelled?.aborted === true, 5000);

    // The same through the cancel function the HTTP layer holds instead of a signal.
    let cancel: (() => void) | undefined;
    const q = c.forward(get('/v1/hold/cancelled-2'), { cancelWith: (fn) => (cancel = fn) });
    await waitFor(() => held.length === 1, 5000);
    cancel?.();
    await assert.rejects(q, (err: unknown) => err instanceof ForwardingError && !err.transport && err.grpcCode === grpc.status.CANCELLED);
    held.splice(0);
    // A call answered before its cancel function runs stays answered.
    const r = await c.forward(get('/v1/x'), { cancelWith: (fn) => (cancel = fn) });
    cancel?.();
    assert.equal(r.status, 200);
  });

  test('a forward waiting for a connection that never completes gives up at its deadline', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = new ForwardingClient({ nodeId: 'standby-s', heartbeatMs: 60_000 });
      clients.push(c);
      c.setLeader(leader(`127.0.0.1:${(silent.address() as AddressInfo).port}`, identity));
      const started = Date.now();
      await assert.rejects(c.forward(get('/v1/x'), { timeoutMs: 300 }), (err: unknown) => err instanceof ForwardingError && err.grpcCode === grpc.status.DEADLINE_EXCEEDED);
      assert.ok(Date.now() - started < 2000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('a client whose active went away reconnects to it once it is back', async () => {
    const id = await generateClusterIdentity();
    const l = new ClusterListener({ identity: id, addresses: ['127.0.0.1:0'], dispatch: dispatch(held), nodeId: 'active-r' });
    const [addr = ''] = await l.start();
    const c = new ForwardingClient({ nodeId: 'standby-r', heartbeatMs: 100 });
    clients.push(c);
    c.setLeader(leader(addr, id));
    assert.equal((await c.forward(get('/v1/x'))).status, 200);
    await l.stop();
    await assert.rejects(c.forward(get('/v1/x'), { timeoutMs: 2000 }), (err: unknown) => err instanceof ForwardingError && err.transport);
    const again = new ClusterListener({ identity: id, addresses: [addr], dispatch: dispatch(held), nodeId: 'active-r' });
    await again.start();
    try {
      const deadline = Date.now() + 5000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = await c.forward(get('/v1/x'), { timeoutMs: 1000 }).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 200);
    } finally {
      await again.stop();
    }
  });
});
