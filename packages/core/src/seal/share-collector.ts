import { randomUUID, timingSafeEqual } from 'node:crypto';
import { BarrierError, KEY_BYTES, validateShare } from '@strongroom/barrier';
import { InvalidRequestError } from '../errors.js';

/**
 * Key shares gathered from any number of callers until the threshold is met (unseal, rekey, generate-root).
 * One collector per node and operation, so operators on different machines add to the same progress.
 */
export class ShareCollector {
  private shares: Buffer[] = [];
  nonce = '';

  get progress(): number {
    return this.shares.length;
  }

  /** Adds a share; a share already held is ignored (returns false) unless `rejectDuplicate` says otherwise. */
  add(share: Buffer, opts: { rejectDuplicate?: string } = {}): boolean {
    const dup = this.shares.some((s) => s.length === share.length && timingSafeEqual(s, share));
    if (dup) {
      if (opts.rejectDuplicate) throw new InvalidRequestError(opts.rejectDuplicate);
      return false;
    }
    if (this.shares.length === 0 && !this.nonce) this.nonce = randomUUID();
    this.shares.push(Buffer.from(share));
    return true;
  }

  /** Hands the shares over and forgets them (zeroing the copies held). */
  take(): Buffer[] {
    const out = this.shares.map((s) => Buffer.from(s));
    this.reset();
    return out;
  }

  reset(): void {
    for (const s of this.shares) s.fill(0);
    this.shares = [];
    this.nonce = '';
  }
}

/** Vault's rule: hex when it decodes, else standard base64; anything else is a 400. */
export function decodeKey(text: unknown): Buffer {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidRequestError("'key' must be a valid hex or base64 string");
  }
  const t = text.trim();
  if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && t.length % 4 === 0) return Buffer.from(t, 'base64');
  throw new InvalidRequestError("'key' must be a valid hex or base64 string");
}

/**
 * `decodeKey`, then refuses what cannot be a share of a seal split into `secretShares` parts (the root key itself
 * when there is one share). As Vault checks the key length up front, a malformed key is a 400 that is never
 * counted in the progress, rather than a failure of the whole attempt at the threshold.
 */
export function decodeShare(text: unknown, secretShares: number): Buffer {
  const share = decodeKey(text);
  if (secretShares === 1) {
    if (share.length !== KEY_BYTES) throw new InvalidRequestError(`invalid key: key must be ${KEY_BYTES} bytes, got ${share.length}`);
    return share;
  }
  try {
    validateShare(share);
  } catch (err) {
    if (err instanceof BarrierError) throw new InvalidRequestError(`invalid key: ${err.message}`);
    throw err;
  }
  return share;
}
