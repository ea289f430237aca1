import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { FrameworkBackend } from '../src/framework/framework-backend.js';
import type { BackendContext, LogicalBackend } from '../src/logical/backend.js';
import type { Node } from '../src/node.js';
import { request, testCoreUnsealed } from '../src/testing.js';

/** Storage whose lease reads wait until the test opens the gate: a restore that takes as long as the test wants. */
class GatedLeaseStorage extends InmemBackend {
  private open = true;
  private release: () => void = () => {};
  private gate: Promise<void> = Promise.resolve();
  closeGate(): void {
    this.open = false;
    this.gate = new Promise((r) => (this.release = r));
  }
  openGate(): void {
    this.open = true;
    this.release();
  }
  override async get(key: string): Promise<Uint8Array | null> {
    if (!this.open && key.includes('sys/expire/id/')) await this.gate;
    return super.get(key);
  }
}

const revoked = new Set<string>();

/** An engine whose secrets record their revocation. */
async function leasingEngine(_ctx: BackendContext): Promise<LogicalBackend> {
  return new FrameworkBackend({
    class: 'secret',
    help: 'test engine',
    paths: [{ pattern: 'lease/.*', operations: { read: async () => ({ data: {} }) } }],
    secrets: [
      {
        type: 'thing',
        revoke: async (_req, secret) => {
          revoked.add(String(secret.internalData?.n));
        },
      },
    ],
  });
}

describe('restoring many leases on becoming active', () => {
  const COUNT = 10_000;
  let node: Node;
  let root: string;
  let unsealKey: string;
  let storage: GatedLeaseStorage;
  before(async () => {
    storage = new GatedLeaseStorage();
    ({ core: node, rootToken: root, unsealKey } = await testCoreUnsealed({ storage, secretEngines: { leasing: leasingEngine } }));
    await request(node, 'update', 'sys/mounts/l', root, { type: 'leasing' });
    const register = (n: number, ttl: number) =>
      node.expiration.register({ path: `l/lease/${n}`, clientToken: root }, { secret: { ttl, renewable: false, internalData: { secret_type: 'thing', n } } });
    for (let i = 0; i < COUNT; i += 250) await Promise.all(Array.from({ length: Math.min(250, COUNT - i) }, (_, k) => register(i + k, 3600)));
    // A few that end soon after the node is back.
    for (let n = COUNT; n < COUNT + 5; n++) await register(n, 6);
  });
  after(() => node.shutdown());

  it('serves at once while the leases are still being restored, and every lease keeps its timer', async () => {
    await node.seal();
    storage.closeGate();
    await node.unseal(unsealKey);
    await node.waitActive();
    // Active and serving with not one lease read yet.
    assert.equal(node.expiration.pendingTimers, 0);
    const served = await request(node, 'read', 'sys/mounts', root);
    assert.ok(served.data?.['l/']);
    storage.openGate();

    const deadline = Date.now() + 60_000;
    while (node.expiration.pendingTimers < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(node.expiration.pendingTimers >= COUNT, `${node.expiration.pendingTimers} timers armed`);

    // The short leases still end on time (6 s after they were issued), among 10,000 others.
    while (revoked.size < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...revoked].sort(), ['10000', '10001', '10002', '10003', '10004']);
  });
});
