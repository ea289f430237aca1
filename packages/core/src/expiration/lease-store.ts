import type { Backend, TxnOp } from '@strongroom/storage';
import { StoredSalt } from '../token/stored-salt.js';
import { decodeLease, encodeLease, ID_PREFIX, leaseKey, TOKEN_INDEX_PREFIX, type LeaseEntry } from './lease-entry.js';

/**
 * Lease storage: `id/<lease-id>` (the lease id's own `/`s make the folders `sys/leases/lookup` lists) and, for
 * secret leases, `token/<token-hash>/<lease-hash>` -> lease id, so that a token's leases can be found.
 */
export class LeaseStore {
  private saltP: Promise<StoredSalt> | null = null;

  constructor(private readonly storage: Backend) {}

  /** Forgets the cached salt (the barrier may be sealed next). */
  reset(): void {
    this.saltP = null;
  }

  /** Null for an unknown id, or one that could never have been stored. */
  async load(leaseId: string): Promise<LeaseEntry | null> {
    const key = leaseKey(leaseId);
    if (key === null) return null;
    const raw = await this.storage.get(key);
    return raw ? decodeLease(raw) : null;
  }

  async loadKey(key: string): Promise<LeaseEntry | null> {
    const raw = await this.storage.get(key);
    return raw ? decodeLease(raw) : null;
  }

  /** Writes a lease whose id is known to be a valid key. */
  async save(e: LeaseEntry): Promise<void> {
    await this.storage.put(leaseKey(e.leaseId)!, encodeLease(e));
  }

  /** A new secret lease and its token index entry, together. */
  async insert(e: LeaseEntry): Promise<void> {
    const ops: TxnOp[] = [{ op: 'put', key: leaseKey(e.leaseId)!, value: encodeLease(e) }];
    if (e.kind === 'secret' && e.clientToken) {
      ops.push({ op: 'put', key: await this.tokenIndexKey(e.clientToken, e.leaseId), value: new Uint8Array(Buffer.from(e.leaseId, 'utf8')) });
    }
    await this.storage.transaction(ops);
  }

  async remove(e: LeaseEntry): Promise<void> {
    const ops: TxnOp[] = [{ op: 'delete', key: leaseKey(e.leaseId)! }];
    if (e.kind === 'secret' && e.clientToken) ops.push({ op: 'delete', key: await this.tokenIndexKey(e.clientToken, e.leaseId) });
    await this.storage.transaction(ops);
  }

  /** One level under a validated storage prefix. */
  list(prefixKey: string): Promise<string[]> {
    return this.storage.list(prefixKey);
  }

  /** Every lease id under a validated storage prefix (`id/...`), at any depth. */
  async leaseIdsUnder(prefixKey: string): Promise<string[]> {
    return (await this.walk(prefixKey)).map((k) => k.slice(ID_PREFIX.length));
  }

  /** The leases obtained with `tokenId`: index key and lease id. */
  async byToken(tokenId: string): Promise<{ key: string; leaseId: string }[]> {
    const base = `${TOKEN_INDEX_PREFIX}${(await this.salt()).hash(tokenId)}/`;
    const out: { key: string; leaseId: string }[] = [];
    for (const k of await this.storage.list(base)) {
      if (k.endsWith('/')) continue;
      const raw = await this.storage.get(base + k);
      if (raw) out.push({ key: base + k, leaseId: Buffer.from(raw).toString('utf8') });
    }
    return out;
  }

  async deleteKey(key: string): Promise<void> {
    await this.storage.delete(key);
  }

  /** Removes token-index entries whose lease is gone; returns how many. */
  async tidyTokenIndex(): Promise<number> {
    let removed = 0;
    for (const key of await this.walk(TOKEN_INDEX_PREFIX)) {
      const raw = await this.storage.get(key);
      const leaseId = raw ? Buffer.from(raw).toString('utf8') : '';
      if (leaseId && (await this.load(leaseId))) continue;
      await this.storage.delete(key);
      removed++;
    }
    return removed;
  }

  private salt(): Promise<StoredSalt> {
    this.saltP ??= StoredSalt.load(this.storage).catch((err: unknown) => {
      this.saltP = null;
      throw err;
    });
    return this.saltP;
  }

  private async tokenIndexKey(tokenId: string, leaseId: string): Promise<string> {
    const salt = await this.salt();
    return `${TOKEN_INDEX_PREFIX}${salt.hash(tokenId)}/${salt.hash(leaseId)}`;
  }

  private async walk(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const stack = [prefix];
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const k of await this.storage.list(p)) {
        if (k.endsWith('/')) stack.push(p + k);
        else out.push(p + k);
      }
    }
    return out;
  }
}
