import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DecryptFailedError, SealUnavailableError, StaticSeal, WRAPPED_ROOT_KEY_PATH, combine, generateKey, readWrappedKey, type AutoSeal, type WrappedKey } from '@strongroom/barrier';
import { InmemBackend, InmemStore } from '@strongroom/storage';
import { decodeRootToken } from '../src/seal/generate-root.js';
import { Node, type NodeOptions } from '../src/node.js';
import { request } from '../src/testing.js';
import type { Response } from '../src/logical/request.js';

const body = (resp: Response): Record<string, any> => resp.raw?.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const nodes: Node[] = [];
after(async () => {
  for (const n of nodes) await n.shutdown().catch(() => undefined);
});

function node(store: InmemStore, seal: AutoSeal | undefined, o: Partial<NodeOptions> = {}): Node {
  const n = new Node({ storage: new InmemBackend(store), ...(seal ? { seal } : {}), autoUnsealRetry: { baseMs: 20, maxMs: 100 }, ...o });
  nodes.push(n);
  return n;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const init = (n: Node, data: Record<string, unknown>): Promise<Response> => request(n, 'update', 'sys/init', '', data);

describe('auto-unseal with the static seal', () => {
  const key = generateKey();
  const staticSeal = (): StaticSeal => new StaticSeal({ currentKeyId: 'k1', currentKey: key });

  it('init returns recovery keys (Vault defaults 5 of 3) and a root token, no unseal keys; the node unseals itself', async () => {
    const n = node(new InmemStore(), staticSeal());
    const r = body(await init(n, {}));
    assert.deepEqual(r.keys, []);
    assert.deepEqual(r.keys_base64, []);
    assert.equal(r.recovery_keys.length, 5);
    assert.equal(r.recovery_keys_base64.length, 5);
    assert.match(r.root_token, /^hvs\./);
    await n.waitActive(5000);
    const status = body(await request(n, 'read', 'sys/seal-status', ''));
    assert.equal(status.type, 'static');
    assert.equal(status.recovery_seal, true);
    assert.equal(status.sealed, false);
    assert.equal(status.t, 3);
    assert.equal(status.n, 5);
    // The root token works.
    const self = await request(n, 'read', 'auth/token/lookup-self', r.root_token);
    assert.deepEqual(self.data?.policies, ['root']);
  });

  it('recovery_* are taken as given; bad ones are a 400 and leave nothing stored', async () => {
    const store = new InmemStore();
    const n = node(store, staticSeal());
    await assert.rejects(init(n, { recovery_shares: 3, recovery_threshold: 4 }), /threshold cannot be larger than shares/);
    await assert.rejects(init(n, { recovery_shares: 2, recovery_pgp_keys: ['x'] }), /incorrect number of recovery PGP keys/);
    assert.equal(store.data.size, 0);
    const r = body(await init(n, { recovery_shares: 1, recovery_threshold: 1, secret_shares: 5, secret_threshold: 3 }));
    assert.equal(r.recovery_keys.length, 1);
    assert.deepEqual(r.keys, []);
  });

  it('a restarted node unseals itself and becomes active without any unseal call', async () => {
    const store = new InmemStore();
    const first = node(store, staticSeal());
    body(await init(first, { recovery_shares: 1, recovery_threshold: 1 }));
    await first.waitActive();
    await first.core.shutdown();
    const second = node(store, staticSeal());
    assert.equal(second.isSealed(), true);
    second.startAutoUnseal();
    await second.waitActive(5000);
    assert.equal(second.isSealed(), false);
  });

  it('a node started before init waits, then unseals once another node initialized the storage', async () => {
    const store = new InmemStore();
    const waiting = node(store, staticSeal());
    waiting.startAutoUnseal();
    const initializer = node(store, staticSeal());
    await init(initializer, {});
    await until(() => !waiting.isSealed(), 'the waiting node to unseal');
  });

  it('key rotation: a root key wrapped by previous_key unseals and is rewrapped under current_key', async () => {
    const store = new InmemStore();
    const oldKey = generateKey();
    const first = node(store, new StaticSeal({ currentKeyId: 'old', currentKey: oldKey }));
    await init(first, { recovery_shares: 1, recovery_threshold: 1 });
    await first.waitActive();
    await first.core.shutdown();
    const newKey = generateKey();
    const rotated = node(store, new StaticSeal({ currentKeyId: 'new', currentKey: newKey, previousKeyId: 'old', previousKey: oldKey }));
    rotated.startAutoUnseal();
    await rotated.waitActive(5000);
    assert.equal((await readWrappedKey(new InmemBackend(store), WRAPPED_ROOT_KEY_PATH))!.key_id, 'new');
    await rotated.core.shutdown();
    // The old key is no longer needed.
    const onlyNew = node(store, new StaticSeal({ currentKeyId: 'new', currentKey: newKey }));
    onlyNew.startAutoUnseal();
    await onlyNew.waitActive(5000);
  });

  it('a wrong static key leaves the node sealed and says why in sys/seal-status', async () => {
    const store = new InmemStore();
    const first = node(store, staticSeal());
    await init(first, {});
    await first.waitActive();
    await first.core.shutdown();
    const wrong = node(store, new StaticSeal({ currentKeyId: 'other', currentKey: generateKey() }));
    wrong.startAutoUnseal();
    await until(async () => (body(await request(wrong, 'read', 'sys/seal-status', '')).warnings ?? []).length > 0, 'a warning');
    const status = body(await request(wrong, 'read', 'sys/seal-status', ''));
    assert.equal(status.sealed, true);
    assert.match(status.warnings[0], /static seal failed: the root key is wrapped by static key "k1"/);
  });

  it('after sys/seal, the recovery shares unseal the node; a wrong share set is refused', async () => {
    const n = node(new InmemStore(), staticSeal());
    const r = body(await init(n, { recovery_shares: 3, recovery_threshold: 2 }));
    await n.waitActive();
    await n.seal();
    assert.equal(n.isSealed(), true);
    const tampered = Buffer.from(r.recovery_keys_base64[1]!, 'base64');
    tampered[10]! ^= 0xff;
    await request(n, 'update', 'sys/unseal', '', { key: r.recovery_keys_base64[0] });
    await assert.rejects(request(n, 'update', 'sys/unseal', '', { key: tampered.toString('base64') }), /invalid recovery key/);
    assert.equal(n.isSealed(), true);
    await request(n, 'update', 'sys/unseal', '', { key: r.recovery_keys_base64[0] });
    await request(n, 'update', 'sys/unseal', '', { key: r.recovery_keys_base64[2] });
    await n.waitActive(5000);
  });

  it('generate-root takes the recovery shares', async () => {
    const n = node(new InmemStore(), staticSeal());
    const r = body(await init(n, { recovery_shares: 3, recovery_threshold: 2 }));
    await n.waitActive();
    const start = body(await request(n, 'update', 'sys/generate-root/attempt', '', {}));
    assert.equal(start.required, 2);
    await request(n, 'update', 'sys/generate-root/update', '', { key: r.recovery_keys[0], nonce: start.nonce });
    const done = body(await request(n, 'update', 'sys/generate-root/update', '', { key: r.recovery_keys[1], nonce: start.nonce }));
    assert.equal(done.complete, true);
    const token = decodeRootToken(done.encoded_token, start.otp);
    assert.deepEqual((await request(n, 'read', 'auth/token/lookup-self', token)).data?.policies, ['root']);
    // The recovery key is not the root key: its shares combine into something the barrier refuses.
    assert.equal(await n.barrier.verifyRootKey(combine([Buffer.from(r.recovery_keys[0], 'hex'), Buffer.from(r.recovery_keys[1], 'hex')])), false);
  });

  it('rekey of the root key is refused with a 400 (the root key is never handed out)', async () => {
    const n = node(new InmemStore(), staticSeal());
    const r = body(await init(n, {}));
    await n.waitActive();
    await assert.rejects(request(n, 'update', 'sys/rekey/init', r.root_token, { secret_shares: 1, secret_threshold: 1 }), /not available with the static seal/);
  });
});

/** A seal in front of a static one that can be switched off, as an unreachable transit unsealer. */
class FlakySeal implements AutoSeal {
  readonly type = 'transit' as const;
  up = true;
  calls = 0;
  constructor(private readonly inner = new StaticSeal({ currentKeyId: 'k', currentKey: generateKey() })) {}
  async wrap(plain: Uint8Array): Promise<WrappedKey> {
    return { ...(await this.inner.wrap(plain)), type: 'transit' };
  }
  async unwrap(w: WrappedKey): Promise<{ plain: Uint8Array; stale: boolean }> {
    this.calls++;
    if (!this.up) throw new SealUnavailableError('transit seal at http://127.0.0.1:1 unreachable: connect ECONNREFUSED');
    return this.inner.unwrap({ ...w, type: 'static' });
  }
  describe(): Record<string, unknown> {
    return { type: 'transit' };
  }
}

describe('auto-unseal while the seal is unreachable', () => {
  it('stays sealed, reports why, retries, and unseals as soon as the seal answers', async () => {
    const store = new InmemStore();
    const seal = new FlakySeal();
    const first = node(store, seal);
    await init(first, {});
    await first.waitActive();
    await first.core.shutdown();
    seal.up = false;
    const second = node(store, seal);
    second.startAutoUnseal();
    await until(() => seal.calls >= 3, 'retries');
    const status = body(await request(second, 'read', 'sys/seal-status', ''));
    assert.equal(status.sealed, true);
    assert.equal(status.type, 'transit');
    assert.match(status.warnings[0], /ECONNREFUSED/);
    seal.up = true;
    await second.waitActive(5000);
    assert.equal(body(await request(second, 'read', 'sys/seal-status', '')).warnings, undefined);
  });

  it('init fails with the seal unreachable and stores nothing', async () => {
    const store = new InmemStore();
    const seal = new FlakySeal();
    seal.up = false;
    const wrapFails = Object.assign(seal, { wrap: async () => Promise.reject(new SealUnavailableError('down')) });
    await assert.rejects(init(node(store, wrapFails), {}), SealUnavailableError);
    assert.equal(store.data.size, 0);
  });

  it('with the Shamir seal nothing changes: recovery_* of 0 are ignored, other values refused', async () => {
    const n = node(new InmemStore(), undefined);
    await assert.rejects(init(n, { secret_shares: 1, secret_threshold: 1, recovery_shares: 2 }), /not applicable to seal type shamir/);
    const r = body(await init(n, { secret_shares: 1, secret_threshold: 1, recovery_shares: 0, recovery_threshold: 0 }));
    assert.equal(r.keys.length, 1);
    assert.equal(r.recovery_keys, undefined);
    assert.equal(body(await request(n, 'read', 'sys/seal-status', '')).recovery_seal, false);
    assert.ok(DecryptFailedError);
  });
});
