import { InvalidRequestError } from '../errors.js';
import { coerce, type FieldData, type FieldSchemas } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Response } from '../logical/request.js';
import type { MountConfig, MountEntry, MountTableName } from '../mounts/mount-entry.js';
import type { MountTable } from '../mounts/mount-table.js';
import { putOwn } from '../util/own-value.js';

const LISTING_VISIBILITY = ['', 'unauth', 'hidden'];
const TOKEN_TYPES = ['default-service', 'default-batch', 'service', 'batch'];
const LIST_KEYS = ['audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'passthrough_request_headers', 'allowed_response_headers'] as const;

/** A TTL as Vault's enable API takes it: seconds, a Go duration, or `system` / `""` for the system default (0). */
export function parseMountTTL(name: string, raw: unknown): number {
  if (raw === 'system' || raw === '') return 0;
  return coerce(name, { type: 'duration' }, raw) as number;
}

/**
 * A TTL as Vault's tune API takes it: `""` keeps the mount's current value (Vault's clients send the field they
 * were not asked to change as `""`), `system` resets it to the system default (0).
 */
function parseTuneTTL(name: string, raw: unknown, current: number): number {
  if (raw === undefined || raw === null || raw === '') return current;
  return parseMountTTL(name, raw);
}

function stringList(name: string, raw: unknown): string[] {
  return coerce(name, { type: 'comma-string-slice' }, raw) as string[];
}

function checkTokenType(table: MountTableName, raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '' || raw === 'default') return undefined;
  if (table !== 'auth') throw new InvalidRequestError("'token_type' can only be modified on auth mounts");
  if (typeof raw !== 'string' || !TOKEN_TYPES.includes(raw)) throw new InvalidRequestError("invalid value for 'token_type'");
  return raw;
}

function checkVisibility(raw: unknown): string {
  if (typeof raw !== 'string' || !LISTING_VISIBILITY.includes(raw)) {
    throw new InvalidRequestError(`invalid listing_visibility ${String(raw)}`);
  }
  return raw;
}

/** Vault refuses a default TTL above the max it would be clamped to. */
function checkTTLs(system: SystemView, def: number, max: number): void {
  if (max !== 0 && def > max) throw new InvalidRequestError('given default lease TTL greater than given max lease TTL');
  const sysMax = system.maxLeaseTTL();
  if (max === 0 && def > sysMax) throw new InvalidRequestError(`given default lease TTL greater than system max lease TTL of ${sysMax}`);
}

/** The `config` object of an enable request (`sys/mounts/:path`, `sys/auth/:path`); unknown keys are ignored as in Vault. */
export function parseMountConfig(system: SystemView, table: MountTableName, raw: Record<string, unknown>): Partial<MountConfig> {
  const out: Partial<MountConfig> = {};
  const has = (k: string): boolean => raw[k] !== undefined && raw[k] !== null;
  if (has('default_lease_ttl')) out.default_lease_ttl = parseMountTTL('default_lease_ttl', raw.default_lease_ttl);
  if (has('max_lease_ttl')) out.max_lease_ttl = parseMountTTL('max_lease_ttl', raw.max_lease_ttl);
  if (has('force_no_cache')) out.force_no_cache = coerce('force_no_cache', { type: 'bool' }, raw.force_no_cache) as boolean;
  for (const k of LIST_KEYS) if (has(k)) out[k] = stringList(k, raw[k]);
  if (has('listing_visibility')) out.listing_visibility = checkVisibility(raw.listing_visibility);
  const tokenType = checkTokenType(table, raw.token_type);
  if (tokenType) out.token_type = tokenType;
  checkTTLs(system, out.default_lease_ttl ?? 0, out.max_lease_ttl ?? 0);
  return out;
}

/** Vault's TypeKVPairs: an object whose scalar values become strings. */
export function stringMap(name: string, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  const obj = coerce(name, { type: 'map' }, raw) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') putOwn(out, k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') putOwn(out, k, String(v));
    else throw new InvalidRequestError(`error converting input for field "${name}": value of "${k}" must be a string`);
  }
  return out;
}

/** The longest mount whose path is a prefix of `path` (Vault's MatchingMountEntry), or undefined. */
export function matchingEntry(table: MountTable, path: string): MountEntry | undefined {
  const p = path.endsWith('/') ? path : `${path}/`;
  let best: MountEntry | undefined;
  for (const e of table.list) if (p.startsWith(e.path) && (!best || e.path.length > best.path.length)) best = e;
  return best;
}

