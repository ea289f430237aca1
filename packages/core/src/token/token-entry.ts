import type { Auth, RequestAuth } from '../logical/request.js';

/** A service token as stored at `sys/token/id/<salted-id>`. */
export interface TokenEntry {
  id: string;
  accessor: string;
  displayName: string;
  policies: string[];
  meta: Record<string, string> | null;
  /** The TTL granted at creation (seconds); 0 = never expires. */
  ttl: number;
  /** Unix seconds. */
  creationTime: number;
  /** Uses left; 0 = unlimited; -1 = the last use was taken and the token is being revoked. */
  numUses: number;
  /** The parent's token id; '' = orphan. */
  parent: string;
  /** The path it was created through: `auth/token/create`, `auth/userpass/login/bob`, `auth/token/root`. */
  path: string;
  entityId?: string;
  explicitMaxTTL: number;
  period: number;
  renewable: boolean;
  type: 'service';
  role?: string;
  /** Unix ms; 0 = never. */
  expireTime: number;
  /** Unix ms; 0 = never renewed. */
  lastRenewalTime: number;
  /** A login's max TTL (seconds), reapplied on renewal. */
  maxTTL?: number;
  /** What the auth method stored with the login, handed back to it on renewal. */
  internalData?: Record<string, unknown>;
  /** CIDR blocks the token may be used from; absent = anywhere. */
  boundCidrs?: string[];
}

/** The accessor index value: the accessor itself (for `accessors` listings) and where its token lives. */
export interface AccessorEntry {
  accessor: string;
  tokenHash: string;
}

/** Marks a token whose last use was taken. */
export const REVOCATION_PENDING = -1;

export function encodeJSON(v: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(v), 'utf8'));
}

export function decodeJSON<T>(raw: Uint8Array): T {
  return JSON.parse(Buffer.from(raw).toString('utf8')) as T;
}

/** Seconds left, rounded; 0 for a token that never expires. */
export function remainingTTL(e: TokenEntry, nowMs: number): number {
  return e.expireTime ? Math.max(0, Math.round((e.expireTime - nowMs) / 1000)) : 0;
}

/** Usable: not past its expiry and its last use not yet taken. */
export function isLive(e: TokenEntry, nowMs: number): boolean {
  return e.numUses !== REVOCATION_PENDING && (!e.expireTime || e.expireTime > nowMs);
}

/** `auth/token/lookup*` data, field by field as Vault returns it. */
export function lookupData(e: TokenEntry, nowMs: number): Record<string, unknown> {
  const d: Record<string, unknown> = {
    accessor: e.accessor,
    creation_time: e.creationTime,
    creation_ttl: e.ttl,
    display_name: e.displayName,
    entity_id: e.entityId ?? '',
    expire_time: e.expireTime ? new Date(e.expireTime).toISOString() : null,
    explicit_max_ttl: e.explicitMaxTTL,
    id: e.id,
    identity_policies: [],
    issue_time: new Date(e.creationTime * 1000).toISOString(),
    meta: e.meta,
    num_uses: Math.max(0, e.numUses),
    orphan: e.parent === '',
    path: e.path,
    policies: e.policies,
    renewable: e.renewable && e.expireTime !== 0,
    ttl: remainingTTL(e, nowMs),
    type: e.type,
  };
  if (e.period) d.period = e.period;
  if (e.role) d.role = e.role;
  if (e.lastRenewalTime) {
    d.last_renewal_time = Math.floor(e.lastRenewalTime / 1000);
    d.last_renewal = new Date(e.lastRenewalTime).toISOString();
  }
  return d;
}

/** The `auth` block of a create or renew response; `ttl` is the lease just granted. */
export function authBlock(e: TokenEntry, ttl: number): Auth {
  const auth: Auth = {
    clientToken: e.id,
    accessor: e.accessor,
    policies: e.policies,
    tokenPolicies: e.policies,
    displayName: e.displayName,
    ttl,
    leaseDuration: ttl,
    renewable: e.renewable && e.expireTime !== 0,
    orphan: e.parent === '',
    numUses: Math.max(0, e.numUses),
    tokenType: 'service',
    entityId: e.entityId ?? '',
    explicitMaxTTL: e.explicitMaxTTL,
    period: e.period,
  };
  if (e.meta) auth.metadata = e.meta;
  return auth;
}

/** What an auth method's `renewAuth` receives: the login as it was granted. */
export function loginAuth(e: TokenEntry): Auth {
  const auth = authBlock(e, e.ttl);
  if (e.maxTTL) auth.maxTTL = e.maxTTL;
  if (e.internalData) auth.internalData = e.internalData;
  return auth;
}

/** What a request carries about the token that made it, once the token is resolved. */
export function requestAuth(e: TokenEntry, clientToken: string): RequestAuth {
  return {
    clientToken,
    accessor: e.accessor,
    displayName: e.displayName,
    policies: e.policies,
    tokenPolicies: e.policies,
    metadata: e.meta ?? {},
    entityId: e.entityId ?? '',
    tokenType: 'service',
    ttl: e.ttl,
    issueTime: new Date(e.creationTime * 1000),
    numUses: e.numUses,
    remainingUses: e.numUses,
    orphan: e.parent === '',
    path: e.path,
  };
}
