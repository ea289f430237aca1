import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Node } from '@strongroom/core';
import { InmemBackend, InmemStore } from '@strongroom/storage';
import { freePorts } from '@strongroom/storage/testing';
import express from 'express';
import { Registry } from 'prom-client';
import { CLUSTER_IDENTITY_PATH, installClustering, type Clustering } from '../src/cluster/index.js';
import { waitFor } from './cluster-helpers.js';

interface TestNode {
  node: Node;
  clustering: Clustering;
  server: Server;
  api: string;
  registry: Registry;
}

/** What a node's HTTP API would answer, in these tests: who served the request, and how it got there. */
function served(node: Node, req: { remoteAddress?: string; body: Buffer; forwardedFrom?: string; headers: Record<string, unknown> }, extra = {}) {
  return {
    served_by: node.id,
    forwarded_from: req.forwardedFrom ?? null,
    remote_address: req.remoteAddress,
    forged_header: req.headers['x-strongroom-forwarded-from'] ?? null,
    body: req.body.toString(),
    ...extra,
  };
}

/** A node as runServer would wire it, with a stand-in for the HTTP layer's routes. */
async function startNode(store: InmemStore, apiPort: number, clusterPort: number): Promise<TestNode> {
  const api = `http://127.0.0.1:${apiPort}`;
  const node = new Node({ storage: new InmemBackend(store), apiAddr: api, clusterAddr: `https://127.0.0.1:${clusterPort}`, stepDownWaitMs: 300 });
  const registry = new Registry();
  const clustering = installClustering({
    node,
    // The active's side: forwarded requests arrive here, never through express.
    dispatch: async (d) => {
      if (!node.isActive()) return null;
      return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(served(node, d))) };
    },
    clusterListenAddress: `127.0.0.1:${clusterPort}`,
    heartbeatMs: 100,
    registry,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(express.raw({ type: () => true, limit: '32mb' }));
  app.use(async (req, res) => {
    const path = req.path.replace(/^\/v1\//, '');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      if (node.isStandby() && path !== 'sys/health') {
        await clustering.serveStandby(req, res, body);
        return;
      }
      const r = { remoteAddress: req.socket.remoteAddress, body, headers: req.headers };
      res.json(served(node, r, path === 'sys/health' ? node.linkHealth() : {}));
    } catch (err) {
      res.status(503).json({ errors: [(err as Error).message], code: (err as { code?: string }).code });
    }
  });
  const server = createServer(app);
  server.listen(apiPort, '127.0.0.1');
  await once(server, 'listening');
  return { node, clustering, server, api, registry };
}

