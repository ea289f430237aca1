import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { CONSUL_MAX_VALUE_BYTES, ConsulBackend, ConsulClient, FencedError } from '@strongroom/storage';
import { consulVersion, exerciseBackend, exerciseLock, startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';

// A real Consul dev agent (see TEST_ONLY_CONSUL_SETTINGS: session_ttl_min lowered to 1s for tests).
let consul: ConsulCluster;
const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
let n = 0;
const backends: ConsulBackend[] = [];
function backend(prefix: string, extra: Partial<ConstructorParameters<typeof ConsulBackend>[0]> = {}): ConsulBackend {
  const b = new ConsulBackend({ address: consul.addresses[0], path: prefix, checkTtl: '2s', sessionTtl: '10s', lockDelay: '0s', ...extra });
  backends.push(b);
  return b;
}

before(async () => {
  console.log(`# consul storage tests against ${consulVersion()}`);
  consul = await startConsulDev();
});
after(async () => {
  for (const b of backends) await b.close();
  await consul?.stop();
});

exerciseBackend('consul', async () => backend(`conf${n++}/`), { maxValueBytes: CONSUL_MAX_VALUE_BYTES, enforcesValueLimit: true });

exerciseLock('consul', {
  async makePair() {
    const prefix = `lock${n++}/`;
    return [backend(prefix), backend(prefix)];
  },
  async killHolder(b, key) {
    // Destroy the holder's session behind its back, as Consul does when the holder's node fails.
    const cb = b as ConsulBackend;
    const { pair } = await cb.client.kvGet(cb.path + key);
    assert.ok(pair?.session);
    await cb.client.sessionDestroy(pair.session);
  },
});

test('consul: keys live under the configured prefix', async () => {
  const b = backend('custom-prefix/');
  await b.put('x/y', new TextEncoder().encode('v'));
  const client = new ConsulClient({ address: consul.addresses[0] });
  const { pair } = await client.kvGet('custom-prefix/x/y');
  client.close();
  assert.equal(pair?.value.toString(), 'v');
});

test('consul lock: a holder process killed with SIGKILL loses the lock once its health check lapses', async () => {
  const prefix = `crash${n++}/`;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fixture('lock-holder.ts'), consul.addresses[0]!, prefix],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    const b = backend(prefix);
    const lock = b.lock('core/lock', 'parent');
    assert.equal((await lock.holder()).value, 'child');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await lock.acquire();
    const gap = Date.now() - killedAt;
    console.log(`# consul: SIGKILLed holder replaced after ${gap} ms (check TTL 2s, session TTL 30s)`);
    assert.ok(gap < 30_000, 'replaced well before the session TTL');
    await lock.release();
  } finally {
    child.kill('SIGKILL');
  }
});

test('consul: a deposed holder cannot write even before it notices', async () => {
  const prefix = `fence${n++}/`;
  const a = backend(prefix);
  await a.lock('core/lock', 'a').acquire();
  const { pair } = await a.client.kvGet(`${prefix}core/lock`);
  // Take the lock away and write immediately: Consul's check-session refuses the transaction.
  await a.client.sessionDestroy(pair!.session!);
  await assert.rejects(a.put('k', new Uint8Array([1])), FencedError);
});
