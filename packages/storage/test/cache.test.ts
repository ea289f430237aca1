import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedBackend, InmemBackend, type TxnOp } from '@strongroom/storage';

/** An in-memory backend whose reads answer late: a read started before a write returns the value from before it. */
class SlowReads extends InmemBackend {
  override async get(key: string): Promise<Uint8Array | null> {
    const v = await super.get(key);
    await new Promise((r) => setTimeout(r, 20));
    return v;
  }
}

const text = (v: Uint8Array | null) => (v ? Buffer.from(v).toString() : null);

for (const [name, write] of [
  ['put', (c: CachedBackend) => c.put('k', Buffer.from('new'))],
  ['transaction', (c: CachedBackend) => c.transaction([{ op: 'put', key: 'k', value: Buffer.from('new') } as TxnOp])],
] as const) {
  test(`cache: a read that raced a ${name} does not keep the old value`, async () => {
    const c = new CachedBackend(new SlowReads());
    c.setEnabled(true);
    await c.put('k', Buffer.from('old'));
    c.clear();
    const racing = c.get('k');
    await write(c);
    assert.equal(text(await racing), 'old', 'the racing read itself may see the old value');
    assert.equal(text(await c.get('k')), 'new', 'but later reads see the write');
  });
}

test('cache: reads with no write in flight are cached', async () => {
  const inner = new InmemBackend();
  const c = new CachedBackend(inner);
  c.setEnabled(true);
  await c.put('k', Buffer.from('v'));
  await c.get('k');
  await inner.put('k', Buffer.from('behind the cache'));
  assert.equal(text(await c.get('k')), 'v');
});
