import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_ONLY_CONSUL_SETTINGS, startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';
import { initAndUnseal, request, sleep, startNodes, stopNodes, unseal, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

// Three Strongroom nodes (separate processes) over a real 3-server Consul on loopback. Test-only Consul settings:
// TEST_ONLY_CONSUL_SETTINGS. Node settings chosen for a quick drill: lock_check_ttl 2s (the health check a crashed
// or frozen active stops refreshing), lock_delay 0s (safe because every write is fenced).
let consul: ConsulCluster;
let nodes: StrongroomNode[];
let keys: string[];
let token: string;
const acknowledged = new Map<string, number>();

before(async () => {
  console.log(`# consul (test-only: ${TEST_ONLY_CONSUL_SETTINGS.join(', ')})`);
  consul = await startConsulCluster(3);
  nodes = await startNodes(consul, 3);
  ({ keys, rootToken: token } = await initAndUnseal(nodes));
  const active = await waitForActive(nodes);
  const r = await nodes[active]!.http('POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } }, { 'x-vault-token': token });
  assert.equal(r.status, 204, r.text);
});

after(async () => {
  await stopNodes(nodes ?? []);
  await consul?.stop();
});

async function healthCodes(): Promise<number[]> {
  return Promise.all(nodes.map((n) => (n.alive ? n.http('GET', '/v1/sys/health').then((r) => r.status, () => 0) : Promise.resolve(0))));
}

/** Writes through whichever node is active until stopped; records every write the cluster acknowledged. */
function writerLoop(label: string): { stop: () => Promise<number> } {
  let running = true;
  let n = 0;
  const done = (async () => {
    while (running) {
      const key = `${label}-${n++}`;
      for (const node of nodes) {
        if (!node.alive) continue;
        const r = await node
          .http('POST', `/v1/secret/data/drill/${key}`, { data: { v: key } }, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' })
          .catch(() => null);
        if (r?.status === 200) {
          acknowledged.set(key, r.body.data.version);
          break;
        }
      }
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return n;
    },
  };
}

async function gapUntilActive(except: number, started: number): Promise<{ index: number; ms: number }> {
  const index = await waitForActive(nodes, 60_000, except);
  return { index, ms: Date.now() - started };
}

test('exactly one node is active (200), the other two are standbys (429), and leader info agrees', async () => {
  const codes = await healthCodes();
  assert.deepEqual([...codes].sort(), [200, 429, 429], `health codes ${codes}`);
  const active = codes.indexOf(200);
  for (const n of nodes) {
    let leader = await n.http('GET', '/v1/sys/leader');
    // A standby learns the leader from the lock and the advertisement shortly after it unsealed.
    for (let i = 0; i < 100 && leader.body.leader_address === ''; i++) {
      await sleep(50);
      leader = await n.http('GET', '/v1/sys/leader');
    }
    assert.equal(leader.status, 200);
    assert.equal(leader.body.ha_enabled, true);
    assert.equal(leader.body.is_self, n.index === active);
    assert.equal(leader.body.leader_address, nodes[active]!.apiAddr);
  }
  const standby = nodes.find((n) => n.index !== active)!;
  const ok = await standby.http('GET', '/v1/sys/health?standbyok=true');
  assert.equal(ok.status, 200);
  const custom = await standby.http('GET', '/v1/sys/health?standbycode=299');
  assert.equal(custom.status, 299);
  assert.equal(custom.body.standby, true);
  const head = await request(standby.apiAddr, 'HEAD', '/v1/sys/health');
  assert.equal(head.status, 429);
  const redirected = await standby.http('GET', '/v1/secret/data/x?version=1', undefined, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' });
  assert.equal(redirected.status, 307);
  assert.equal(redirected.headers.get('location'), `${nodes[active]!.apiAddr}/v1/secret/data/x?version=1`);
});

test('a sealed node answers 503 and never becomes a standby; unsealed again it is one', async () => {
  const codes = await healthCodes();
  const standby = nodes[codes.indexOf(429)]!;
  // sys/seal on a standby is refused (Vault: restart instead); a restart brings it back sealed.
  await standby.stop();
  await standby.start();
  assert.equal((await standby.http('GET', '/v1/sys/health')).status, 503);
  assert.equal((await standby.http('GET', '/v1/sys/health?sealedcode=298')).status, 298);
  assert.equal((await standby.http('GET', '/v1/sys/leader')).status, 503);
  const services = await fetch(`http://${consul.addresses[0]}/v1/health/service/strongroom?passing=true`).then((r) => r.json() as Promise<{ Service: { Port: number; Tags: string[] } }[]>);
  assert.ok(!services.some((s) => standby.apiAddr.endsWith(`:${s.Service.Port}`)), 'a sealed node is not a passing service');
  await unseal(standby, keys);
  for (let i = 0; i < 100 && (await standby.http('GET', '/v1/sys/health')).status !== 429; i++) await sleep(50);
  assert.equal((await standby.http('GET', '/v1/sys/health')).status, 429);
});

test('an uninitialized node answers 501', async () => {
  const extra = await startNodes(consul, 1, { storageExtra: 'path = "other-cluster/"' }).catch(() => null);
  if (!extra) return;
  try {
    // A second `path` line overrides the first: this node sees an empty prefix.
    const h = await extra[0]!.http('GET', '/v1/sys/health');
    assert.equal(h.status, 501);
    assert.equal(h.body.initialized, false);
  } finally {
    await stopNodes(extra);
  }
});

test('Consul service registration tags the active node and only it', async () => {
  const active = await waitForActive(nodes);
  const port = new URL(nodes[active]!.apiAddr).port;
  let rows: { Service: { Port: number; Tags: string[] } }[] = [];
  for (let i = 0; i < 60; i++) {
    rows = (await fetch(`http://${consul.addresses[0]}/v1/health/service/strongroom?passing=true&tag=active`).then((r) => r.json())) as typeof rows;
    if (rows.length === 1 && String(rows[0]!.Service.Port) === port) break;
    await sleep(100);
  }
  assert.equal(rows.length, 1);
  assert.equal(String(rows[0]!.Service.Port), port);
});

test('step-down hands over to a standby; no acknowledged write is lost', async () => {
  const writer = writerLoop('stepdown');
  await sleep(300);
  const old = await waitForActive(nodes);
  const started = Date.now();
  const r = await nodes[old]!.http('PUT', '/v1/sys/step-down', undefined, { 'x-vault-token': token });
  assert.equal(r.status, 204, r.text);
  const { index, ms } = await gapUntilActive(old, started);
  console.log(`# failover: step-down handed over from node ${old} to node ${index} in ${ms} ms`);
  await sleep(300);
  await writer.stop();
  assert.notEqual(index, old);
  assert.equal((await nodes[old]!.http('GET', '/v1/sys/health')).status, 429);
});

test('kill -9 of the active: a standby becomes active', async () => {
  const writer = writerLoop('kill');
  await sleep(300);
  const old = await waitForActive(nodes);
  const started = Date.now();
  nodes[old]!.kill('SIGKILL');
  const { index, ms } = await gapUntilActive(old, started);
  console.log(`# failover: kill -9 of node ${old}; node ${index} active after ${ms} ms`);
  // The dead node stops refreshing its catalog check: it leaves the passing `active` answers within check_timeout.
  const port = new URL(nodes[old]!.apiAddr).port;
  let passing = true;
  while (passing && Date.now() - started < 15_000) {
    const rows = (await fetch(`http://${consul.addresses[0]}/v1/health/service/strongroom?passing=true`).then((r) => r.json())) as { Service: { Port: number } }[];
    passing = rows.some((r) => String(r.Service.Port) === port);
    if (passing) await sleep(100);
  }
  console.log(`# catalog: the killed node's registration went critical ${Date.now() - started} ms after kill -9`);
  assert.equal(passing, false, 'the dead node is still a passing service');
  await sleep(300);
  await writer.stop();
  await nodes[old]!.start();
  await unseal(nodes[old]!, keys);
});

test('SIGSTOP of the active past its session: a standby takes over; the frozen node never completes a write', async () => {
  const writer = writerLoop('stop');
  await sleep(300);
  const old = await waitForActive(nodes);
  const frozen = nodes[old]!;
  const started = Date.now();
  frozen.kill('SIGSTOP');
  // A write sent to the frozen node sits in its socket buffer until it wakes up.
  const pending = frozen
    .http('POST', '/v1/secret/data/drill/from-frozen', { data: { v: 'frozen' } }, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' })
    .catch((e: Error) => ({ status: 0, text: e.message, body: null }));
  const { index, ms } = await gapUntilActive(old, started);
  console.log(`# failover: SIGSTOP of node ${old}; node ${index} active after ${ms} ms`);
  await sleep(1000);
  frozen.kill('SIGCONT');
  const late = await pending;
  console.log(`# fencing: the write held by the frozen node answered ${late.status} after SIGCONT`);
  assert.notEqual(late.status, 200, 'the deposed active acknowledged a write');
  await writer.stop();
  const read = await nodes[index]!.http('GET', '/v1/secret/data/drill/from-frozen', undefined, { 'x-vault-token': token });
  assert.equal(read.status, 404, 'the deposed active wrote to storage');
  for (let i = 0; i < 100 && (await frozen.http('GET', '/v1/sys/health')).status !== 429; i++) await sleep(50);
  assert.equal((await frozen.http('GET', '/v1/sys/health')).status, 429);
});

test("Consul's Raft leader killed: the cluster recovers and the active serves again", async () => {
  const leader = await consul.leaderAgent();
  leader.kill('SIGKILL');
  const started = Date.now();
  const writer = writerLoop('consul-leader');
  let served = false;
  while (!served && Date.now() - started < 60_000) {
    const active = await waitForActive(nodes, 60_000).catch(() => -1);
    if (active >= 0) {
      const r = await nodes[active]!.http('POST', '/v1/secret/data/drill/after-consul', { data: { v: 1 } }, { 'x-vault-token': token }).catch(() => null);
      served = r?.status === 200;
    }
    if (!served) await sleep(100);
  }
  console.log(`# consul leader killed: a write was acknowledged again after ${Date.now() - started} ms`);
  await writer.stop();
  assert.ok(served);
  await leader.restart();
});

test('partition: the active cut off from its Consul agent stops serving and a standby takes over', async () => {
  const writer = writerLoop('partition');
  await sleep(300);
  const old = await waitForActive(nodes);
  const agent = consul.agents[old % consul.agents.length]!;
  const started = Date.now();
  // A frozen agent answers nothing: the node can neither refresh its check nor learn that it lost the lock.
  agent.process.kill('SIGSTOP');
  try {
    // Watch the cut-off node from the start: when does it stop answering as the active?
    const stopped = (async () => {
      while (Date.now() - started < 30_000) {
        const h = await nodes[old]!.http('GET', '/v1/sys/health').catch(() => null);
        if (h && h.status !== 200) return Date.now() - started;
        await sleep(50);
      }
      return 0;
    })();
    const { index, ms } = await gapUntilActive(old, started);
    console.log(`# failover: node ${old} cut off from Consul; node ${index} active after ${ms} ms`);
    const stoppedAt = await stopped;
    console.log(`# partition: the cut-off active stopped answering as active after ${stoppedAt} ms`);
    assert.ok(stoppedAt > 0, 'the cut-off node went on claiming to be active');
    const w = await nodes[old]!.http('POST', '/v1/secret/data/drill/from-partitioned', { data: { v: 1 } }, { 'x-vault-token': token, 'x-vault-no-request-forwarding': 'true' }).catch(() => null);
    assert.notEqual(w?.status, 200, 'the cut-off node acknowledged a write');
  } finally {
    agent.process.kill('SIGCONT');
    await consul.waitForLeader(30_000);
  }
  await writer.stop();
  for (let i = 0; i < 200 && (await nodes[old]!.http('GET', '/v1/sys/health')).status !== 429; i++) await sleep(50);
  assert.equal((await nodes[old]!.http('GET', '/v1/sys/health')).status, 429);
});

test('every acknowledged write of the drills reads back', async () => {
  const active = await waitForActive(nodes);
  assert.ok(acknowledged.size > 20, `only ${acknowledged.size} writes acknowledged`);
  const lost: string[] = [];
  for (const [key, version] of acknowledged) {
    const r = await nodes[active]!.http('GET', `/v1/secret/data/drill/${key}`, undefined, { 'x-vault-token': token });
    if (r.status !== 200 || r.body.data.data.v !== key || r.body.data.metadata.version !== version) lost.push(key);
  }
  console.log(`# ${acknowledged.size} acknowledged writes across the drills, ${lost.length} lost`);
  assert.deepEqual(lost, []);
});
