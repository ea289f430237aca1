import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  captureRequest,
  ClusterIdentityStore,
  ClusterListener,
  CLUSTER_IDENTITY_PATH,
  ForwardingClient,
  ForwardingError,
  generateClusterIdentity,
  identityAdvertisement,
  writeForwardedResponse,
  type ClusterIdentity,
} from '../src/cluster/index.js';
import type { DirectDispatch } from '../src/http/direct-dispatch.js';
import { echoMethod } from '../src/cluster/forwarding-service.js';
import { issueLeaf, leader, median, tlsAttempt, waitFor } from './cluster-helpers.js';

/** The active's HTTP API in these tests: echoes what arrived, as the real HTTP layer would see it. */
const echoDispatch: DirectDispatch = async (req) => {
  if (req.url === '/v1/binary') {
    return {
      status: 202,
      headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-type', 'application/octet-stream']],
      body: Buffer.from([0, 255, 1, 254, 0x80]),
    };
  }
  const body = Buffer.from(
    JSON.stringify({
      method: req.method,
      url: req.url,
      body: req.body.toString('base64'),
      headers: req.headers,
      remoteAddress: req.remoteAddress,
      remotePort: req.remotePort,
      forwardedFrom: req.forwardedFrom,
    }),
  );
  return {
    status: 201,
    headers: [['x-multi', 'one'], ['x-multi', 'two'], ['content-type', 'application/json'], ['content-length', String(body.length)], ['connection', 'close']],
    body,
  };
};

