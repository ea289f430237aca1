import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../engines/json-entry.js';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import type { Auth } from '../logical/request.js';

/** A userpass user as stored at `user/<name>` in the mount's view. The password exists only as its hash. */
export interface UserEntry {
  password_hash: string;
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

const USER_PREFIX = 'user/';

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

export function newUser(): UserEntry {
  return {
    password_hash: '',
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

/** Applies the policy fields sent (`token_policies`, or the deprecated `policies`); both at once is an error. */
export function applyPolicies(user: UserEntry, d: FieldData): void {
  if (d.has('policies') && d.has('token_policies')) throw new InvalidRequestError('cannot specify both "policies" and "token_policies"');
  if (d.has('token_policies')) user.token_policies = normalizePolicies(d.getStrings('token_policies'));
  else if (d.has('policies')) user.token_policies = normalizePolicies(d.getStrings('policies'));
}

/** Applies the `token_*` fields the client sent, keeping the others, then checks them together. */
export function applyTokenFields(user: UserEntry, d: FieldData): void {
  applyPolicies(user, d);
  if (d.has('token_ttl')) user.token_ttl = d.getInt('token_ttl');
  if (d.has('token_max_ttl')) user.token_max_ttl = d.getInt('token_max_ttl');
  if (d.has('token_explicit_max_ttl')) user.token_explicit_max_ttl = d.getInt('token_explicit_max_ttl');
  if (d.has('token_period')) user.token_period = d.getInt('token_period');
  if (d.has('token_num_uses')) user.token_num_uses = d.getInt('token_num_uses');
  if (d.has('token_no_default_policy')) user.token_no_default_policy = d.getBool('token_no_default_policy');
  if (d.has('token_type')) user.token_type = d.getString('token_type');
  if (user.token_num_uses < 0) throw new InvalidRequestError('"token_num_uses" cannot be negative');
  if (user.token_ttl > 0 && user.token_max_ttl > 0 && user.token_ttl > user.token_max_ttl) {
    throw new InvalidRequestError('"token_ttl" cannot be greater than "token_max_ttl"');
  }
  if (user.token_type.endsWith('batch')) throw new InvalidRequestError(`token type "${user.token_type}" is not supported: only service tokens can be issued`);
}

/** What a read of `users/<name>` shows: the token fields only, never the password or its hash. */
export function userData(user: UserEntry): Record<string, unknown> {
  return {
    token_bound_cidrs: [],
    token_explicit_max_ttl: user.token_explicit_max_ttl,
    token_max_ttl: user.token_max_ttl,
    token_no_default_policy: user.token_no_default_policy,
    token_num_uses: user.token_num_uses,
    token_period: user.token_period,
    token_policies: user.token_policies,
    token_ttl: user.token_ttl,
    token_type: user.token_type,
  };
}

/** The login's `auth` block; the core adds `default` (unless told not to) and turns it into a token. */
export function loginAuth(username: string, user: UserEntry): Auth {
  return {
    policies: [...user.token_policies],
    metadata: { username },
    displayName: username,
    ttl: user.token_ttl,
    maxTTL: user.token_max_ttl,
    explicitMaxTTL: user.token_explicit_max_ttl,
    period: user.token_period,
    numUses: user.token_num_uses,
    noDefaultPolicy: user.token_no_default_policy,
    renewable: true,
  };
}

/** The users of one mount, in its own storage view. */
export class UserStore {
  constructor(private readonly storage: Backend) {}

  private key(username: string): string {
    return USER_PREFIX + username;
  }

  async get(username: string): Promise<UserEntry | null> {
    const key = this.key(username);
    if (!isStorableKey(key)) return null;
    const raw = await this.storage.get(key);
    return raw ? { ...newUser(), ...decodeJSON<Partial<UserEntry>>(raw) } : null;
  }

  async put(username: string, user: UserEntry): Promise<void> {
    const key = this.key(username);
    requireStorableKey(key, username);
    await this.storage.put(key, encodeJSON(user));
  }

  async delete(username: string): Promise<void> {
    const key = this.key(username);
    if (isStorableKey(key)) await this.storage.delete(key);
  }

  async list(): Promise<string[]> {
    return (await this.storage.list(USER_PREFIX)).filter((k) => !k.endsWith('/'));
  }
}
