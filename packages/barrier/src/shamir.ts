/**
 * Shamir secret sharing over GF(2^8), behind our own validation.
 *
 * Backed by `shamirs-secret-sharing` (the project's choice). Its property test (every valid shares/threshold pair up
 * to 10/10, random secrets with leading and trailing zero bytes, random subsets) found no defect, so it stays. What
 * the package does not do, and this wrapper does: check parameters with Vault's messages, refuse duplicate,
 * malformed and unequal shares, and never hand its own `Buffer` subclass to callers.
 * Its shares are longer than Vault's (a 32-byte secret gives 82 bytes: `0x08`, the x-coordinate, 16-byte blocks).
 * A wrong or foreign set of shares combines to garbage without error; the keyring decrypt is what detects it.
 */
import { randomBytes } from 'node:crypto';
import sss from 'shamirs-secret-sharing';
import { BarrierInvalidInputError } from './errors.js';

const MAX_SHARES = 255;
const SHARE_HEADER = 0x08; // the package's bit-count marker, first byte of every share
const SHARE_BLOCK = 16; // its y values are padded to 128 bits
const SHARE_OVERHEAD = 2; // header byte + x-coordinate byte

/** Checks a shares/threshold pair as Vault's `SealConfig.Validate` does, with its messages. */
export function validateShamirParams(shares: number, threshold: number): void {
  if (!Number.isInteger(shares)) throw new BarrierInvalidInputError('shares must be an integer');
  if (!Number.isInteger(threshold)) throw new BarrierInvalidInputError('threshold must be an integer');
  if (shares < 1) throw new BarrierInvalidInputError('shares must be at least one');
  if (threshold < 1) throw new BarrierInvalidInputError('threshold must be at least one');
  if (shares > 1 && threshold === 1) throw new BarrierInvalidInputError('threshold must be greater than one for multiple shares');
  if (shares > MAX_SHARES) throw new BarrierInvalidInputError('shares must be less than 256');
  if (threshold > MAX_SHARES) throw new BarrierInvalidInputError('threshold must be less than 256');
  if (threshold > shares) throw new BarrierInvalidInputError('threshold cannot be larger than shares');
}

/** Splits `secret` into `shares` parts, any `threshold` of which rebuild it. One share is the secret itself. */
export function split(secret: Uint8Array, shares: number, threshold: number): Uint8Array[] {
  validateShamirParams(shares, threshold);
  if (!(secret instanceof Uint8Array) || secret.length === 0) throw new BarrierInvalidInputError('cannot split an empty secret');
  if (shares === 1) return [new Uint8Array(secret)];
  const parts = sss.split(secret, { shares, threshold, random: (n) => randomBytes(n) });
  return parts.map((p) => {
    const copy = new Uint8Array(p);
    p.fill(0);
    return copy;
  });
}

/** Refuses a value that cannot be a share produced by `split` with more than one share. */
export function validateShare(share: Uint8Array): void {
  if (!(share instanceof Uint8Array)) throw new BarrierInvalidInputError('a share must be bytes');
  const { length } = share;
  if (length < SHARE_OVERHEAD + SHARE_BLOCK || (length - SHARE_OVERHEAD) % SHARE_BLOCK !== 0) {
    throw new BarrierInvalidInputError(`invalid share length ${length}`);
  }
  if (share[0] !== SHARE_HEADER || share[1] === 0) throw new BarrierInvalidInputError('invalid share format');
}

/** Rebuilds the secret from shares. A single share is returned as is (the threshold-1 case). */
export function combine(shares: Uint8Array[]): Uint8Array {
  if (!Array.isArray(shares) || shares.length < 1) throw new BarrierInvalidInputError('at least one share is required');
  if (shares.length > MAX_SHARES) throw new BarrierInvalidInputError('too many shares');
  if (shares.length === 1) {
    const only = shares[0]!;
    if (!(only instanceof Uint8Array) || only.length === 0) throw new BarrierInvalidInputError('a share must not be empty');
    return new Uint8Array(only);
  }
  for (const s of shares) validateShare(s);
  const length = shares[0]!.length;
  if (shares.some((s) => s.length !== length)) throw new BarrierInvalidInputError('all shares must be the same length');
  // The x-coordinate identifies a share: two with the same one are duplicates (or forged), and would make the
  // interpolation divide by zero.
  const seen = new Set<number>();
  for (const s of shares) {
    const x = s[1]!;
    if (seen.has(x)) throw new BarrierInvalidInputError('duplicate share detected');
    seen.add(x);
  }
  let out: Uint8Array;
  try {
    out = sss.combine(shares);
  } catch (err) {
    throw new BarrierInvalidInputError('failed to combine shares', { cause: err });
  }
  const secret = new Uint8Array(out);
  out.fill(0);
  return secret;
}
