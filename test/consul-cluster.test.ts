import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConsulBackend } from '@strongroom/storage';
import { TEST_ONLY_CONSUL_SETTINGS, consulVersion, startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';

// A real 3-server Consul on 127.0.0.1/.2/.3. Settings that differ from production: TEST_ONLY_CONSUL_SETTINGS.
let cluster: ConsulCluster;
const backends: ConsulBackend[] = [];

before(async () => {
  console.log(`# 3-server cluster of ${consulVersion()} (test-only: ${TEST_ONLY_CONSUL_SETTINGS.join(', ')})`);
  cluster = await startConsulCluster(3);
});
after(async () => {
  for (const b of backends) await b.close();
  await cluster?.stop();
});

function on(i: number): ConsulBackend {
  const b = new ConsulBackend({ address: cluster.addresses[i], path: 'cluster-test/' });
  backends.push(b);
  return b;
}

test('a write through one server is read through the others, and survives the loss of the Raft leader', async () => {
  await on(0).put('a/b', new TextEncoder().encode('replicated'));
  for (const i of [1, 2]) assert.equal(Buffer.from((await on(i).get('a/b'))!).toString(), 'replicated');

  const leader = await cluster.leaderAgent();
  leader.kill('SIGKILL');
  const survivor = cluster.agents.findIndex((a) => a !== leader);
  const started = Date.now();
  // Followers keep naming the dead leader until they time it out: wait until a read goes through.
  let value: Uint8Array | null = null;
  while (value === null) {
    assert.ok(Date.now() - started < 30_000, 'no new Raft leader within 30 s');
    value = await on(survivor).get('a/b').catch(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return null;
    });
  }
  console.log(`# consul: cluster served a read ${Date.now() - started} ms after SIGKILL of the Raft leader`);
  assert.equal(Buffer.from(value).toString(), 'replicated');
  await leader.restart();
});

test('stopping the cluster leaves no Consul process behind', async () => {
  const pids = cluster.agents.map((a) => a.process.pid!);
  await cluster.stop();
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `consul ${pid} still running`);
  }
});
