import { isDeepStrictEqual } from 'node:util';
import type { Operation } from '../logical/request.js';
import { ownValue, putOwn } from '../util/own-value.js';
import type { Capability, PathRules, Policy } from './policy.js';

/** What a request may do, as Vault's `ACLResults` reports it. */
export interface ACLResult {
  allowed: boolean;
  /** The matched rule grants `sudo` (needed on root-protected paths). */
  rootPrivs: boolean;
  /** The `root` policy: everything is allowed. */
  isRoot: boolean;
  /** Policies that granted the capability the operation needed (empty when denied). */
  grantingPolicies: string[];
  /** The matched rule's capabilities, in `sys/capabilities` form (`['deny']` when none, `['root']` for root). */
  capabilities: string[];
  /** The matched rule's wrapping bounds in seconds, when it has any (already enforced against `wrapTTL`). */
  wrapping?: { min?: number; max?: number };
}

export interface ACLCheck {
  operation: Operation;
  /** Full request path (below `/v1/`); list paths as the router passes them, with their trailing `/`. */
  path: string;
  /** Request parameters, checked against allowed/denied/required parameters on read, create, update and patch. */
  data?: Record<string, unknown>;
  /** For create/update: whether the target exists (existence check); `false` needs `create`, `true` needs `update`. */
  existing?: boolean;
  /** The wrap TTL the client asked for (seconds); absent = not wrapped, which a rule with wrapping bounds refuses. */
  wrapTTL?: number;
}

/** Capability bits; the order of `CAP_ORDER` is the order Vault's `sys/capabilities` lists them in. */
const BIT: Record<Capability, number> = { deny: 1, create: 2, read: 4, update: 8, delete: 16, list: 32, sudo: 64, patch: 128 };
const CAP_ORDER: Capability[] = ['sudo', 'read', 'list', 'update', 'delete', 'create', 'patch'];

/** The merged rules of one pattern across every policy of the ACL. */
interface Permissions {
  bits: number;
  granting: Map<Capability, string[]>;
  allowed?: Record<string, unknown[]>;
  denied?: Record<string, unknown[]>;
  required: string[];
  minWrappingTTL: number;
  maxWrappingTTL: number;
}

interface Candidate {
  firstWildcard: number;
  isPrefix: boolean;
  wildcards: number;
  path: string;
  perms: Permissions;
}

function bitsOf(caps: readonly Capability[]): number {
  return caps.reduce((b, c) => b | BIT[c], 0);
}

function capNames(bits: number): string[] {
  if (bits & BIT.deny) return ['deny'];
  const out = CAP_ORDER.filter((c) => bits & BIT[c]);
  return out.length ? out : ['deny'];
}

function addGranting(m: Map<Capability, string[]>, policy: string, bits: number): void {
  for (const c of Object.keys(BIT) as Capability[]) {
    if (!(bits & BIT[c])) continue;
    const list = m.get(c) ?? [];
    if (!list.includes(policy)) list.push(policy);
    m.set(c, list);
  }
}

function cloneParams(p: Record<string, unknown[]> | undefined): Record<string, unknown[]> | undefined {
  return p ? Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [...v]])) : undefined;
}

/** Vault's parameter merge for one pattern in several policies: an empty list (any value) wins, else values add up. */
function mergeParams(existing: Record<string, unknown[]> | undefined, add: Record<string, unknown[]> | undefined): Record<string, unknown[]> | undefined {
  if (!add || Object.keys(add).length === 0) return existing;
  if (!existing) return cloneParams(add);
  for (const [k, v] of Object.entries(add)) {
    const cur = ownValue(existing, k);
    putOwn(existing, k, v.length === 0 || (cur !== undefined && cur.length === 0) ? [] : [...v, ...(cur ?? [])]);
  }
  return existing;
}

/** Vault keeps the lesser of two set bounds, so a merged wrapping lifetime is as short as any policy asks. */
function lesserTTL(existing: number, add: number | undefined): number {
  if (!add) return existing;
  return existing === 0 || add < existing ? add : existing;
}

/** `*` at either end of an allowed/denied value is a glob (Vault's strutil.GlobbedStringsMatch). */
function globMatch(item: string, val: string): boolean {
  if (item.length < 2) return val === item;
  const pre = item.startsWith('*');
  const suf = item.endsWith('*');
  if (pre && suf) return val.includes(item.slice(1, -1));
  if (pre) return val.endsWith(item.slice(1));
  if (suf) return val.startsWith(item.slice(0, -1));
  return val === item;
}

function inList(v: unknown, list: unknown[]): boolean {
  return list.some((el) => {
    if (el === null || el === undefined || v === null || v === undefined) return (el ?? null) === (v ?? null);
    if (typeof el === 'string') return typeof v === 'string' && globMatch(el, v);
    return isDeepStrictEqual(el, v);
  });
}

