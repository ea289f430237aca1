import type { TokenEntry } from './token-entry.js';

/** Enough for every live token of a busy node; beyond it the least recently used entries go. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Decoded token entries by salted id, so that a request's token lookup skips the barrier read, the decryption and
 * the JSON parse. It is correct only while this node is the sole writer (the active node) and every write of an
 * entry passes through `invalidate`, so it is enabled by the token store's setup and dropped by its teardown.
 *
 * Callers get a copy: the store mutates entries before saving them, and a failed save must leave the cache as it was.
 */
export class TokenCache {
  private readonly entries = new Map<string, TokenEntry>();
  private enabled = false;
  /** Bumped around every write, so that a read which overlapped one never caches what it read. */
  private generation = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  enable(): void {
    this.entries.clear();
    this.enabled = true;
    this.generation++;
  }

  disable(): void {
    this.enabled = false;
    this.entries.clear();
    this.generation++;
  }

  get(hash: string): TokenEntry | undefined {
    if (!this.enabled) return undefined;
    const hit = this.entries.get(hash);
    if (!hit) return undefined;
    this.entries.delete(hash);
    this.entries.set(hash, hit);
    return copyEntry(hit);
  }

  /** A token for `remember`: reads taken before a write and finished after it are never cached. */
  ticket(): number {
    return this.generation;
  }

  remember(hash: string, entry: TokenEntry, ticket: number): void {
    if (!this.enabled || ticket !== this.generation) return;
    this.entries.set(hash, copyEntry(entry));
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Call before and after every write of the entries under `hashes`. */
  invalidate(hashes: Iterable<string>): void {
    this.generation++;
    for (const h of hashes) this.entries.delete(h);
  }
}

function copyEntry(e: TokenEntry): TokenEntry {
  const out: TokenEntry = { ...e, policies: [...e.policies], meta: e.meta && { ...e.meta } };
  if (e.internalData) out.internalData = structuredClone(e.internalData);
  return out;
}