describe('installClustering on two nodes sharing one storage', () => {
  const store = new InmemStore();
  let a: TestNode;
  let b: TestNode;
  let unsealKey = '';
  let rootToken = '';
  let clusterB = '';

  before(async () => {
    const [apiA, apiB, clA, clB] = (await freePorts(4)) as [number, number, number, number];
    a = await startNode(store, apiA, clA);
    b = await startNode(store, apiB, clB);
    clusterB = `https://127.0.0.1:${clB}`;
    const init = await a.node.initialize({ secret_shares: 1, secret_threshold: 1 });
    unsealKey = init.keys_base64[0]!;
    rootToken = init.root_token;
    await a.node.unseal(unsealKey);
    await a.node.waitActive();
    await b.node.unseal(unsealKey);
    await waitFor(() => b.clustering.forwarder.health().ha_connection_healthy, 5000);
  });

  after(async () => {
    for (const n of [a, b]) {
      await n.clustering.close();
      await n.node.shutdown();
      n.server.close();
    }
  });

  test('the active publishes its cluster identity only through the barrier', async () => {
    assert.ok(await a.node.barrier.get(CLUSTER_IDENTITY_PATH));
    const ad = JSON.parse(Buffer.from((await a.node.barrier.get(`core/leader/${a.node.id}`))!).toString());
    assert.match(ad.cluster_cert, /BEGIN CERTIFICATE/);
    assert.match(ad.cluster_key, /BEGIN PRIVATE KEY/);
    assert.equal(ad.cluster_node_id, a.node.id);
    for (const [key, value] of store.data) {
      assert.ok(!Buffer.from(value).includes('PRIVATE KEY'), `${key} holds the key in the clear`);
    }
    assert.equal(a.clustering.listenerAddresses().length, 1);
    assert.deepEqual(b.clustering.listenerAddresses(), []);
  });

  test('a standby forwards to the active; the active sees the standby and the client address', async () => {
    const res = await fetch(`${b.api}/v1/secret/data/app?version=2`, { method: 'POST', body: '{"data":{"k":"v"}}', headers: { 'x-strongroom-forwarded-from': 'forged' } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['served_by'], a.node.id);
    assert.equal(body['forwarded_from'], b.node.id);
    assert.equal(body['remote_address'], '127.0.0.1');
    assert.equal(body['body'], '{"data":{"k":"v"}}');
    assert.equal(body['forged_header'], 'forged', 'a client header is only a header: the origin comes from the cluster hop');
  });

  test('a direct request cannot claim to be forwarded', async () => {
    const res = await fetch(`${a.api}/v1/secret/x`, { headers: { 'x-strongroom-forwarded-from': 'forged' } });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['forwarded_from'], null);
  });

  test('standby health carries the forwarding link state; local paths stay local', async () => {
    const res = await fetch(`${b.api}/v1/sys/health`);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['served_by'], b.node.id);
    assert.equal(body['ha_connection_healthy'], true);
    assert.equal(typeof body['last_request_forwarding_heartbeat_ms'], 'number');
    assert.match(await b.registry.metrics(), /strongroom_ha_forwarded_requests_total\{outcome="ok"\} [1-9]/);
  });

  test('sys/ha-status on the active lists itself and the standby its heartbeats came from', async () => {
    const r = await a.node.handleRequest({ id: '', operation: 'read', path: 'sys/ha-status', data: {}, clientToken: rootToken, headers: {} });
    const nodes = r.data?.nodes as Record<string, unknown>[];
    assert.equal(nodes.length, 2);
    const [active, standby] = nodes as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(active.active_node, true);
    assert.equal(active.api_address, a.api);
    assert.equal(active.last_echo, null);
    assert.equal(standby.active_node, false);
    assert.equal(standby.api_address, b.api);
    assert.equal(standby.cluster_address, clusterB);
    assert.equal(standby.version, active.version);
    assert.ok(Date.now() - Date.parse(String(standby.last_echo)) < 1000, `last_echo ${String(standby.last_echo)} is recent`);
    for (const n of nodes) {
      for (const k of ['hostname', 'api_address', 'cluster_address', 'active_node', 'last_echo', 'version', 'upgrade_version', 'redundancy_zone']) {
        assert.ok(k in n, `${k} in ${JSON.stringify(n)}`);
      }
    }
  });

  test('X-Vault-No-Request-Forwarding: 307 to the active, path and query kept', async () => {
    const res = await fetch(`${b.api}/v1/secret/data/app?version=2`, { headers: { 'X-Vault-No-Request-Forwarding': 'true' }, redirect: 'manual' });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), `${a.api}/v1/secret/data/app?version=2`);
    assert.equal(await res.text(), '');
  });

  test('after a step-down the new active serves and the old one forwards to it, without restart', async () => {
    await a.node.stepDown();
    await b.node.waitActive(10_000);
    await waitFor(() => a.clustering.forwarder.health().ha_connection_healthy, 10_000);
    assert.deepEqual(a.clustering.listenerAddresses(), [], 'the old active closed its listener');
    const res = await fetch(`${a.api}/v1/secret/data/app`, { method: 'PUT', body: 'x' });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['served_by'], b.node.id);
    assert.equal(body['forwarded_from'], a.node.id);
  });

  test('a new active starts its member list over and hears from the old one', async () => {
    const list = async (): Promise<Record<string, unknown>[]> =>
      (await b.node.handleRequest({ id: '', operation: 'read', path: 'sys/ha-status', data: {}, clientToken: rootToken, headers: {} })).data
        ?.nodes as Record<string, unknown>[];
    let nodes = await list();
    for (let i = 0; i < 100 && nodes.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      nodes = await list();
    }
    const [active, standby] = nodes as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(active.api_address, b.api);
    assert.equal(standby.api_address, a.api);
  });

  test('a sealed standby drops its link to the active at once', async () => {
    await a.node.seal();
    // Announced by the seal itself: no polling, no wait.
    assert.equal(a.clustering.forwarder.target(), null);
    assert.equal(a.clustering.forwarder.canForward(), false);
    assert.deepEqual(a.node.linkHealth(), { ha_connection_healthy: false, last_request_forwarding_heartbeat_ms: 0 });
  });
});
