import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';
import { findHaproxy, startHaproxy, type Haproxy } from './helpers/haproxy.js';
import { initAndUnseal, request, sleep, startNodes, stopNodes, unseal, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

// The loopback lab's load balancer, run for real: Debian's HAProxy with the docker-compose lab's configuration
// (deploy/haproxy.cfg) in front of three Strongroom nodes over a real 3-server Consul. It must follow sys/health:
// the active frontend reaches only the active node, before and after a step-down and a SIGKILL.
const skip = !findHaproxy() && 'haproxy not installed';
let consul: ConsulCluster;
let nodes: StrongroomNode[];
let lb: Haproxy;
let keys: string[];
let token: string;

/** The servers HAProxy has UP in a backend, as its stats page reports them (`strongroom-1` is node 0). */
async function upServers(backend: string): Promise<number[]> {
  const csv = await (await fetch(`${lb.statsUrl};csv`)).text();
  const [header, ...rows] = csv.trim().split('\n');
  const cols = header!.replace(/^# /, '').split(',');
  const [px, sv, st] = ['pxname', 'svname', 'status'].map((c) => cols.indexOf(c)) as [number, number, number];
  return rows
    .map((r) => r.split(','))
    .filter((r) => r[px] === backend && r[sv]!.startsWith('strongroom-') && r[st] === 'UP')
    .map((r) => Number(r[sv]!.slice('strongroom-'.length)) - 1);
}

/** Polls until the active backend has exactly the node `index` UP; returns how long that took from `since`. */
async function lbFollows(index: number, since: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await upServers('strongroom_active').catch(() => [])).join() === String(index)) return Date.now() - since;
    await sleep(50);
  }
  throw new Error(`HAProxy did not route to node ${index} alone within 30 s (up: ${await upServers('strongroom_active')})`);
}

before(async () => {
  if (skip) return;
  consul = await startConsulCluster(3);
  nodes = await startNodes(consul, 3);
  ({ keys, rootToken: token } = await initAndUnseal(nodes));
  const active = await waitForActive(nodes);
  await nodes[active]!.http('POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } }, { 'x-vault-token': token });
  lb = await startHaproxy(nodes.map((n) => n.apiAddr));
});

after(async () => {
  await lb?.stop();
  await stopNodes(nodes ?? []);
  await consul?.stop();
});

test('HAProxy routes the active frontend to the active node only, and follows a step-down and a SIGKILL', { skip }, async () => {
  let active = await waitForActive(nodes);
  await lbFollows(active, Date.now());
  const write = await request(lb.activeUrl, 'POST', '/v1/secret/data/lb', { data: { v: 1 } }, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' });
  assert.equal(write.status, 200, 'a write through the load balancer lands on the active, unforwarded');

  let started = Date.now();
  assert.equal((await nodes[active]!.http('PUT', '/v1/sys/step-down', undefined, { 'x-vault-token': token })).status, 204);
  let next = await waitForActive(nodes, 30_000, active);
  console.log(`# step-down: HAProxy followed in ${await lbFollows(next, started)} ms`);

  started = Date.now();
  const killed = next;
  nodes[killed]!.kill('SIGKILL');
  next = await waitForActive(nodes, 30_000, killed);
  console.log(`# kill -9: HAProxy followed in ${await lbFollows(next, started)} ms`);
  active = next;

  const read = await request(lb.activeUrl, 'GET', '/v1/secret/data/lb', undefined, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' });
  assert.equal(read.status, 200);
  assert.equal(read.body.data.data.v, 1);

  // The reads backend has every unsealed node UP, standbys included; the restarted node joins once unsealed.
  await nodes[killed]!.start();
  const deadline = Date.now() + 20_000;
  while ((await upServers('strongroom_reads')).includes(killed) && Date.now() < deadline) await sleep(100);
  assert.ok(!(await upServers('strongroom_reads')).includes(killed), 'a sealed node is out of the reads backend');
  await unseal(nodes[killed]!, keys);
  while ((await upServers('strongroom_reads')).length < 3 && Date.now() < deadline) await sleep(100);
  assert.deepEqual((await upServers('strongroom_reads')).sort(), [0, 1, 2], 'every unsealed node serves reads');
  assert.deepEqual(await upServers('strongroom_active'), [active], 'and only the active takes the active frontend');
  const viaReads = await request(lb.readsUrl, 'GET', '/v1/secret/data/lb', undefined, { 'x-vault-token': token });
  assert.equal(viaReads.status, 200);
});
