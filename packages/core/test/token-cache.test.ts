import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InmemBackend, type Backend, type TxnOp } from '@strongroom/storage';
import { silentLogger } from '../src/util/logger.js';
import { ExpirationManager } from '../src/expiration/expiration-manager.js';
import { TokenStore } from '../src/token/token-store.js';
import { ManualTime } from './support/manual-time.js';

/** Storage that can hold back the answer of its next read, to interleave a lookup with a write; counts entry reads. */
class GatedBackend extends InmemBackend {
  entryReads = 0;
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** The next read gets its value at once but answers only on `open`. */
  holdNextRead(): void {
    this.gate = new Promise((r) => (this.release = r));
  }

  open(): void {
    this.release?.();
  }

  override async get(key: string): Promise<Uint8Array | null> {
    if (key.startsWith('id/')) this.entryReads++;
    const value = await super.get(key);
    const gate = this.gate;
    this.gate = null;
    if (gate) await gate;
    return value;
  }
}

async function setup(storage: Backend = new InmemBackend()) {
  const time = new ManualTime();
  const system = { defaultLeaseTTL: () => 3600, maxLeaseTTL: () => 86400, now: () => time.clock.now() };
  const ref: { tokens?: TokenStore } = {};
  const expiration = new ExpirationManager({
    storage: new InmemBackend(),
    clock: time.clock,
    logger: silentLogger,
    limits: system,
    timers: time,
    router: { revokeSecret: async () => undefined, renewSecret: async () => null, revokeToken: (id: string) => ref.tokens!.revokeTree(id) },
  });
  const tokens = new TokenStore({ storage, clock: time.clock, logger: silentLogger, expiration, systemView: system, timers: time });
  ref.tokens = tokens;
  await tokens.setup();
  return { tokens, time };
}

describe('TokenStore: cached token entries', () => {
  it('serves repeated lookups of a token from memory', async () => {
    const storage = new GatedBackend();
    const { tokens } = await setup(storage);
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600 });
    await tokens.lookup(t.id);
    const reads = storage.entryReads;
    for (let i = 0; i < 5; i++) assert.equal((await tokens.lookup(t.id))?.id, t.id);
    assert.equal(storage.entryReads, reads);
  });

  it('a revoked token is refused at once, though it was just looked up', async () => {
    const { tokens } = await setup();
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600 });
    assert.ok(await tokens.lookup(t.id));
    await tokens.revokeTree(t.id);
    assert.equal(await tokens.lookup(t.id), null);
    assert.equal(await tokens.lookupInFlight(t.id), null);
  });

  it('a limited-use token gets exactly its uses, each one seen by the next lookup', async () => {
    const { tokens } = await setup();
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600, numUses: 2 });
    const first = await tokens.useToken((await tokens.lookup(t.id))!);
    assert.equal(first?.numUses, 1);
    assert.equal((await tokens.lookup(t.id))?.numUses, 1);
    const deferred: (() => Promise<void>)[] = [];
    await tokens.useToken((await tokens.lookup(t.id))!, deferred);
    assert.equal(await tokens.lookup(t.id), null, 'the last use was taken');
    for (const d of deferred) await d();
    assert.equal(await tokens.lookupInFlight(t.id), null, 'and the token is gone');
  });

  it('a renewal is seen by the next lookup', async () => {
    const { tokens, time } = await setup();
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 60 });
    const before = (await tokens.lookup(t.id))!.expireTime;
    time.now += 30_000;
    await tokens.renew(t.id, 3600);
    assert.ok((await tokens.lookup(t.id))!.expireTime > before);
  });

  it('a lookup that read the entry before a revocation landed does not keep the stale entry', async () => {
    const storage = new GatedBackend();
    const { tokens } = await setup(storage);
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600 });
    storage.holdNextRead();
    const slow = tokens.lookup(t.id);
    await new Promise((r) => setImmediate(r));
    await tokens.revokeTree(t.id);
    storage.open();
    assert.equal((await slow)?.id, t.id, 'the lookup that started first saw the token');
    assert.equal(await tokens.lookup(t.id), null);
  });

  it('hands out copies: changing a returned entry changes nothing stored', async () => {
    const { tokens } = await setup();
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600, meta: { user: 'bob' } });
    const e = (await tokens.lookup(t.id))!;
    e.policies.push('root');
    e.meta!['user'] = 'mallory';
    e.numUses = 5;
    const again = (await tokens.lookup(t.id))!;
    assert.deepEqual(again.policies, ['default']);
    assert.deepEqual(again.meta, { user: 'bob' });
    assert.equal(again.numUses, 0);
  });

  it('teardown drops the cache, and setup starts over from what storage holds', async () => {
    const storage = new GatedBackend();
    const { tokens } = await setup(storage);
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600 });
    await tokens.lookup(t.id);
    tokens.teardown();
    // Another node, active meanwhile, revoked the token: its writes never passed through this store.
    const other = await setup(storage);
    await other.tokens.revokeTree(t.id);
    await tokens.setup();
    assert.equal(await tokens.lookup(t.id), null);
  });

  it('after teardown every lookup reads storage', async () => {
    const storage = new GatedBackend();
    const { tokens } = await setup(storage);
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600 });
    await tokens.lookup(t.id);
    tokens.teardown();
    const reads = storage.entryReads;
    await tokens.lookup(t.id);
    await tokens.lookup(t.id);
    assert.equal(storage.entryReads, reads + 2);
  });

  it('a failed write leaves nothing stale behind', async () => {
    const storage = new (class extends GatedBackend {
      fail = false;
      override async put(key: string, value: Uint8Array): Promise<void> {
        if (this.fail) throw new Error('storage down');
        return super.put(key, value);
      }
      override async transaction(ops: TxnOp[]): Promise<void> {
        if (this.fail) throw new Error('storage down');
        return super.transaction(ops);
      }
    })();
    const { tokens } = await setup(storage);
    const t = await tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 3600, numUses: 3 });
    await tokens.lookup(t.id);
    storage.fail = true;
    await assert.rejects(tokens.useToken((await tokens.lookup(t.id))!));
    storage.fail = false;
    assert.equal((await tokens.lookup(t.id))?.numUses, 3, 'the use that was not saved was not taken');
  });
});