describe('cluster forwarding transport', () => {
  let identity: ClusterIdentity;
  let listener: ClusterListener | null = null;
  let address = '';
  const clients: ForwardingClient[] = [];

  const client = (id: ClusterIdentity = identity, heartbeatMs = 100): ForwardingClient => {
    const c = new ForwardingClient({ nodeId: 'standby-1', heartbeatMs });
    c.setLeader(leader(address, id));
    clients.push(c);
    return c;
  };

  before(async () => {
    identity = await generateClusterIdentity();
    listener = new ClusterListener({ identity, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'active-1' });
    [address = ''] = await listener.start();
  });

  after(async () => {
    for (const c of clients) c.close();
    await listener?.stop();
  });

  test('the identity is a self-signed P-256 CA for server and client auth, stored once in the barrier', async () => {
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(identity.certPem);
    assert.equal(cert.ca, true);
    assert.match(cert.subject, /^CN=fw-[0-9a-f-]{36}$/);
    assert.equal(cert.subjectAltName, `DNS:${identity.serverName}`);
    assert.deepEqual(cert.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(Date.parse(cert.validFrom) <= Date.now() - 29_000, 'backdated for clock skew');
    assert.ok(Date.parse(cert.validTo) > Date.now() + 20 * 365 * 86_400_000, 'long validity');

    const data = new Map<string, Uint8Array>();
    const storage = { get: async (k: string) => data.get(k) ?? null, put: async (k: string, v: Uint8Array) => void data.set(k, v) };
    const store = new ClusterIdentityStore(storage);
    const first = await store.loadOrCreate();
    const second = await store.loadOrCreate();
    assert.equal(second.certPem, first.certPem, 'an existing identity is reused');
    const stored = JSON.parse(Buffer.from(data.get(CLUSTER_IDENTITY_PATH)!).toString());
    assert.match(stored.cert, /^-----BEGIN CERTIFICATE-----/);
    assert.match(stored.key, /^-----BEGIN PRIVATE KEY-----/);
    assert.deepEqual(Object.keys(identityAdvertisement(first)).sort(), ['cluster_cert', 'cluster_key']);

    data.set(CLUSTER_IDENTITY_PATH, Buffer.from('{"cert":"garbage","key":"garbage"}'));
    const replaced = await store.loadOrCreate();
    assert.notEqual(replaced.certPem, first.certPem, 'an unusable stored identity is replaced');
  });

  test('a POST with a body and a query is relayed exactly, marked as forwarded, with the client address', async () => {
    const c = client();
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0x00, 0xff]);
    const reply = await c.forward({
      method: 'POST',
      url: '/v1/secret/data/app?version=2&x=%20y',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Vault-Token', 's.token'],
        ['X-Repeat', 'a'],
        ['X-Repeat', 'b'],
        ['Connection', 'keep-alive'],
        ['X-Strongroom-Forwarded-From', 'forged'],
      ],
      body,
      remoteAddress: '203.0.113.7',
      remotePort: 51234,
    });
    assert.equal(reply.status, 201);
    const headerValues = (n: string) => reply.headers.filter(([k]) => k === n).map(([, v]) => v);
    assert.deepEqual(headerValues('x-multi'), ['one', 'two']);
    assert.deepEqual(headerValues('content-type'), ['application/json']);
    assert.deepEqual(headerValues('connection'), [], 'hop-by-hop headers of the answer stay on the active');
    assert.deepEqual(headerValues('content-length'), [String(reply.body.length)]);
    const seen = JSON.parse(reply.body.toString());
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/v1/secret/data/app?version=2&x=%20y');
    assert.equal(Buffer.from(seen.body, 'base64').toString('hex'), body.toString('hex'));
    assert.equal(seen.headers['x-vault-token'], 's.token');
    assert.equal(seen.headers['x-repeat'], 'a, b');
    assert.equal(seen.headers['content-length'], String(body.length));
    assert.equal(seen.headers['connection'], undefined, 'hop-by-hop headers stay on their hop');
    assert.equal(seen.headers['user-agent'], undefined, 'no invented user agent');
    assert.equal(seen.remoteAddress, '203.0.113.7');
    assert.equal(seen.remotePort, 51234);
    assert.equal(seen.forwardedFrom, 'standby-1', 'the origin comes from the cluster hop, never from a header');
  });

  test('binary bodies, repeated response headers and LIST pass unchanged', async () => {
    const c = client();
    const reply = await c.forward({ method: 'GET', url: '/v1/binary', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 });
    assert.equal(reply.status, 202);
    assert.deepEqual(reply.body, Buffer.from([0, 255, 1, 254, 0x80]));
    assert.deepEqual(reply.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
    const list = await c.forward({ method: 'LIST', url: '/v1/secret/metadata/', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 });
    assert.equal(JSON.parse(list.body.toString()).method, 'LIST');
  });

  test('through real HTTP on both ends: status, headers and body reach the client as the active wrote them', async () => {
    const c = client();
    const standby = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        c.forward(captureRequest(req, { body: Buffer.concat(chunks) })).then(
          (reply) => writeForwardedResponse(res, reply),
          () => res.writeHead(599).end(),
        );
      });
    });
    standby.listen(0, '127.0.0.1');
    await once(standby, 'listening');
    try {
      const port = (standby.address() as AddressInfo).port;
      const binary = await fetch(`http://127.0.0.1:${port}/v1/binary`);
      assert.equal(binary.status, 202);
      assert.deepEqual(binary.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.deepEqual(Buffer.from(await binary.arrayBuffer()), Buffer.from([0, 255, 1, 254, 0x80]));
      const echoed = await fetch(`http://127.0.0.1:${port}/v1/kv/a?list=true`, { method: 'PUT', body: '{"v":1}', headers: { 'x-vault-token': 't' } });
      assert.equal(echoed.status, 201);
      assert.equal(echoed.headers.get('x-multi'), 'one, two');
      const seen = (await echoed.json()) as { method: string; url: string; body: string; remoteAddress: string; headers: Record<string, string> };
      assert.equal(seen.method, 'PUT');
      assert.equal(seen.url, '/v1/kv/a?list=true');
      assert.equal(Buffer.from(seen.body, 'base64').toString(), '{"v":1}');
      assert.equal(seen.remoteAddress, '127.0.0.1');
      assert.equal(seen.headers['host'], `127.0.0.1:${port}`, 'the client\'s Host header is kept');
    } finally {
      standby.close();
    }
  });

  test('the heartbeat reports healthy, then unhealthy once the listener stops', async () => {
    const id = await generateClusterIdentity();
    const l = new ClusterListener({ identity: id, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'active-2' });
    const [addr = ''] = await l.start();
    const c = new ForwardingClient({ nodeId: 'standby-2', heartbeatMs: 100 });
    clients.push(c);
    assert.deepEqual(c.health(), { ha_connection_healthy: false, last_request_forwarding_heartbeat_ms: 0 });
    c.setLeader(leader(addr, id, { cluster_node_id: 'active-2' }));
    await waitFor(() => c.health().ha_connection_healthy, 3000);
    assert.ok(c.canForward());
    assert.ok(c.health().last_request_forwarding_heartbeat_ms < 200);
    await l.stop();
    await waitFor(() => !c.health().ha_connection_healthy, 3000);
    assert.ok(c.health().last_request_forwarding_heartbeat_ms > 200);
    await assert.rejects(
      c.forward({ method: 'GET', url: '/v1/x', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 }, { timeoutMs: 2000 }),
      (err: unknown) => err instanceof ForwardingError && err.transport,
    );
  });

  test('the link counts as unhealthy (474) only once heartbeats started and stopped succeeding', async () => {
    const id = await generateClusterIdentity();
    const l = new ClusterListener({ identity: id, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'active-474' });
    const [addr = ''] = await l.start();
    const c = new ForwardingClient({ nodeId: 'standby-474', heartbeatMs: 100 });
    clients.push(c);
    assert.equal(c.unhealthy(), false, 'no link: nothing to be unhealthy about');
    c.setLeader(leader(addr, id, { cluster_node_id: 'active-474' }));
    assert.equal(c.unhealthy(), false, 'just connected: within the window');
    await waitFor(() => c.health().ha_connection_healthy, 3000);
    assert.equal(c.unhealthy(), false);
    await l.stop();
    await waitFor(() => c.unhealthy(), 3000);
    c.setLeader(null);
    assert.equal(c.unhealthy(), false, 'the link is gone with the leader');
  });

  test('a heartbeat answered by another node than the advertised active does not count as healthy', async () => {
    const c = new ForwardingClient({ nodeId: 'standby-3', heartbeatMs: 50 });
    clients.push(c);
    c.setLeader(leader(address, identity, { cluster_node_id: 'someone-else' }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.health().ha_connection_healthy, false);
  });

  test('a new leader is picked up without restart and the old channel is closed', async () => {
    const id2 = await generateClusterIdentity();
    const l2 = new ClusterListener({ identity: id2, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'active-3' });
    const [addr2 = ''] = await l2.start();
    try {
      const c = client();
      await waitFor(() => c.health().ha_connection_healthy, 3000);
      c.setLeader(leader(addr2, id2, { cluster_node_id: 'active-3' }));
      assert.equal(c.target(), addr2);
      assert.equal(c.health().ha_connection_healthy, false, 'health starts over with the new leader');
      await waitFor(() => c.health().ha_connection_healthy, 3000);
      const r = await c.forward({ method: 'GET', url: '/v1/y', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 });
      assert.equal(r.status, 201);
      c.setLeader(null);
      assert.equal(c.canForward(), false);
      await assert.rejects(
        c.forward({ method: 'GET', url: '/v1/y', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 }),
        (err: unknown) => err instanceof ForwardingError && err.transport,
      );
    } finally {
      await l2.stop();
    }
  });

  test('a TLS client presenting another self-signed certificate is refused at the handshake', async () => {
    const other = await generateClusterIdentity();
    const [host = '', port = ''] = address.split(':');
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const r = await tlsAttempt({ host, port: Number(port), ca: identity.certPem, cert: other.certPem, key: other.keyPem, servername: identity.serverName, maxVersion });
      assert.ok(r.error, `${maxVersion}: refused`);
      assert.equal(r.gotData, false);
      assert.match(r.error.message, /alert|certificate|ECONNRESET|socket hang up|before secure TLS connection/i);
      if (maxVersion === 'TLSv1.2') assert.equal(r.secure, false, 'TLS 1.2: the handshake never completes');
    }
    // The same through gRPC: a standby holding another identity never reaches the handler.
    const c = client(other);
    await assert.rejects(
      c.forward({ method: 'GET', url: '/v1/x', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 }, { timeoutMs: 3000 }),
      (err: unknown) => err instanceof ForwardingError && err.transport,
    );
    assert.equal(c.health().ha_connection_healthy, false);
  });

  test('a TLS client with no certificate, or speaking TLS 1.1, is refused', async () => {
    const [host = '', port = ''] = address.split(':');
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const r = await tlsAttempt({ host, port: Number(port), ca: identity.certPem, servername: identity.serverName, maxVersion });
      assert.ok(r.error, `${maxVersion} without a certificate: refused`);
      if (maxVersion === 'TLSv1.2') assert.equal(r.secure, false, 'TLS 1.2: the handshake never completes');
      assert.equal(r.gotData, false);
    }
    const old = await tlsAttempt({
      host, port: Number(port), ca: identity.certPem, cert: identity.certPem, key: identity.keyPem, servername: identity.serverName,
      minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0',
    });
    assert.ok(old.error, 'TLS 1.1 refused');
    assert.match(old.error.message, /protocol version|no protocols available|unsupported protocol/i);
    assert.equal(old.secure, false);
  });

  test('pinning: a server certificate signed by the cluster key but not the advertised one is refused', async () => {
    const leaf = await issueLeaf(identity);
    // The chain is valid for the cluster CA, so only pinning can refuse it.
    const impostor = new ClusterListener({ identity: leaf, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'impostor' });
    const [addr = ''] = await impostor.start();
    try {
      const [host = '', port = ''] = addr.split(':');
      const chain = await tlsAttempt({ host, port: Number(port), ca: identity.certPem, servername: leaf.serverName, maxVersion: 'TLSv1.3', expectServerOnly: true });
      assert.equal(chain.secure, true, 'the impostor certificate verifies against the cluster CA');
      const c = client();
      c.setLeader(leader(addr, identity));
      await assert.rejects(
        c.forward({ method: 'GET', url: '/v1/x', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 }, { timeoutMs: 3000 }),
        (err: unknown) => err instanceof ForwardingError && err.transport,
      );
    } finally {
      await impostor.stop();
    }
  });

  test('pinning on the server: a client certificate signed by the cluster key but not the cluster certificate is refused', async () => {
    const leaf = await issueLeaf(identity);
    const creds = grpc.credentials.createSsl(Buffer.from(identity.certPem), Buffer.from(leaf.keyPem), Buffer.from(leaf.certPem), {
      checkServerIdentity: () => undefined,
    });
    const raw = new grpc.Client(address, creds, { 'grpc.ssl_target_name_override': identity.serverName });
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(echoMethod.path, echoMethod.requestSerialize, echoMethod.responseDeserialize, { nodeId: 'x', time: 0 }, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (e) => resolve(e)),
      );
      assert.equal(err?.code, grpc.status.UNAUTHENTICATED);
    } finally {
      raw.close();
    }
  });

  test('a client whose advertised certificate does not match the server is refused', async () => {
    const other = await generateClusterIdentity();
    const c = new ForwardingClient({ nodeId: 'standby-4', heartbeatMs: 100 });
    clients.push(c);
    c.setLeader(leader(address, other));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(c.health().ha_connection_healthy, false);
    await assert.rejects(
      c.forward({ method: 'GET', url: '/v1/x', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 }, { timeoutMs: 3000 }),
      (err: unknown) => err instanceof ForwardingError && err.transport,
    );
  });

  test('a listener answers forwarded requests only while the node is active', async () => {
    let active = true;
    const l = new ClusterListener({ identity, addresses: ['127.0.0.1:0'], dispatch: echoDispatch, nodeId: 'active-4', isActive: () => active });
    const [addr = ''] = await l.start();
    try {
      const c = client();
      c.setLeader(leader(addr, identity));
      const req = { method: 'GET', url: '/v1/x', headers: [], body: Buffer.alloc(0), remoteAddress: '::1', remotePort: 1 };
      assert.equal((await c.forward(req)).status, 201);
      active = false;
      await assert.rejects(c.forward(req), (err: unknown) => err instanceof ForwardingError && err.transport && err.grpcCode === grpc.status.UNAVAILABLE);
    } finally {
      await l.stop();
    }
  });

  test('latency: forwarded requests against serving them directly', async () => {
    const c = client();
    const req = { method: 'POST', url: '/v1/secret/data/bench?x=1', headers: [['content-type', 'application/json']] as [string, string][], body: Buffer.from('{"data":{"k":"v"}}'), remoteAddress: '127.0.0.1', remotePort: 1 };
    for (let i = 0; i < 20; i++) await c.forward(req);
    const direct: number[] = [];
    const forwarded: number[] = [];
    for (let i = 0; i < 200; i++) {
      let t = performance.now();
      const d = await echoDispatch({ ...req, headers: { 'content-type': 'application/json' }, forwardedFrom: 'standby-1' });
      direct.push(performance.now() - t);
      assert.equal(d?.status, 201);
      t = performance.now();
      const f = await c.forward(req);
      forwarded.push(performance.now() - t);
      assert.equal(f.status, 201);
    }
    // Node's TAP reporter prints a test's stdout as `# ...` lines: this reads `# forwarding: direct p50 ...`.
    const line = `forwarding: direct p50 ${median(direct).toFixed(3)} ms, forwarded p50 ${median(forwarded).toFixed(3)} ms`;
    console.log(line);
    assert.ok(median(forwarded) < 50, line);
  });
});
