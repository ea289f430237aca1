import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import nodeVault from 'node-vault';
import { startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';
import { initAndUnseal, sleep, startNodes, stopNodes, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

// Three node processes over a real Consul dev agent; clients talk only to a standby, which forwards every request
// to the active over the mutual-TLS cluster link.
let consul: ConsulCluster;
let nodes: StrongroomNode[];
let rootToken: string;
let active: number;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-fwd-'));

before(async () => {
  consul = await startConsulDev();
  nodes = await startNodes(consul, 3);
  ({ rootToken } = await initAndUnseal(nodes));
  active = await waitForActive(nodes);
  for (const n of nodes) {
    if (n.index === active) continue;
    // Wait until the standby's link to the active is up.
    for (let i = 0; i < 200; i++) {
      const h = await n.http('GET', '/v1/sys/health?standbyok=true');
      if (h.body?.ha_connection_healthy === true) break;
      await sleep(50);
    }
  }
});

after(async () => {
  await stopNodes(nodes ?? []);
  await consul?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function standby(): StrongroomNode {
  return nodes.find((n) => n.index !== active && n.alive)!;
}

test('node-vault, pointed at a standby, does its everyday work through forwarding', async () => {
  const s = standby();
  const health = await s.http('GET', '/v1/sys/health');
  assert.equal(health.status, 429);
  assert.equal(health.body.ha_connection_healthy, true);
  assert.equal(typeof health.body.last_request_forwarding_heartbeat_ms, 'number');

  const auditFile = path.join(tmp, 'audit.log');
  const vault = nodeVault({ apiVersion: 'v1', endpoint: s.apiAddr, token: rootToken });
  await vault.write('sys/audit/file', { type: 'file', options: { file_path: auditFile } });
  await vault.mount({ mount_point: 'kv1', type: 'kv', options: { version: '1' } });
  await vault.mount({ mount_point: 'kv2', type: 'kv', options: { version: '2' } });
  await vault.write('kv1/app/db', { password: 's3cr3t-v1' });
  assert.equal((await vault.read('kv1/app/db')).data.password, 's3cr3t-v1');
  assert.deepEqual((await vault.list('kv1/app')).data.keys, ['db']);
  await vault.write('kv2/data/app/api', { data: { key: 's3cr3t-v2' } });
  assert.equal((await vault.read('kv2/data/app/api')).data.data.key, 's3cr3t-v2');
  assert.deepEqual((await vault.list('kv2/metadata/app')).data.keys, ['api']);
  await vault.delete('kv1/app/db');
  await assert.rejects(vault.read('kv1/app/db'), (e: { response?: { statusCode: number } }) => e.response?.statusCode === 404);

  await vault.addPolicy({ name: 'app', rules: 'path "kv2/data/app/*" { capabilities = ["read"] }' });
  const created = await nodeVault({ apiVersion: 'v1', endpoint: s.apiAddr, token: rootToken }).tokenCreate({ policies: ['app'] });
  const app = nodeVault({ apiVersion: 'v1', endpoint: s.apiAddr, token: created.auth.client_token });
  assert.equal((await app.read('kv2/data/app/api')).data.data.key, 's3cr3t-v2');
  await assert.rejects(app.read('kv1/app/db'), (e: Error & { response?: { statusCode: number } }) => e.response?.statusCode === 403 && /permission denied/.test(e.message));

  const wrapped = await vault.request({ path: '/sys/wrapping/wrap', method: 'POST', json: { secret: 'wrapped-value' }, headers: { 'X-Vault-Wrap-TTL': '60s' } });
  const unwrapped = await vault.unwrap({ token: wrapped.wrap_info.token });
  assert.equal(unwrapped.data.secret, 'wrapped-value');

  // The active logged the forwarded requests, marked as forwarded from this standby.
  const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; forwarded_from?: string; request: { path: string; remote_address?: string } });
  const requests = entries.filter((e) => e.type === 'request' && e.request.path === 'kv2/data/app/api');
  assert.ok(requests.length >= 2);
  for (const e of requests) {
    assert.ok(e.forwarded_from, 'audit entry marks the request as forwarded');
    assert.equal(e.request.remote_address, '127.0.0.1');
  }
});

test('X-Vault-No-Request-Forwarding gets a 307 to the active, path and query kept', async () => {
  const r = await standby().http('GET', '/v1/kv2/data/app/api?version=1', undefined, { 'x-vault-token': rootToken, 'x-vault-no-request-forwarding': 'true' });
  assert.equal(r.status, 307);
  assert.equal(r.headers.get('location'), `${nodes[active]!.apiAddr}/v1/kv2/data/app/api?version=1`);
});

test('after a failover the remaining standby forwards to the new active without a restart', async () => {
  const old = active;
  nodes[old]!.kill('SIGKILL');
  active = await waitForActive(nodes, 60_000, old);
  const s = standby();
  const started = Date.now();
  let r = await s.http('GET', '/v1/kv2/data/app/api', undefined, { 'x-vault-token': rootToken });
  while (r.status !== 200 && Date.now() - started < 30_000) {
    await sleep(50);
    r = await s.http('GET', '/v1/kv2/data/app/api', undefined, { 'x-vault-token': rootToken });
  }
  console.log(`# forwarding: standby ${s.index} forwarded to the new active ${active} ${Date.now() - started} ms after it took over`);
  assert.equal(r.status, 200);
  assert.equal(r.body.data.data.key, 's3cr3t-v2');
  const leader = await s.http('GET', '/v1/sys/leader');
  assert.equal(leader.body.leader_address, nodes[active]!.apiAddr);
});

test('forwarded requests cost little latency over direct ones', async () => {
  const s = standby();
  const a = nodes[active]!;
  const time = async (n: StrongroomNode) => {
    const t: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await n.http('GET', '/v1/kv2/data/app/api', undefined, { 'x-vault-token': rootToken });
      t.push(performance.now() - t0);
    }
    return t.sort((x, y) => x - y)[50]!;
  };
  const direct = await time(a);
  const forwarded = await time(s);
  console.log(`# forwarding: direct p50 ${direct.toFixed(2)} ms, forwarded p50 ${forwarded.toFixed(2)} ms`);
  assert.ok(forwarded > 0 && direct > 0);
});
