import type { Backend, TxnOp } from './backend.js';

/**
 * An LRU read cache in front of a backend, for the active node only: it is correct only while this node is the
 * sole writer, so the HA manager clears it whenever the node gains or loses the lock.
 */
export class CachedBackend implements Backend {
  readonly type: string;
  private readonly entries = new Map<string, Uint8Array | null>();
  /**
   * A read that misses goes to the backend and may come back after a write of the same key began: what it read
   * is then possibly older than what the write stored, and must not be cached. Writes stamp the keys they touch
   * (when they start, and again when they end, dropping what was cached meanwhile) with a counter; a read caches
   * its result only if no stamp on its key is newer than the counter when the read began.
   */
  private clock = 0;
  private readonly touched = new Map<string, number>();
  /** The newest stamp dropped from `touched` to bound it: a read older than that cannot know, and is not cached. */
  private forgottenUpTo = -1;
  enabled = false;

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
    const started = this.clock;
    const v = await this.inner.get(key);
    if (this.enabled && (this.touched.get(key) ?? -1) <= started && this.forgottenUpTo <= started) this.remember(key, v && new Uint8Array(v));
    return v;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    const stamp = this.touch([key]);
    let alone: boolean;
    try {
      await this.inner.put(key, value);
      alone = this.touched.get(key) === stamp;
    } finally {
      this.touch([key]);
    }
    // Another write of the key meanwhile may have landed after this one: then the backend knows better.
    if (this.enabled && alone) this.remember(key, new Uint8Array(value));
  }

  async delete(key: string): Promise<void> {
    this.touch([key]);
    try {
      await this.inner.delete(key);
    } finally {
      this.touch([key]);
    }
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    const keys = ops.map((o) => o.key);
    this.touch(keys);
    try {
      await this.inner.transaction(ops);
    } finally {
      this.touch(keys);
    }
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  /** Drops the keys' cached values and stamps them, so that reads in flight do not cache what they find. */
  private touch(keys: string[]): number {
    const stamp = ++this.clock;
    for (const k of keys) {
      this.entries.delete(k);
      this.touched.delete(k);
      this.touched.set(k, stamp);
    }
    while (this.touched.size > this.maxEntries) {
      const [oldest, at] = this.touched.entries().next().value as [string, number];
      this.touched.delete(oldest);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, at);
    }
    return stamp;
  }

  private remember(key: string, v: Uint8Array | null): void {
    this.entries.set(key, v);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
