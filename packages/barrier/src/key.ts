import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Size of the root key and of every keyring term key (AES-256). */
export const KEY_BYTES = 32;

/** A fresh random AES-256 key. */
export function generateKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/** Constant-time equality; a length mismatch is not secret (key sizes are public), so it returns early. */
export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Overwrites key material so a sealed process keeps no copy in memory we own. */
export function zero(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