const TUNE_FIELDS: FieldSchemas = {
  path: { type: 'string' },
  default_lease_ttl: { type: 'raw', description: 'Seconds, a duration, or "system".' },
  max_lease_ttl: { type: 'raw', description: 'Seconds, a duration, or "system".' },
  description: { type: 'string' },
  audit_non_hmac_request_keys: { type: 'comma-string-slice' },
  audit_non_hmac_response_keys: { type: 'comma-string-slice' },
  listing_visibility: { type: 'string' },
  passthrough_request_headers: { type: 'comma-string-slice' },
  allowed_response_headers: { type: 'comma-string-slice' },
  token_type: { type: 'string' },
  options: { type: 'raw' },
  plugin_version: { type: 'string' },
  user_lockout_config: { type: 'map' },
};

function tuneRead(system: SystemView, e: MountEntry): Response {
  const data: Record<string, unknown> = {
    description: e.description,
    default_lease_ttl: e.config.default_lease_ttl || system.defaultLeaseTTL(),
    max_lease_ttl: e.config.max_lease_ttl || system.maxLeaseTTL(),
    force_no_cache: e.config.force_no_cache,
  };
  if (e.table === 'auth') data.token_type = e.config.token_type ?? 'default-service';
  for (const k of LIST_KEYS) if (e.config[k]?.length) data[k] = e.config[k];
  if (e.config.listing_visibility) data.listing_visibility = e.config.listing_visibility;
  if (e.options && Object.keys(e.options).length) data.options = e.options;
  return { data };
}

async function tuneWrite(system: SystemView, table: MountTable, e: MountEntry, d: FieldData): Promise<Response | null> {
  const config: Partial<MountConfig> = {};
  const def = parseTuneTTL('default_lease_ttl', d.get('default_lease_ttl'), e.config.default_lease_ttl);
  const max = parseTuneTTL('max_lease_ttl', d.get('max_lease_ttl'), e.config.max_lease_ttl);
  if (def !== e.config.default_lease_ttl || max !== e.config.max_lease_ttl) {
    // Vault compares the two only when both are set; either one at 0 follows the system value.
    if (def !== 0 && max !== 0 && max < def) {
      throw new InvalidRequestError(`backend max lease TTL of ${max} would be less than backend default lease TTL of ${def}`);
    }
    config.default_lease_ttl = def;
    config.max_lease_ttl = max;
  }
  for (const k of LIST_KEYS) if (d.has(k)) config[k] = d.getStrings(k);
  if (d.has('listing_visibility')) config.listing_visibility = checkVisibility(d.getString('listing_visibility'));
  if (d.has('token_type')) {
    if (e.table === 'auth' && e.type === 'token') throw new InvalidRequestError("'token_type' cannot be set for 'token' auth mounts");
    const t = checkTokenType(e.table, d.getString('token_type'));
    if (t) config.token_type = t;
  }
  const options = d.has('options') ? stringMap('options', d.get('options')) : undefined;
  const resp: Response = {};
  if (e.type === 'kv' && options?.version === '2' && e.options?.version !== '2') {
    (resp.warnings ??= []).push('Upgrading mount from version 1 to version 2');
  }
  await table.tune(e.path, {
    config: Object.keys(config).length ? config : undefined,
    description: d.has('description') ? d.getString('description') : undefined,
    options: options && Object.keys(options).length ? options : undefined,
  });
  return resp.warnings ? resp : null;
}

/** The two mount tables, for `sys/mounts/auth/<path>/tune`. */
export interface MountTables {
  mounts: MountTable;
  authMounts: MountTable;
}

/**
 * `<prefix>/:path/tune`. Under `sys/auth/` the path names an auth method; under `sys/mounts/` it is a route, so
 * `auth/<path>` names an auth method too (what `vault auth tune` sends) and anything else a secrets engine.
 */
export function tunePath(system: SystemView, prefix: 'mounts' | 'auth', tables: MountTables): PathDef {
  const target = (path: string): { table: MountTable; entry: MountEntry } => {
    const route = path.replace(/^\/+/, '');
    const auth = prefix === 'auth' || route.startsWith('auth/');
    const table = auth ? tables.authMounts : tables.mounts;
    const e = table.find(prefix === 'mounts' && auth ? route.slice('auth/'.length) : route);
    if (!e) throw new InvalidRequestError(`cannot fetch mount entry: no ${auth ? 'auth method' : 'secrets engine'} mounted at "${path}"`);
    return { table, entry: e };
  };
  return {
    pattern: `${prefix}/(?<path>.+?)/tune/?`,
    fields: TUNE_FIELDS,
    operations: {
      read: async (_req, d) => tuneRead(system, target(d.getString('path')).entry),
      update: async (_req, d) => {
        const { table, entry } = target(d.getString('path'));
        return tuneWrite(system, table, entry, d);
      },
    },
    helpSynopsis: prefix === 'auth' ? 'Tune the configuration of an auth method.' : 'Tune the configuration of a secrets engine.',
  };
}
