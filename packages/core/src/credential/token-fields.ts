import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import type { Auth } from '../logical/request.js';

/** The token settings every login-issuing entry (a userpass user, an approle role) keeps, as Vault's tokenutil. */
export interface TokenSettings {
  token_policies: string[];
  /** Seconds. */
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_num_uses: number;
  token_no_default_policy: boolean;
  token_type: string;
}

/** Vault's token types; batch tokens are refused since the token store issues service tokens only. */
const TOKEN_TYPES = ['default', 'service', 'default-service', 'default-batch', 'batch'] as const;

/** The `token_*` fields every login-issuing path takes (Vault's tokenutil), plus the deprecated `policies`. */
export const TOKEN_FIELDS: FieldSchemas = {
  token_policies: { type: 'comma-string-slice', description: 'Policies of the tokens issued at login.' },
  policies: { type: 'comma-string-slice', description: 'Deprecated: use "token_policies".' },
  token_ttl: { type: 'duration', description: 'Initial TTL of the tokens issued at login.' },
  token_max_ttl: { type: 'duration', description: 'Maximum lifetime of the tokens issued at login, renewals included.' },
  token_explicit_max_ttl: { type: 'duration', description: 'A hard cap on the lifetime of issued tokens.' },
  token_period: { type: 'duration', description: 'Makes issued tokens periodic, renewable to this period.' },
  token_num_uses: { type: 'int', description: 'Uses of an issued token; 0 = unlimited.' },
  token_no_default_policy: { type: 'bool', description: 'Do not add the "default" policy to issued tokens.' },
  token_type: { type: 'string', default: 'default', allowed: TOKEN_TYPES, description: 'The type of the issued tokens.' },
};

export function newTokenSettings(): TokenSettings {
  return {
    token_policies: [],
    token_ttl: 0,
    token_max_ttl: 0,
    token_explicit_max_ttl: 0,
    token_period: 0,
    token_num_uses: 0,
    token_no_default_policy: false,
    token_type: 'default',
  };
}

/** Policies as Vault keeps them: trimmed, lower-cased, without duplicates, sorted. */
export function normalizePolicies(list: string[]): string[] {
  return [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();
}

/** `default` is the core's to add or leave out, so a renewal compares the entry's own policies only. */
export function samePolicies(a: string[], b: string[]): boolean {
  const norm = (l: string[]) => normalizePolicies(l).filter((p) => p !== 'default');
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/** Applies the policy fields sent (`token_policies`, or the deprecated `policies`); both at once is an error. */
export function applyPolicies(entry: TokenSettings, d: FieldData): void {
  if (d.has('policies') && d.has('token_policies')) throw new InvalidRequestError('cannot specify both "policies" and "token_policies"');
  if (d.has('token_policies')) entry.token_policies = normalizePolicies(d.getStrings('token_policies'));
  else if (d.has('policies')) entry.token_policies = normalizePolicies(d.getStrings('policies'));
}

/** Applies the `token_*` fields the client sent, keeping the others, then checks them together. */
export function applyTokenFields(entry: TokenSettings, d: FieldData): void {
  applyPolicies(entry, d);
  if (d.has('token_ttl')) entry.token_ttl = d.getInt('token_ttl');
  if (d.has('token_max_ttl')) entry.token_max_ttl = d.getInt('token_max_ttl');
  if (d.has('token_explicit_max_ttl')) entry.token_explicit_max_ttl = d.getInt('token_explicit_max_ttl');
  if (d.has('token_period')) entry.token_period = d.getInt('token_period');
  if (d.has('token_num_uses')) entry.token_num_uses = d.getInt('token_num_uses');
  if (d.has('token_no_default_policy')) entry.token_no_default_policy = d.getBool('token_no_default_policy');
  if (d.has('token_type')) entry.token_type = d.getString('token_type');
  if (entry.token_num_uses < 0) throw new InvalidRequestError('"token_num_uses" cannot be negative');
  if (entry.token_ttl > 0 && entry.token_max_ttl > 0 && entry.token_ttl > entry.token_max_ttl) {
    throw new InvalidRequestError('"token_ttl" cannot be greater than "token_max_ttl"');
  }
  if (entry.token_type.endsWith('batch')) throw new InvalidRequestError(`token type "${entry.token_type}" is not supported: only service tokens can be issued`);
}

/** The token fields as a read shows them. */
export function tokenData(entry: TokenSettings): Record<string, unknown> {
  return {
    token_bound_cidrs: [],
    token_explicit_max_ttl: entry.token_explicit_max_ttl,
    token_max_ttl: entry.token_max_ttl,
    token_no_default_policy: entry.token_no_default_policy,
    token_num_uses: entry.token_num_uses,
    token_period: entry.token_period,
    token_policies: entry.token_policies,
    token_ttl: entry.token_ttl,
    token_type: entry.token_type,
  };
}

/** The token part of a login's `auth` block; the core adds `default` (unless told not to) and turns it into a token. */
export function tokenAuth(entry: TokenSettings): Auth {
  return {
    policies: [...entry.token_policies],
    ttl: entry.token_ttl,
    maxTTL: entry.token_max_ttl,
    explicitMaxTTL: entry.token_explicit_max_ttl,
    period: entry.token_period,
    numUses: entry.token_num_uses,
    noDefaultPolicy: entry.token_no_default_policy,
    renewable: true,
  };
}

/** A renewed login's `auth`, with the TTLs the entry has now. */
export function renewedAuth(auth: Auth, entry: TokenSettings): Auth {
  return { ...auth, ttl: entry.token_ttl, maxTTL: entry.token_max_ttl, period: entry.token_period, explicitMaxTTL: entry.token_explicit_max_ttl };
}