/** Vault reads a string value as a possible comma-separated list (`"a,b"`), since the field may be one. */
function commaParts(v: string): string[] {
  return v === '' ? [] : v.split(',').map((s) => s.trim());
}

function valueAllowed(v: unknown, list: unknown[]): boolean {
  if (list.length === 0 || inList(v, list)) return true;
  if (Array.isArray(v)) return v.every((x) => inList(x, list));
  if (typeof v === 'string') return commaParts(v).every((x) => inList(x, list));
  return false;
}

function valueDenied(v: unknown, list: unknown[]): boolean {
  if (list.length === 0 || inList(v, list)) return true;
  if (Array.isArray(v)) return v.some((x) => inList(x, list));
  if (typeof v === 'string') return commaParts(v).some((x) => inList(x, list));
  return false;
}

/** Vault's priority between two matching non-exact rules, its documented rules 1-5 in order; positive when `a` wins. */
function comparePriority(a: Candidate, b: Candidate): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard; // 1: later wildcard wins
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1; // 2: not ending in `*` wins
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards; // 3: fewer `+` wins
  if (a.path.length !== b.path.length) return a.path.length - b.path.length; // 4: longer wins
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0; // 5: lexicographically greater wins
}

/** Which capability an operation needs; null for operations no policy grants. */
function neededCapability(op: Operation, existing: boolean | undefined): Capability | null {
  switch (op) {
    case 'read':
    case 'list':
    case 'delete':
    case 'patch':
      return op;
    case 'create':
    case 'update':
      return existing === undefined ? op : existing ? 'update' : 'create';
    case 'renew':
    case 'revoke':
      return 'update';
    default:
      return null;
  }
}

/**
 * A set of policies compiled for checks, with Vault's rules: an exact rule beats every glob; among globs (`*`
 * suffix, `+` segments) only the highest-priority match counts; one pattern in several policies unions its
 * capabilities, and `deny` in any of them makes it deny only.
 */
export class ACL {
  readonly isRoot: boolean;
  private readonly exact = new Map<string, Permissions>();
  private readonly prefix = new Map<string, Permissions>();
  private readonly segment = new Map<string, Permissions>();

  constructor(policies: readonly Policy[]) {
    this.isRoot = policies.some((p) => p.name === 'root');
    if (this.isRoot) return;
    for (const policy of policies) {
      for (const rule of policy.paths) {
        // Templated paths need an identity entity to render against; there is none here, so they never match.
        if (rule.templated) continue;
        const table = rule.hasSegmentWildcards ? this.segment : rule.isPrefix ? this.prefix : this.exact;
        table.set(rule.path, this.merge(table.get(rule.path), rule, policy.name));
      }
    }
  }

  private merge(existing: Permissions | undefined, rule: PathRules, policy: string): Permissions {
    const bits = bitsOf(rule.capabilities);
    if (!existing) {
      const granting = new Map<Capability, string[]>();
      addGranting(granting, policy, bits);
      return {
        bits,
        granting,
        allowed: cloneParams(rule.allowedParameters),
        denied: cloneParams(rule.deniedParameters),
        required: [...(rule.requiredParameters ?? [])],
        minWrappingTTL: rule.minWrappingTTL ?? 0,
        maxWrappingTTL: rule.maxWrappingTTL ?? 0,
      };
    }
    if (existing.bits & BIT.deny) return existing;
    if (bits & BIT.deny) {
      existing.bits = BIT.deny;
      existing.allowed = undefined;
      existing.denied = undefined;
      return existing;
    }
    existing.bits |= bits;
    addGranting(existing.granting, policy, bits);
    existing.maxWrappingTTL = lesserTTL(existing.maxWrappingTTL, rule.maxWrappingTTL);
    existing.minWrappingTTL = lesserTTL(existing.minWrappingTTL, rule.minWrappingTTL);
    existing.allowed = mergeParams(existing.allowed, rule.allowedParameters);
    existing.denied = mergeParams(existing.denied, rule.deniedParameters);
    for (const p of rule.requiredParameters ?? []) if (!existing.required.includes(p)) existing.required.push(p);
    return existing;
  }

  /** Vault's `sys/capabilities` answer for a path: `['root']`, `['deny']`, or the granted capabilities. */
  capabilities(path: string): string[] {
    if (this.isRoot) return ['root'];
    const perms = this.lookup(stripSlashes(path), 'list');
    return capNames(perms?.bits ?? 0);
  }

