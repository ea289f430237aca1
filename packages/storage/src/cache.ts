import type { Backend, TxnOp } from './backend.js';

/**
 * An LRU read cache in front of a backend, for the active node only: it is correct only while this node is the
 * sole writer, so the HA manager clears it whenever the node gains or loses the lock.
 */
export class CachedBackend implements Backend {
  readonly type: string;
  private readonly entries = new Map<string, Uint8Array | null>();
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
    const v = await this.inner.get(key);
    if (this.enabled) this.remember(key, v && new Uint8Array(v));
    return v;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.entries.delete(key);
    await this.inner.put(key, value);
    if (this.enabled) this.remember(key, new Uint8Array(value));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
    await this.inner.delete(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    for (const o of ops) this.entries.delete(o.key);
    await this.inner.transaction(ops);
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
