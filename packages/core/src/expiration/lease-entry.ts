import { validateKey, validatePrefix } from '@strongroom/storage';
import type { Secret } from '../logical/request.js';

/** One lease as stored at `sys/expire/id/<lease-id>`. Times are unix milliseconds; 0 = never / not yet. */
export interface LeaseEntry {
  leaseId: string;
  /** `secret`: a backend's secret, revoked through the backend; `auth`: a token, revoked through the token store. */
  kind: 'secret' | 'auth';
  /** The request path that produced the lease (the login or token-create path for tokens). */
  path: string;
  /** Secret leases: the token that obtained the secret ('' for none). Auth leases: the token the lease is for. */
  clientToken: string;
  secret?: Secret;
  renewable: boolean;
  issueTime: number;
  expireTime: number;
  lastRenewalTime: number;
  /** Set once revocation gave up after its retries: the lease is irrevocable and kept for an operator. */
  revokeErr?: string;
}

/** `sys/leases/lookup` data. */
export interface LeaseInfo {
  id: string;
  issue_time: string;
  expire_time: string | null;
  last_renewal: string | null;
  renewable: boolean;
  ttl: number;
}

export const ID_PREFIX = 'id/';
export const TOKEN_INDEX_PREFIX = 'token/';

/** Token leases are named after the token's path and salted id, as in Vault: `auth/userpass/login/bob/h5a2...`. */
export function authLeaseId(path: string, tokenHash: string): string {
  return `${path.replace(/\/+$/, '')}/${tokenHash}`;
}

/** The storage key of a lease id, or null when the id could never have been stored (`..`, `//`, control chars). */
export function leaseKey(leaseId: string): string | null {
  try {
    validateKey(leaseId);
    return ID_PREFIX + leaseId;
  } catch {
    return null;
  }
}

/** The storage prefix listing leases under `prefix` (normalised to a folder), or null when it is not a valid path. */
export function leasePrefixKey(prefix: string): string | null {
  const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  try {
    validatePrefix(p);
    return ID_PREFIX + p;
  } catch {
    return null;
  }
}

export function encodeLease(e: LeaseEntry): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(e), 'utf8'));
}

export function decodeLease(raw: Uint8Array): LeaseEntry {
  return JSON.parse(Buffer.from(raw).toString('utf8')) as LeaseEntry;
}

/** Seconds left, rounded as Vault does; 0 once expired or for a lease that never expires. */
export function remainingTTL(e: LeaseEntry, nowMs: number): number {
  if (!e.expireTime) return 0;
  return Math.max(0, Math.round((e.expireTime - nowMs) / 1000));
}

/** Whether a renewal may be attempted; the reason is the client's 400 message. */
export function renewProblem(e: LeaseEntry, nowMs: number): string | null {
  if (!e.expireTime) return 'lease is not renewable';
  if (e.expireTime <= nowMs) return 'lease expired';
  if (!e.renewable) return 'lease is not renewable';
  return null;
}

export function leaseInfo(e: LeaseEntry, nowMs: number): LeaseInfo {
  return {
    id: e.leaseId,
    issue_time: new Date(e.issueTime).toISOString(),
    expire_time: e.expireTime ? new Date(e.expireTime).toISOString() : null,
    last_renewal: e.lastRenewalTime ? new Date(e.lastRenewalTime).toISOString() : null,
    renewable: renewProblem(e, nowMs) === null,
    ttl: remainingTTL(e, nowMs),
  };
}
