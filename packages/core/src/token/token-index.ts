import type { Backend, TxnOp } from '@strongroom/storage';
import { CoreError } from '../errors.js';
import { StoredSalt } from './stored-salt.js';
import { TokenCache } from './token-cache.js';
import { decodeJSON, encodeJSON, type AccessorEntry, type TokenEntry } from './token-entry.js';
import { safeEqual } from './token-id.js';

const ID = 'id/';
const ACCESSOR = 'accessor/';
const PARENT = 'parent/';

/**
 * The token store's storage layout: `id/<hash>` (the entry), `accessor/<hash>` (accessor -> token hash) and
 * `parent/<parent-hash>/<child-hash>`, every id and accessor under its salted HMAC so no key reveals a token.
 */
export class TokenIndex {
  private salt: StoredSalt | null = null;
  private readonly cache = new TokenCache();

  constructor(readonly storage: Backend) {}

  /** Loads the salt and starts caching decoded entries (the node is the active one from here on). */
  async setup(): Promise<void> {
    this.salt = await StoredSalt.load(this.storage);
    this.cache.enable();
  }

  /** Drops the cached entries: another node may write them from now on, or the barrier is sealed. */
  teardown(): void {
    this.cache.disable();
  }

  hashOf(value: string): string {
    if (!this.salt) throw new CoreError('internal', 'token store is not set up');
    return this.salt.hash(value);
  }

  async idTaken(id: string): Promise<boolean> {
    return (await this.storage.get(ID + this.hashOf(id))) !== null;
  }

  async accessorTaken(accessor: string): Promise<boolean> {
    return (await this.storage.get(ACCESSOR + this.hashOf(accessor))) !== null;
  }

  /**
   * `load` without the wait when the entry is cached: the entry (null when its id is not `expectedId`), or undefined
   * when it is not cached and `load` must read it.
   */
  cached(hash: string, expectedId: string): TokenEntry | null | undefined {
    const e = this.cache.get(hash);
    if (!e) return undefined;
    return safeEqual(e.id, expectedId) ? e : null;
  }

  /** The entry stored under `hash`; with `expectedId`, only if its id matches (compared in constant time). */
  async load(hash: string, expectedId?: string): Promise<TokenEntry | null> {
    let e = this.cache.get(hash);
    if (!e) {
      const ticket = this.cache.ticket();
      const raw = await this.storage.get(ID + hash);
      if (!raw) return null;
      e = decodeJSON<TokenEntry>(raw);
      this.cache.remember(hash, e, ticket);
    }
    if (expectedId !== undefined && !safeEqual(e.id, expectedId)) return null;
    return e;
  }

  async byAccessor(accessor: string): Promise<TokenEntry | null> {
    if (!accessor) return null;
    const raw = await this.storage.get(ACCESSOR + this.hashOf(accessor));
    if (!raw) return null;
    const a = decodeJSON<AccessorEntry>(raw);
    if (!safeEqual(a.accessor, accessor)) return null;
    return this.load(a.tokenHash);
  }

  async save(hash: string, e: TokenEntry): Promise<void> {
    await this.writing([hash], () => this.storage.put(ID + hash, encodeJSON(e)));
  }

  /** Writes a new entry with its accessor and parent links in one transaction; returns the writes (for undo). */
  async insert(e: TokenEntry): Promise<{ hash: string; ops: TxnOp[] }> {
    const hash = this.hashOf(e.id);
    const accessor: AccessorEntry = { accessor: e.accessor, tokenHash: hash };
    const ops: TxnOp[] = [
      { op: 'put', key: ID + hash, value: encodeJSON(e) },
      { op: 'put', key: ACCESSOR + this.hashOf(e.accessor), value: encodeJSON(accessor) },
    ];
    if (e.parent) ops.push({ op: 'put', key: `${PARENT}${this.hashOf(e.parent)}/${hash}`, value: encodeJSON(hash) });
    await this.writing([hash], () => this.storage.transaction(ops));
    return { hash, ops };
  }

  async undo(ops: TxnOp[]): Promise<void> {
    const hashes = ops.filter((op) => op.key.startsWith(ID)).map((op) => op.key.slice(ID.length));
    await this.writing(hashes, () => this.storage.transaction(ops.map((op) => ({ op: 'delete' as const, key: op.key }))));
  }

  /** Deletes an entry, its accessor and its links from `parentHashes` in one transaction. */
  async remove(hash: string, e: TokenEntry, parentHashes: Iterable<string>): Promise<void> {
    const ops: TxnOp[] = [
      { op: 'delete', key: ID + hash },
      { op: 'delete', key: ACCESSOR + this.hashOf(e.accessor) },
    ];
    for (const p of parentHashes) ops.push({ op: 'delete', key: `${PARENT}${p}/${hash}` });
    await this.writing([hash], () => this.storage.transaction(ops));
  }

  /** Every write of an entry goes through here, so the cache never serves what storage no longer holds. */
  private async writing(hashes: string[], write: () => Promise<void>): Promise<void> {
    this.cache.invalidate(hashes);
    try {
      await write();
    } finally {
      this.cache.invalidate(hashes);
    }
  }

  /** Hashes of the children of the token stored under `hash`. */
  async children(hash: string): Promise<string[]> {
    return (await this.storage.list(`${PARENT}${hash}/`)).filter((k) => !k.endsWith('/'));
  }

  async unlinkChild(parentHash: string, childHash: string): Promise<void> {
    await this.storage.delete(`${PARENT}${parentHash}/${childHash}`);
  }

  /** Hashes of tokens that have (or had) children. */
  async parentHashes(): Promise<string[]> {
    return (await this.storage.list(PARENT)).filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1));
  }

  async exists(hash: string): Promise<boolean> {
    return (await this.storage.get(ID + hash)) !== null;
  }

  /** Every accessor index entry: its storage key and what it points at. */
  async accessorEntries(): Promise<{ key: string; entry: AccessorEntry | null }[]> {
    const out: { key: string; entry: AccessorEntry | null }[] = [];
    for (const k of await this.storage.list(ACCESSOR)) {
      if (k.endsWith('/')) continue;
      const raw = await this.storage.get(ACCESSOR + k);
      out.push({ key: ACCESSOR + k, entry: raw ? decodeJSON<AccessorEntry>(raw) : null });
    }
    return out;
  }
}
