import type { Logger } from '../util/logger.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError } from '../errors.js';
import type { ExpirationManager } from '../expiration/expiration-manager.js';
import { authLeaseId } from '../expiration/lease-entry.js';
import { REVOCATION_PENDING } from './token-entry.js';
import type { TokenIndex } from './token-index.js';

export type RevokeListener = (tokenId: string) => Promise<void>;

/** Revocation of tokens: whole trees, orphaning, and the cleanup of what a failure left behind. */
export class TokenRevoker {
  private readonly listeners: RevokeListener[] = [];

  constructor(
    private readonly index: TokenIndex,
    private readonly expiration: ExpirationManager,
    private readonly locks: KeyedLock,
    private readonly logger: Logger,
  ) {}

  onRevoke(cb: RevokeListener): void {
    this.listeners.push(cb);
  }

  /** Revokes a token, its children recursively, and every lease obtained with any of them. Unknown ids are a no-op. */
  async revokeTree(tokenId: string): Promise<void> {
    if (!tokenId) return;
    const rootHash = this.index.hashOf(tokenId);
    const root = await this.index.load(rootHash, tokenId);
    if (!root) return;
    // Unusable at once, while its tree is taken down.
    if (root.numUses !== REVOCATION_PENDING) {
      root.numUses = REVOCATION_PENDING;
      await this.index.save(rootHash, root);
    }
    // Depth first with an explicit stack: a token is revoked once no child is left under it.
    const stack = [{ hash: rootHash, parentHash: root.parent ? this.index.hashOf(root.parent) : '' }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = await this.index.children(top.hash);
      if (children.length > 0) {
        for (const c of children) stack.push({ hash: c, parentHash: top.hash });
        continue;
      }
      stack.pop();
      await this.revokeOne(top.hash, top.parentHash);
    }
  }

  /** Revokes a token and its leases; its children become orphans. */
  async revokeOrphan(tokenId: string): Promise<void> {
    const hash = this.index.hashOf(tokenId);
    const e = await this.index.load(hash, tokenId);
    if (!e) throw new InvalidRequestError('token to revoke not found');
    for (const c of await this.index.children(hash)) {
      await this.locks.run(c, async () => {
        const child = await this.index.load(c);
        if (child) {
          child.parent = '';
          await this.index.save(c, child);
        }
        await this.index.unlinkChild(hash, c);
      });
    }
    await this.revokeOne(hash, e.parent ? this.index.hashOf(e.parent) : '');
  }

  /** Drops index entries that point at no token and revokes tokens whose parent is gone. */
  async tidy(): Promise<{ accessors: number; parents: number; orphansRevoked: number }> {
    const out = { accessors: 0, parents: 0, orphansRevoked: 0 };
    for (const a of await this.index.accessorEntries()) {
      if (a.entry && (await this.index.exists(a.entry.tokenHash))) continue;
      await this.index.storage.delete(a.key);
      out.accessors++;
    }
    for (const parentHash of await this.index.parentHashes()) {
      const parentAlive = await this.index.exists(parentHash);
      for (const c of await this.index.children(parentHash)) {
        const child = await this.index.load(c);
        if (!child) {
          await this.index.unlinkChild(parentHash, c);
          out.parents++;
        } else if (!parentAlive) {
          await this.revokeTree(child.id);
          out.orphansRevoked++;
        }
      }
    }
    this.logger.info('token tidy finished', { ...out });
    return out;
  }

  /** One token without children: its leases, the listeners (cubbyhole), its indexes, then its own lease. */
  private async revokeOne(hash: string, parentHash: string): Promise<void> {
    const e = await this.index.load(hash);
    if (!e) {
      if (parentHash) await this.index.unlinkChild(parentHash, hash);
      return;
    }
    if (e.numUses !== REVOCATION_PENDING) {
      e.numUses = REVOCATION_PENDING;
      await this.index.save(hash, e);
    }
    await this.expiration.revokeByToken(e.id);
    for (const cb of this.listeners) await cb(e.id);
    const parents = new Set([parentHash, e.parent ? this.index.hashOf(e.parent) : ''].filter((p) => p !== ''));
    await this.index.remove(hash, e, parents);
    await this.expiration.forget(authLeaseId(e.path, hash));
  }
}
