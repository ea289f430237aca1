import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HABackend } from '../backend.js';
import { FencedError } from '../errors.js';

export interface LockSuiteHooks {
  /** Two handles over the same storage, as two nodes would have. */
  makePair(): Promise<[HABackend, HABackend]>;
  /** Makes the current holder lose the lock the way a dead process would. */
  killHolder(backend: HABackend, key: string): Promise<void>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

async function raceWinner(a: Promise<AbortSignal>, b: Promise<AbortSignal>): Promise<0 | 1> {
  return Promise.race([a.then(() => 0 as const), b.then(() => 1 as const)]);
}

export function exerciseLock(name: string, hooks: LockSuiteHooks): void {
  test(`${name} lock: of two contenders exactly one holds`, async () => {
    const [a, b] = await hooks.makePair();
    const la = a.lock('core/lock', 'node-a');
    const lb = b.lock('core/lock', 'node-b');
    const stopB = new AbortController();
    const pa = la.acquire();
    const pb = lb.acquire(stopB.signal);
    const winner = await raceWinner(pa, pb);
    const [held, waiting, waitingPromise] = winner === 0 ? [la, lb, pb] : [lb, la, pa];
    // the other is still waiting a moment later
    const late = await Promise.race([waitingPromise.then(() => 'acquired'), sleep(500).then(() => 'waiting')]);
    assert.equal(late, 'waiting');
    const h = await held.holder();
    assert.equal(h.held, true);
    assert.equal(h.value, winner === 0 ? 'node-a' : 'node-b');
    // release hands over
    await held.release();
    await waitingPromise;
    assert.equal((await waiting.holder()).value, winner === 0 ? 'node-b' : 'node-a');
    await waiting.release();
    assert.equal((await la.holder()).held, false);
  });

  test(`${name} lock: a killed holder is replaced and its later writes are refused`, async () => {
    const [a, b] = await hooks.makePair();
    const la = a.lock('core/lock', 'node-a');
    const lost = await la.acquire();
    await a.put('fenced/ok', enc('written while holding'));
    const lb = b.lock('core/lock', 'node-b');
    const acquiredB = lb.acquire();
    const started = Date.now();
    await hooks.killHolder(a, 'core/lock');
    await acquiredB;
    const gap = Date.now() - started;
    console.log(`# ${name}: lock handed over ${gap} ms after the holder was killed`);
    await waitFor(() => lost.aborted, 10_000);
    assert.equal(lost.aborted, true, 'the deposed holder is told it lost the lock');
    await assert.rejects(a.put('fenced/late', enc('deposed write')), FencedError);
    assert.equal(await b.get('fenced/late'), null);
    await b.put('fenced/new', enc('new holder writes'));
    await lb.release();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(20);
}
