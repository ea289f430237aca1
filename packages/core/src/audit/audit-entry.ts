import type { KeyObject } from 'node:crypto';
import { requestParameters, type Auth, type Request, type RequestAuth, type Response } from '../logical/request.js';
import { rfc3339Nano } from '../util/rfc3339-nano.js';
import { putOwn } from '../util/own-value.js';
import type { AuditAuth, AuditEntry, AuditRequest, AuditResponse, AuditWrapInfo } from './audit-device.js';
import type { FormatOptions } from './audit-options.js';
import { copyHashed } from './hash-structure.js';
import { hashWithSalt } from './salt.js';
import { hideTokenInPath } from '../util/token-in-path.js';

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
  /**
   * Names the token of `auth` without being it (the token store's salted id): the HMACs of the token and its
   * accessor are remembered under it from one request to the next.
   */
  tokenKey?: string;
}

export interface EntryFormat extends FormatOptions {
  salt: string;
  /** `salt` as a key object, made once per device (salt.ts). */
  saltKey?: KeyObject;
}

/**
 * HMACs already taken for one request with one device's salt, by value: the request and the response entry hash the
 * same token, accessor and usually the same data. Only values of that one request are ever looked up in it.
 */
export type HashMemo = Map<string, string>;

/** Go's `time.RFC3339`: whole seconds. */
function rfc3339(d: Date): string {
  const s = d.toISOString();
  const dot = s.lastIndexOf('.');
  return dot < 0 ? s : s.slice(0, dot) + 'Z';
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

/** What Go's `omitempty` drops from a struct: empty strings, zeros, false, empty slices, null/undefined. */
function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
}

/** Drops the fields Go's `omitempty` drops from a struct. */
function omitEmpty<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    if (!isEmpty(v)) out[k] = v;
  }
  return out as T;
}

/** Sets `key` unless `omitempty` would drop the value; fields are set in the order the encoder writes them. */
function put<T extends object, K extends keyof T>(out: T, key: K, value: T[K] | null | undefined): void {
  if (!isEmpty(value)) out[key] = value as T[K];
}

/** A Go map field: omitted when empty, keys sorted as Go's encoder writes them. */
function mapField<V>(m: Record<string, V> | null | undefined): Record<string, V> | undefined {
  if (!m) return undefined;
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, V> = {};
  for (const k of keys) putOwn(out, k, m[k] as V);
  return out;
}

class Hasher {
  constructor(
    private readonly f: EntryFormat,
    private readonly memo: HashMemo | undefined,
  ) {}

  private hash = (s: string): string => {
    const known = this.memo?.get(s);
    if (known !== undefined) return known;
    const h = hashWithSalt(this.f.saltKey ?? this.f.salt, s);
    this.memo?.set(s, h);
    return h;
  };

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

/** The fields both auth blocks open with, in the order Vault's encoder writes them; empty ones left out. */
function identity(a: RequestAuth | Auth, h: Hasher): AuditAuth {
  const out: AuditAuth = {};
  put(out, 'client_token', h.token(a.clientToken));
  put(out, 'accessor', h.accessor(a.accessor));
  put(out, 'display_name', a.displayName);
  put(out, 'policies', copyStrings(a.policies));
  put(out, 'token_policies', copyStrings(a.tokenPolicies));
  return out;
}

function requestAuth(a: RequestAuth | undefined, input: AuditInput, h: Hasher): AuditAuth {
  // Vault formats a request without a token with an empty auth whose type prints as "default".
  if (!a) return { token_type: 'default' };
  const pr = input.policyResults;
  const out = identity(a, h);
  if (pr) {
    out.policy_results = pr.grantingPolicies?.length
      ? { allowed: pr.allowed, granting_policies: pr.grantingPolicies.map((p) => ({ name: p.name, namespace_id: 'root', type: p.type ?? 'acl' })) }
      : { allowed: pr.allowed };
  }
  put(out, 'metadata', mapField(a.metadata));
  put(out, 'remaining_uses', a.remainingUses);
  put(out, 'entity_id', a.entityId);
  put(out, 'token_type', a.tokenType);
  put(out, 'token_ttl', a.ttl);
  put(out, 'token_issue_time', issueTime(a.issueTime));
  return out;
}

function responseAuth(a: Auth, h: Hasher): AuditAuth {
  const out = identity(a, h);
  put(out, 'no_default_policy', a.noDefaultPolicy);
  put(out, 'metadata', mapField(a.metadata));
  put(out, 'num_uses', a.numUses);
  put(out, 'entity_id', a.entityId);
  put(out, 'token_type', a.tokenType ?? 'default');
  put(out, 'token_ttl', a.ttl);
  return out;
}

function requestSection(input: AuditInput, auth: RequestAuth | undefined, h: Hasher): AuditRequest {
  const r = input.request;
  const data = requestParameters(r);
  const out: AuditRequest = {};
  put(out, 'id', r.id);
  put(out, 'operation', r.operation);
  put(out, 'mount_point', r.mountPoint);
  put(out, 'mount_type', r.mountType);
  put(out, 'mount_accessor', r.mountAccessor);
  put(out, 'client_token', h.token(r.clientToken));
  put(out, 'client_token_accessor', h.accessor(auth?.accessor));
  out.namespace = { id: 'root' };
  // A token in the URL (auth/token/lookup/<token>) is as secret as one in the body: HMAC'd the same way.
  put(out, 'path', r.path && hideTokenInPath(r.path, { token: (t) => h.token(t) ?? t, accessor: (a) => h.accessor(a) ?? a }));
  put(out, 'data', h.data(data));
  put(out, 'remote_address', r.remoteAddress);
  put(out, 'remote_port', r.remotePort);
  put(out, 'wrap_ttl', r.wrapTTL);
  return out;
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
  const out: AuditResponse = {};
  if (resp.auth) out.auth = responseAuth(resp.auth, h);
  put(out, 'mount_point', req.mountPoint);
  put(out, 'mount_type', req.mountType);
  put(out, 'mount_accessor', req.mountAccessor);
  if (resp.secret) out.secret = omitEmpty({ lease_id: resp.secret.leaseId });
  put(out, 'data', h.data(data));
  put(out, 'warnings', copyStrings(resp.warnings));
  put(out, 'wrap_info', wrapInfo);
  return out;
}

/** One entry of either kind; a response entry adds the response, and says only that a forwarded request was forwarded. */
function formatEntry(type: AuditEntry['type'], input: AuditInput, f: EntryFormat, now: Date, memo: HashMemo | undefined): AuditEntry {
  const h = new Hasher(f, memo);
  const auth = input.auth ?? input.request.auth;
  const forwardedFrom = input.request.forwardedFrom;
  const out: AuditEntry = { time: rfc3339Nano(now), type };
  out.auth = requestAuth(auth, input, h);
  out.request = requestSection(input, auth, h);
  if (type === 'response') out.response = responseSection(input, f, h);
  put(out, 'error', input.error);
  if (type === 'request') put(out, 'forwarded_from', forwardedFrom);
  else if (forwardedFrom) out.forwarded = true;
  return out;
}

/** Vault's request entry, hashed with the device's salt and options; `memo` carries HMACs over to the response entry. */
export function formatRequestEntry(input: AuditInput, f: EntryFormat, now: Date, memo?: HashMemo): AuditEntry {
  return formatEntry('request', input, f, now, memo);
}

/** Vault's response entry: the request entry's parts plus the response. */
export function formatResponseEntry(input: AuditInput, f: EntryFormat, now: Date, memo?: HashMemo): AuditEntry {
  return formatEntry('response', input, f, now, memo);
}
