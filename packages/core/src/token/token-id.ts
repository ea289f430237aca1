import { randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Service tokens: `hvs.` + 24 base62 characters, as Vault (and OpenBao) issue them. */
export const SERVICE_TOKEN_PREFIX = 'hvs.';
export const TOKEN_ID_LENGTH = 24;

/** `n` random base62 characters; bytes >= 248 are rejected so that every character is equally likely. */
export function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n + 8)) {
      if (b >= 248) continue;
      out += BASE62[b % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

export function newServiceTokenId(): string {
  return SERVICE_TOKEN_PREFIX + randomBase62(TOKEN_ID_LENGTH);
}

export function newAccessor(): string {
  return randomBase62(TOKEN_ID_LENGTH);
}

/** Why a client-chosen token id is refused, or null when it is acceptable (Vault's rules for custom ids). */
export function customIdProblem(id: string): string | null {
  if (id.startsWith(SERVICE_TOKEN_PREFIX) || /^[sbr]\./.test(id)) return 'custom token ID cannot have a reserved token prefix';
  if (id.includes('.')) return "custom token ID cannot have a '.' in the value";
  if (id.length > 255) return 'custom token ID is too long';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'custom token ID cannot contain control characters';
  return null;
}

/** Compares two secrets without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
