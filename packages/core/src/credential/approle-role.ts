import { randomUUID } from 'node:crypto';
import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../util/json-entry.js';
import { InvalidRequestError } from '../errors.js';
import { parseCidrs } from '../util/cidr.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { TOKEN_FIELDS, applyTokenFields, newTokenSettings, tokenData, type TokenSettings } from './token-fields.js';

/** An approle role as stored at `role/<name>` in the mount's view. */
export interface RoleEntry extends TokenSettings {
  /** Not a secret on its own (a read shows it): a login needs a secret ID too unless `bind_secret_id` is off. */
  role_id: string;
  bind_secret_id: boolean;
  /** Defaults for the secret IDs of the role; 0 = unlimited uses / no expiry. */
  secret_id_num_uses: number;
  /** Seconds. */
  secret_id_ttl: number;
  /** Where a login may come from; checked at login (a role without a secret ID must set one of the two). */
  secret_id_bound_cidrs: string[];
  token_bound_cidrs: string[];
}

const ROLE_PREFIX = 'role/';
/** Index from a role ID's HMAC to the role name, so a login finds its role without a scan. */
const ROLE_ID_PREFIX = 'role_id/';

export const ROLE_NAME: FieldSchemas = { role_name: { type: 'lowercase-string', description: 'Name of the role.', required: true } };

export const ROLE_FIELDS: FieldSchemas = {
  ...ROLE_NAME,
  role_id: { type: 'string', description: 'A custom role ID; a UUID is generated when none is given.' },
  bind_secret_id: { type: 'bool', default: true, description: 'Whether a login must present a secret ID.' },
  secret_id_num_uses: { type: 'int', description: 'Uses of each secret ID; 0 = unlimited.' },
  secret_id_ttl: { type: 'duration', description: 'Lifetime of each secret ID; 0 = no expiry.' },
  ...TOKEN_FIELDS,
  secret_id_bound_cidrs: { type: 'comma-string-slice', description: 'CIDR blocks a login must come from.' },
  token_bound_cidrs: { type: 'comma-string-slice', description: 'CIDR blocks a login and its token must come from.' },
};

export function newRole(): RoleEntry {
  return { role_id: randomUUID(), bind_secret_id: true, secret_id_num_uses: 0, secret_id_ttl: 0, secret_id_bound_cidrs: [], token_bound_cidrs: [], ...newTokenSettings() };
}

/** Applies the role fields the client sent, keeping the others (except `role_id`, which has its own path too). */
export function applyRoleFields(role: RoleEntry, d: FieldData): void {
  applyTokenFields(role, d);
  if (d.has('bind_secret_id')) role.bind_secret_id = d.getBool('bind_secret_id');
  if (d.has('secret_id_num_uses')) role.secret_id_num_uses = d.getInt('secret_id_num_uses');
  if (d.has('secret_id_ttl')) role.secret_id_ttl = d.getInt('secret_id_ttl');
  if (d.has('secret_id_bound_cidrs')) role.secret_id_bound_cidrs = parseCidrs(d.getStrings('secret_id_bound_cidrs'), 'secret_id_bound_cidrs');
  if (d.has('token_bound_cidrs')) role.token_bound_cidrs = parseCidrs(d.getStrings('token_bound_cidrs'), 'token_bound_cidrs');
  if (role.secret_id_num_uses < 0) throw new InvalidRequestError('"secret_id_num_uses" cannot be negative');
  // Vault's rule: a role ID alone is not a secret (a read shows it), so without a secret ID the network must be bound.
  if (!role.bind_secret_id && role.secret_id_bound_cidrs.length === 0 && role.token_bound_cidrs.length === 0) {
    throw new InvalidRequestError('at least one constraint should be enabled on the role: bind_secret_id, secret_id_bound_cidrs or token_bound_cidrs');
  }
}

/** What a read of `role/<name>` shows; the role ID has its own path. */
export function roleData(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bind_secret_id,
    local_secret_ids: false,
    secret_id_bound_cidrs: role.secret_id_bound_cidrs,
    secret_id_num_uses: role.secret_id_num_uses,
    secret_id_ttl: role.secret_id_ttl,
    ...tokenData(role),
    token_bound_cidrs: role.token_bound_cidrs,
    // Deprecated mirrors Vault still returns.
    policies: role.token_policies,
    period: role.token_period,
  };
}

/** The roles of one mount and their role-ID index, in its own storage view. */
export class RoleStore {
  constructor(
    private readonly storage: Backend,
    private readonly hmac: (value: string) => Promise<string>,
  ) {}

  async get(name: string): Promise<RoleEntry | null> {
    const key = ROLE_PREFIX + name;
    if (!isStorableKey(key)) return null;
    const raw = await this.storage.get(key);
    return raw ? { ...newRole(), ...decodeJSON<Partial<RoleEntry>>(raw) } : null;
  }

  /** Stores the role and points its role ID at it; a role ID another role holds is refused. */
  async put(name: string, role: RoleEntry, previousRoleId?: string): Promise<void> {
    const key = ROLE_PREFIX + name;
    requireStorableKey(key, name);
    if (role.role_id === '') throw new InvalidRequestError('"role_id" cannot be empty');
    const owner = await this.nameByRoleId(role.role_id);
    if (owner !== null && owner !== name) throw new InvalidRequestError('role_id already in use');
    await this.storage.put(ROLE_ID_PREFIX + (await this.hmac(role.role_id)), encodeJSON({ name }));
    await this.storage.put(key, encodeJSON(role));
    if (previousRoleId !== undefined && previousRoleId !== role.role_id) await this.storage.delete(ROLE_ID_PREFIX + (await this.hmac(previousRoleId)));
  }

  async delete(name: string, role: RoleEntry): Promise<void> {
    await this.storage.delete(ROLE_ID_PREFIX + (await this.hmac(role.role_id)));
    await this.storage.delete(ROLE_PREFIX + name);
  }

  async list(): Promise<string[]> {
    return (await this.storage.list(ROLE_PREFIX)).filter((k) => !k.endsWith('/'));
  }

  /** The name of the role holding `roleId`, or null. */
  async nameByRoleId(roleId: string): Promise<string | null> {
    const raw = await this.storage.get(ROLE_ID_PREFIX + (await this.hmac(roleId)));
    return raw ? decodeJSON<{ name: string }>(raw).name : null;
  }
}
