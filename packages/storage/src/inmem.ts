import type { Backend, HABackend, Lock, LockHolder, TxnOp } from './backend.js';
import { FencedError } from './errors.js';
import { listOneLevel, validateKey, validatePrefix } from './keys.js';

interface LockState {
  value: string;
  owner: InmemLock;
}

/**
 * The state several in-memory handles share, so that tests can run several nodes over one "storage"
 * and race for one lock.
 */
export class InmemStore {
  readonly data = new Map<string, Uint8Array>();
  readonly locks = new Map<string, LockState>();
  private readonly waiters = new Set<() => void>();

  /** Test hook: takes the lock away from its holder, as a lost Consul session would. */
  breakLock(key: string): void {
    const state = this.locks.get(key);
    if (!state) return;
    this.locks.delete(key);
    state.owner.lose();
    this.notify();
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  waitForChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Once a handle has held a lock, its writes are fenced: they are refused unless that lock is still held, so a
 * deposed holder can never write again. The handle's locks set it; the handle checks it on every write.
 */
class InmemFence {
  private fencing = false;
  private lock: InmemLock | null = null;

  hold(lock: InmemLock): void {
    this.fencing = true;
    this.lock = lock;
  }

  drop(): void {
    this.lock = null;
  }

  check(): void {
    if (this.fencing && (this.lock === null || this.lock.isLost)) throw new FencedError();
  }
}

export class InmemBackend implements HABackend {
  readonly type = 'inmem';
  readonly haEnabled = true as const;
  private readonly fence = new InmemFence();

  constructor(readonly store: InmemStore = new InmemStore()) {}

  async get(key: string): Promise<Uint8Array | null> {
    validateKey(key);
    const v = this.store.data.get(key);
    return v ? new Uint8Array(v) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.transaction([{ op: 'put', key, value }]);
  }

  async delete(key: string): Promise<void> {
    await this.transaction([{ op: 'delete', key }]);
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    return listOneLevel(this.store.data.keys(), prefix);
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    for (const o of ops) validateKey(o.key);
    this.fence.check();
    for (const o of ops) {
      if (o.op === 'put') this.store.data.set(o.key, new Uint8Array(o.value));
      else this.store.data.delete(o.key);
    }
  }

  lock(key: string, value: string): Lock {
    validateKey(key);
    return new InmemLock(this.store, this.fence, key, value);
  }

  async watchLock(key: string, lastValue: string | null, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && (this.store.locks.get(key)?.value ?? null) === lastValue) {
      await this.store.waitForChange(signal);
    }
  }

}

export class InmemLock implements Lock {
  private controller: AbortController | null = null;
  isLost = false;

  constructor(
    private readonly store: InmemStore,
    private readonly fence: InmemFence,
    private readonly key: string,
    private readonly value: string,
  ) {}

  async acquire(abort?: AbortSignal): Promise<AbortSignal> {
    const { store } = this;
    for (;;) {
      abort?.throwIfAborted();
      const cur = store.locks.get(this.key);
      if (!cur) {
        store.locks.set(this.key, { value: this.value, owner: this });
        this.controller = new AbortController();
        this.isLost = false;
        this.fence.hold(this);
        store.notify();
        return this.controller.signal;
      }
      await store.waitForChange(abort);
    }
  }

  async release(): Promise<void> {
    const { store } = this;
    const cur = store.locks.get(this.key);
    if (cur?.owner === this) {
      store.locks.delete(this.key);
      store.notify();
    }
    this.fence.drop();
    this.controller?.abort(new Error('lock released'));
    this.controller = null;
  }

  async holder(): Promise<LockHolder> {
    const cur = this.store.locks.get(this.key);
    return cur ? { held: true, value: cur.value } : { held: false, value: null };
  }

  /** @internal */
  lose(): void {
    this.isLost = true;
    this.controller?.abort(new Error('lock lost'));
  }
}

/** A plain backend without HA, for when only the data side is wanted. */
export function inmemBackend(store?: InmemStore): Backend {
  return new InmemBackend(store);
}
