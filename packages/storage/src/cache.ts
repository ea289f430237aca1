import type { Backend, TxnOp } from './backend.js';

/**
 * An LRU read cache in front of a backend, for the active node only: it is correct only while this node is the
 * sole writer, so the HA manager clears it whenever the node gains or loses the lock.
 */
export class CachedBackend implements Backend {
  readonly type: string;
  private readonly entries = new Map<string, Uint8Array | null>();
  enabled = false;
  /**
   * Bumped whenever a write starts or ends. A read that overlapped any write may hold the value from before it,
   * and storing that after the write would serve it stale (two kv v2 check-and-set writes both seeing version 1).
   */
  private seq = 0;
  private writing = 0;

  constructor(
    readonly inner: Backend,
    private readonly maxEntries = 10_000,
  ) {
    this.type = inner.type;
  }

  clear(): void {
    this.entries.clear();
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    this.entries.clear();
  }

  async get(key: string): Promise<Uint8Array | null> {
    if (this.enabled) {
      const hit = this.entries.get(key);
      if (hit !== undefined) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit && new Uint8Array(hit);
      }
    }
    const start = this.seq;
    const v = await this.inner.get(key);
    if (this.enabled && this.seq === start && this.writing === 0) this.remember(key, v && new Uint8Array(v));
    return v;
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.write([key], () => this.inner.put(key, value), new Uint8Array(value));
  }

  delete(key: string): Promise<void> {
    return this.write([key], () => this.inner.delete(key));
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  transaction(ops: TxnOp[]): Promise<void> {
    return this.write(
      ops.map((o) => o.key),
      () => this.inner.transaction(ops),
    );
  }

  /** Runs a write with its keys uncached before and after; `keep` is remembered only if no other write overlapped. */
  private async write(keys: string[], fn: () => Promise<void>, keep?: Uint8Array): Promise<void> {
    for (const k of keys) this.entries.delete(k);
    const start = ++this.seq;
    this.writing++;
    let ok = false;
    try {
      await fn();
      ok = true;
    } finally {
      this.writing--;
      for (const k of keys) this.entries.delete(k);
      const alone = this.seq === start && this.writing === 0;
      this.seq++;
      if (ok && alone && keep && this.enabled) this.remember(keys[0]!, keep);
    }
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  private remember(key: string, v: Uint8Array | null): void {
    this.entries.set(key, v);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
