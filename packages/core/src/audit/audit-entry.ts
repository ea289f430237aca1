import type { Auth, Request, RequestAuth, Response } from '../logical/request.js';
import type { AuditAuth, AuditEntry, AuditRequest, AuditResponse, AuditWrapInfo } from './audit-device.js';
import type { FormatOptions } from './audit-options.js';
import { copyHashed } from './hash-structure.js';
import { hashWithSalt } from './salt.js';

/** What the core hands the broker for one request (and, later, its response). */
export interface AuditInput {
  /** The request as the core saw it: `path` is the full path below `/v1/`, not the mount-relative one. */
  request: Request;
  /** The identity the token resolved to; defaults to `request.auth`. */
  auth?: RequestAuth;
  response?: Response;
  error?: string;
  /** The ACL decision, when the request went through one. */
  policyResults?: { allowed: boolean; grantingPolicies?: { name: string; type?: string }[] };
}

export interface EntryFormat extends FormatOptions {
  salt: string;
}

/** Go's `time.RFC3339Nano` of a UTC time: the fraction loses its trailing zeros, and the dot when nothing is left. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Go's `time.RFC3339`: whole seconds. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

function issueTime(t: Date | string | number | undefined): string | undefined {
  if (t === undefined) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : rfc3339(d);
}

/** One JSON line as Go's encoder writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped (they only occur inside strings). */
export function encodeEntry(entry: AuditEntry): string {
  return JSON.stringify(entry).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Drops the fields Go's `omitempty` drops from a struct: empty strings, zeros, false, empty slices, null/undefined. */
function omitEmpty<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '' || v === 0 || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

/** A Go map field: omitted when empty, keys sorted as Go's encoder writes them. */
function mapField<V>(m: Record<string, V> | null | undefined): Record<string, V> | undefined {
  if (!m) return undefined;
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, V> = {};
  for (const k of keys) out[k] = m[k] as V;
  return out;
}

class Hasher {
  constructor(private readonly f: EntryFormat) {}

  private hash = (s: string): string => hashWithSalt(this.f.salt, s);

  /** Tokens are hashed unless log_raw; an absent token stays absent. */
  token(s: string | undefined): string | undefined {
    return s && !this.f.logRaw ? this.hash(s) : s;
  }

  accessor(s: string | undefined): string | undefined {
    return s && !this.f.logRaw && this.f.hmacAccessor ? this.hash(s) : s;
  }

  data(d: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
    if (!d) return undefined;
    return mapField(copyHashed(d, this.f.logRaw ? null : this.hash) as Record<string, unknown>);
  }
}

function copyStrings(a: string[] | undefined): string[] | undefined {
  return a ? [...a] : undefined;
}

/** The fields both auth blocks open with, in the order Vault's encoder writes them. */
function identity(a: RequestAuth | Auth, h: Hasher): AuditAuth {
  return {
    client_token: h.token(a.clientToken),
    accessor: h.accessor(a.accessor),
    display_name: a.displayName,
    policies: copyStrings(a.policies),
    token_policies: copyStrings(a.tokenPolicies),
  };
}

function requestAuth(a: RequestAuth | undefined, input: AuditInput, h: Hasher): AuditAuth {
  // Vault formats a request without a token with an empty auth whose type prints as "default".
  if (!a) return { token_type: 'default' };
  const pr = input.policyResults;
  return omitEmpty<AuditAuth>({
    ...identity(a, h),
    policy_results: pr && {
      allowed: pr.allowed,
      ...(pr.grantingPolicies?.length
        ? { granting_policies: pr.grantingPolicies.map((p) => ({ name: p.name, namespace_id: 'root', type: p.type ?? 'acl' })) }
        : {}),
    },
    metadata: mapField(a.metadata),
    remaining_uses: a.remainingUses,
    entity_id: a.entityId,
    token_type: a.tokenType,
    token_ttl: a.ttl,
    token_issue_time: issueTime(a.issueTime),
  });
}

function responseAuth(a: Auth, h: Hasher): AuditAuth {
  return omitEmpty<AuditAuth>({
    ...identity(a, h),
    no_default_policy: a.noDefaultPolicy,
    metadata: mapField(a.metadata),
    num_uses: a.numUses,
    entity_id: a.entityId,
    token_type: a.tokenType ?? 'default',
    token_ttl: a.ttl,
  });
}

function requestSection(input: AuditInput, auth: RequestAuth | undefined, h: Hasher): AuditRequest {
  const r = input.request;
  const data = r.query ? { ...r.query, ...r.data } : r.data;
  return omitEmpty<AuditRequest>({
    id: r.id,
    operation: r.operation,
    mount_point: r.mountPoint,
    mount_type: r.mountType,
    mount_accessor: r.mountAccessor,
    client_token: h.token(r.clientToken),
    client_token_accessor: h.accessor(auth?.accessor),
    namespace: { id: 'root' },
    path: r.path,
    data: h.data(data),
    remote_address: r.remoteAddress,
    remote_port: r.remotePort,
    wrap_ttl: r.wrapTTL,
  });
}

function elideList(data: Record<string, unknown>): void {
  if (Array.isArray(data.keys) && data.keys.every((k) => typeof k === 'string')) data.keys = data.keys.length;
  const info = data.key_info;
  if (info && typeof info === 'object' && !Array.isArray(info)) data.key_info = Object.keys(info).length;
}

function responseSection(input: AuditInput, f: EntryFormat, h: Hasher): AuditResponse {
  const req = input.request;
  const resp = input.response ?? {};
  let data = resp.data ?? undefined;
  if (data && f.elideListResponses && req.operation === 'list') {
    data = { ...data };
    elideList(data);
  }
  const w = resp.wrapInfo;
  const wrapInfo: AuditWrapInfo | undefined = w
    ? omitEmpty<AuditWrapInfo>({
        ttl: w.ttl,
        token: h.token(w.token),
        accessor: h.accessor(w.accessor),
        creation_time: w.creationTime,
        creation_path: w.creationPath,
        wrapped_accessor: h.accessor(w.wrappedAccessor),
      })
    : undefined;
  return omitEmpty<AuditResponse>({
    auth: resp.auth && responseAuth(resp.auth, h),
    mount_point: req.mountPoint,
    mount_type: req.mountType,
    mount_accessor: req.mountAccessor,
    secret: resp.secret && omitEmpty({ lease_id: resp.secret.leaseId }),
    data: h.data(data),
    warnings: copyStrings(resp.warnings),
    wrap_info: wrapInfo,
  });
}

/** One entry of either kind; a response entry adds the response, and says only that a forwarded request was forwarded. */
function formatEntry(type: AuditEntry['type'], input: AuditInput, f: EntryFormat, now: Date): AuditEntry {
  const h = new Hasher(f);
  const auth = input.auth ?? input.request.auth;
  const forwardedFrom = input.request.forwardedFrom;
  return omitEmpty<AuditEntry>({
    time: rfc3339Nano(now),
    type,
    auth: requestAuth(auth, input, h),
    request: requestSection(input, auth, h),
    response: type === 'response' ? responseSection(input, f, h) : undefined,
    error: input.error,
    forwarded_from: type === 'request' ? forwardedFrom : undefined,
    forwarded: type === 'response' && forwardedFrom ? true : undefined,
  });
}

/** Vault's request entry, hashed with the device's salt and options. */
export function formatRequestEntry(input: AuditInput, f: EntryFormat, now: Date): AuditEntry {
  return formatEntry('request', input, f, now);
}

/** Vault's response entry: the request entry's parts plus the response. */
export function formatResponseEntry(input: AuditInput, f: EntryFormat, now: Date): AuditEntry {
  return formatEntry('response', input, f, now);
}
