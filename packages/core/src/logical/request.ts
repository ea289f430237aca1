import { randomUUID } from 'node:crypto';

export type Operation = 'read' | 'create' | 'update' | 'patch' | 'delete' | 'list' | 'help' | 'renew' | 'revoke';

/** What the token lookup resolved the client token to; carried on the request after the ACL step. */
export interface RequestAuth {
  clientToken: string;
  accessor: string;
  displayName: string;
  policies: string[];
  tokenPolicies: string[];
  metadata: Record<string, string>;
  entityId: string;
  tokenType: 'service' | 'batch';
  ttl: number;
  issueTime: Date;
  numUses: number;
  remainingUses: number;
  orphan: boolean;
  /** The token store path the token was created through, e.g. `auth/token/root`. */
  path: string;
}

export interface Request {
  id: string;
  operation: Operation;
  /** Path below `/v1/`, no leading slash. */
  path: string;
  data: Record<string, unknown>;
  /** Query parameters of a GET (Vault exposes them as request data to reads). */
  query?: Record<string, string>;
  clientToken: string;
  headers: Record<string, string>;
  /** Seconds, from `X-Vault-Wrap-TTL`. */
  wrapTTL?: number;
  remoteAddress?: string;
  remotePort?: number;
  /** Set on the active node when a standby forwarded the request. */
  forwardedFrom?: string;
  /** Set by the core. */
  mountPoint?: string;
  mountType?: string;
  mountAccessor?: string;
  auth?: RequestAuth;
  /** The request as seen by a backend: path relative to its mount. */
  unauthenticated?: boolean;
  /** Aborted when the node stops being active mid-request. */
  signal?: AbortSignal;
  /** Set by the core after the ACL check: the caller has `sudo` (or root) on this path. */
  rootPrivs?: boolean;
  /** Work the core runs after the request released the state lock (seal, step-down). */
  deferred?: (() => Promise<void>)[];
}

export interface Auth {
  clientToken?: string;
  accessor?: string;
  policies: string[];
  tokenPolicies?: string[];
  metadata?: Record<string, string>;
  displayName?: string;
  /** Seconds; 0 = the mount's / system's default. */
  ttl?: number;
  maxTTL?: number;
  explicitMaxTTL?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  noDefaultPolicy?: boolean;
  orphan?: boolean;
  tokenType?: 'service' | 'batch';
  entityId?: string;
  /** Data a login stores to re-check on renewal. */
  internalData?: Record<string, unknown>;
  leaseDuration?: number;
  /** CIDR blocks the issued token may be used from (`token_bound_cidrs`). */
  boundCidrs?: string[];
}

export interface Secret {
  leaseId?: string;
  /** Seconds. */
  ttl: number;
  maxTTL?: number;
  renewable: boolean;
  /** Kept with the lease, handed back on renew/revoke. */
  internalData?: Record<string, unknown>;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creationTime: string;
  creationPath: string;
  wrappedAccessor?: string;
}

export interface Response {
  data?: Record<string, unknown> | null;
  secret?: Secret;
  auth?: Auth;
  warnings?: string[];
  wrapInfo?: WrapInfo;
  /** A response the HTTP layer writes as given (kv v2 deleted version, metrics text). */
  raw?: { status: number; body: unknown; contentType?: string };
  /** Set by the core for the HTTP layer. */
  mountType?: string;
}

/**
 * Every parameter of a request as a backend reads it: the query string merged under the body (Vault hands both
 * to a backend as request data). Whatever judges or records parameters (ACL, audit) looks at this, not at the
 * body alone. Keys such as `__proto__` stay data: the result has no prototype.
 */
export function requestParameters(req: Pick<Request, 'data' | 'query'>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const source of [req.query, req.data]) {
    if (!source) continue;
    for (const k of Object.keys(source)) out[k] = source[k];
  }
  return out;
}

/** A response that says nothing: no data, auth, secret, wrapping or warnings (a read of it means "not found"). */
export function isEmptyResponse(resp: Response): boolean {
  return (resp.data === undefined || resp.data === null) && !resp.auth && !resp.secret && !resp.wrapInfo && !resp.raw && !resp.warnings?.length;
}

export function addWarning(resp: Response, warning: string): void {
  (resp.warnings ??= []).push(warning);
}

/** A request the node makes on a backend's behalf (lease revoke and renew, login renewal): no client, no token. */
export function internalRequest(operation: Operation, path: string, mountPrefix: string): Request {
  return { id: randomUUID(), operation, path: path.slice(mountPrefix.length), data: {}, clientToken: '', headers: {}, mountPoint: mountPrefix };
}
