import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedBackend, InmemBackend } from '../src/index.js';

const text = (v: Uint8Array | null): string | null => (v ? Buffer.from(v).toString() : null);
const bytes = (s: string): Uint8Array => Buffer.from(s);

/** A backend whose next read answers only when the test says, with what it saw when the read arrived. */
class SlowReads extends InmemBackend {
  private held: (() => void)[] = [];
  holdReads = false;
  override async get(key: string): Promise<Uint8Array | null> {
    const seen = await super.get(key);
    if (this.holdReads) await new Promise<void>((r) => this.held.push(r));
    return seen;
  }
  releaseReads(): void {
    for (const r of this.held.splice(0)) r();
  }
}

describe('the active node\'s read cache', () => {
  it('never keeps what a read found when a write of the same key happened while the read was out', async () => {
    const inner = new SlowReads();
    const cache = new CachedBackend(inner);
    cache.setEnabled(true);
    await inner.put('k', bytes('old'));

    inner.holdReads = true;
    const slowRead = cache.get('k');
    await new Promise((r) => setImmediate(r));
    inner.holdReads = false;
    await cache.put('k', bytes('new'));
    inner.releaseReads();
    assert.equal(text(await slowRead), 'old', 'the read itself was concurrent with the write');
    assert.equal(text(await cache.get('k')), 'new', 'and what it found was not cached over the write');
  });

  it('the same for a delete and for a transaction', async () => {
    for (const write of ['delete', 'transaction'] as const) {
      const inner = new SlowReads();
      const cache = new CachedBackend(inner);
      cache.setEnabled(true);
      await inner.put('k', bytes('old'));
      inner.holdReads = true;
      const slowRead = cache.get('k');
      await new Promise((r) => setImmediate(r));
      inner.holdReads = false;
      if (write === 'delete') await cache.delete('k');
      else await cache.transaction([{ op: 'put', key: 'k', value: bytes('txn') }]);
      inner.releaseReads();
      await slowRead;
      assert.equal(text(await cache.get('k')), write === 'delete' ? null : 'txn', write);
    }
  });

  it('still caches a read nothing raced with', async () => {
    const inner = new SlowReads();
    const cache = new CachedBackend(inner);
    cache.setEnabled(true);
    await inner.put('k', bytes('v'));
    assert.equal(text(await cache.get('k')), 'v');
    await inner.put('k', bytes('behind the cache'));
    assert.equal(text(await cache.get('k')), 'v', 'served from the cache');
  });
});