  allowOperation(input: ACLCheck): ACLResult {
    const { operation: op } = input;
    if (this.isRoot) return { allowed: true, rootPrivs: true, isRoot: true, grantingPolicies: ['root'], capabilities: ['root'] };
    const denied: ACLResult = { allowed: false, rootPrivs: false, isRoot: false, grantingPolicies: [], capabilities: ['deny'] };
    if (op === 'help') return { ...denied, allowed: true, capabilities: [] };

    const perms = this.lookup(stripSlashes(input.path), op);
    if (!perms) return denied;
    const result: ACLResult = { ...denied, rootPrivs: (perms.bits & BIT.sudo) !== 0, capabilities: capNames(perms.bits) };
    if (perms.minWrappingTTL || perms.maxWrappingTTL) {
      result.wrapping = {};
      if (perms.minWrappingTTL) result.wrapping.min = perms.minWrappingTTL;
      if (perms.maxWrappingTTL) result.wrapping.max = perms.maxWrappingTTL;
    }

    const cap = neededCapability(op, input.existing);
    if (!cap || perms.bits & BIT.deny || !(perms.bits & BIT[cap])) return result;
    if (!wrappingOk(perms, input.wrapTTL)) return result;
    if ((cap === 'read' || cap === 'create' || cap === 'update' || cap === 'patch') && !paramsOk(perms, input.data ?? {})) return result;
    return { ...result, allowed: true, grantingPolicies: [...(perms.granting.get(cap) ?? [])] };
  }

  /** The rule that governs `path`, in Vault's order: exact, then (for list) exact without the `/`, then globs. */
  private lookup(path: string, op: Operation): Permissions | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    const isList = op === 'list';
    const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
    if (isList) {
      const e = this.exact.get(trimmed);
      if (e) return e;
      // Vault checks a list path without its trailing `/` first, so `secret/foo*` covers `LIST secret/foo/`.
      if (trimmed !== path) {
        const p = this.nonExact(trimmed);
        if (p) return p;
      }
    }
    return this.nonExact(path);
  }

  private nonExact(path: string): Permissions | undefined {
    let best: Candidate | undefined;
    for (let i = path.length; i >= 0; i--) {
      const perms = this.prefix.get(path.slice(0, i));
      if (perms) {
        best = { firstWildcard: i, isPrefix: true, wildcards: 0, path: path.slice(0, i), perms };
        break;
      }
    }
    if (this.segment.size === 0) return best?.perms;
    const parts = path.split('/');
    for (const [full, perms] of this.segment) {
      const c = matchSegments(full, parts, perms);
      if (c && (!best || comparePriority(c, best) > 0)) best = c;
    }
    return best?.perms;
  }
}

function stripSlashes(path: string): string {
  return path.replace(/^\/+/, '');
}

function matchSegments(full: string, parts: string[], perms: Permissions): Candidate | undefined {
  const isPrefix = full.endsWith('*');
  const pattern = isPrefix ? full.slice(0, -1) : full;
  const segs = pattern.split('/');
  if (parts.length < segs.length || (!isPrefix && parts.length !== segs.length)) return undefined;
  let wildcards = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const part = parts[i]!;
    if (seg === '+') wildcards++;
    else if (seg === part) continue;
    else if (!(isPrefix && i === segs.length - 1 && part.startsWith(seg))) return undefined;
  }
  return { firstWildcard: full.indexOf('+'), isPrefix, wildcards, path: pattern, perms };
}

function wrappingOk(perms: Permissions, wrapTTL: number | undefined): boolean {
  if (perms.maxWrappingTTL > 0 && (wrapTTL === undefined || wrapTTL > perms.maxWrappingTTL)) return false;
  if (perms.minWrappingTTL > 0 && (wrapTTL === undefined || wrapTTL < perms.minWrappingTTL)) return false;
  // Merging across policies can leave max below min even though each policy was checked on write.
  return !(perms.minWrappingTTL && perms.maxWrappingTTL && perms.maxWrappingTTL < perms.minWrappingTTL);
}

/** Vault's parameter rules: required must be present; then `denied` wins; then anything not allowed is refused. */
function paramsOk(perms: Permissions, data: Record<string, unknown>): boolean {
  for (const p of perms.required) if (!Object.prototype.hasOwnProperty.call(data, p.toLowerCase())) return false;
  const entries = Object.entries(data);
  if (entries.length === 0) return true;
  if (perms.denied && Object.keys(perms.denied).length > 0) {
    if (Object.hasOwn(perms.denied, '*')) return false;
    for (const [k, v] of entries) {
      // Parameter names are the client's: `constructor` must not find Object.prototype's.
      const list = ownValue(perms.denied, k.toLowerCase());
      if (list && valueDenied(v, list)) return false;
    }
  }
  if (!perms.allowed || Object.keys(perms.allowed).length === 0) return true;
  const allowAll = Object.hasOwn(perms.allowed, '*');
  if (allowAll && Object.keys(perms.allowed).length === 1) return true;
  for (const [k, v] of entries) {
    const list = ownValue(perms.allowed, k.toLowerCase());
    if (!list && !allowAll) return false;
    if (list && !valueAllowed(v, list)) return false;
  }
  return true;
}
