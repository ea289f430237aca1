import { DEFAULT_LOCK_TIMING, parseDurationMs } from '@strongroom/storage';
import { unknownKeys } from './blocks.js';
import { ConfigError } from './errors.js';
import type { ConsulStorageConfig, StorageConfig } from './types.js';
import { readBool, readDurationMs, readEnum, readString, readStringList } from './values.js';

export const STORAGE_TYPES = ['file', 'inmem', 'consul'] as const;

/** Consul refuses a session TTL outside 10s..24h (its session_ttl_min and maximum). */
const MIN_SESSION_TTL_MS = 10_000;
const MAX_SESSION_TTL_MS = 86_400_000;

const CONSUL_KEYS = new Set([
  'address', 'path', 'scheme', 'token', 'session_ttl', 'lock_wait_time', 'service', 'service_tags', 'service_address',
  'check_timeout', 'disable_registration', 'tls_ca_file', 'tls_cert_file', 'tls_key_file', 'tls_skip_verify',
  'lock_check_ttl', 'lock_delay',
]);
/** Vault's keys that Strongroom accepts but does not act on. */
const CONSUL_IGNORED = new Set(['max_parallel', 'consistency_mode', 'service_meta', 'tls_min_version', 'redirect_addr']);

/** One `storage "<type>" {...}` block (or `ha_storage`, `storage_source`, `storage_destination`, named by `stanza`). */
export function parseStorage(
  label: string,
  body: Record<string, unknown>,
  stanza: 'storage' | 'ha_storage' | 'storage_source' | 'storage_destination',
  where: string,
  warnings: string[],
): StorageConfig {
  const at = `${where}${stanza} "${label}"`;
  switch (label) {
    case 'file': {
      unknownKeys(body, new Set(['path']), at, warnings);
      const path = body['path'] === undefined ? '' : readString(body['path'], `${at}: path`).trim();
      if (path === '') throw new ConfigError(`${at}: "path" is required (the folder the data is kept in)`);
      return { type: 'file', path };
    }
    case 'inmem':
      unknownKeys(body, new Set(), at, warnings);
      return { type: 'inmem' };
    case 'consul':
      return parseConsul(body, at, warnings);
    default:
      throw new ConfigError(
        `${at}: unknown storage type "${label}" (supported: ${STORAGE_TYPES.map((t) => `"${t}"`).join(', ')})`,
      );
  }
}

function parseConsul(body: Record<string, unknown>, at: string, warnings: string[]): ConsulStorageConfig {
  for (const k of Object.keys(body)) {
    if (CONSUL_IGNORED.has(k)) warnings.push(`${at}: "${k}" is not supported and is ignored`);
    else if (!CONSUL_KEYS.has(k)) warnings.push(`${at}: unknown key "${k}" ignored`);
  }
  const str = (k: string): string | undefined => {
    if (body[k] === undefined) return undefined;
    const s = readString(body[k], `${at}: ${k}`).trim();
    return s === '' ? undefined : s;
  };
  const dur = (k: string, dflt?: string): number | undefined =>
    body[k] !== undefined ? readDurationMs(body[k], `${at}: ${k}`) : dflt === undefined ? undefined : parseDurationMs(dflt);

  let scheme = body['scheme'] === undefined ? undefined : readEnum(body['scheme'], ['http', 'https'] as const, `${at}: scheme`);
  // Consul's own client accepts a scheme in the address; keep the host:port and move the scheme where it belongs.
  let address = str('address') ?? '127.0.0.1:8500';
  const withScheme = /^(https?):\/\/(.*?)\/?$/i.exec(address);
  if (withScheme) {
    scheme ??= withScheme[1]!.toLowerCase() as 'http' | 'https';
    address = withScheme[2]!;
  }
  if (!/^(\[[^\]]+\]|[^:/[\]]+)(:\d{1,5})?$/.test(address)) {
    throw new ConfigError(`${at}: address "${address}" is not of the form host:port`);
  }
  if (!/:\d+$/.test(address)) address += scheme === 'https' ? ':8501' : ':8500';

  let path = str('path') ?? 'strongroom/';
  path = path.replace(/^\/+/, '');
  if (path !== '' && !path.endsWith('/')) path += '/';

  const sessionTtlMs = dur('session_ttl', DEFAULT_LOCK_TIMING.sessionTtl)!;
  if (sessionTtlMs < MIN_SESSION_TTL_MS || sessionTtlMs > MAX_SESSION_TTL_MS) {
    throw new ConfigError(`${at}: session_ttl must be between 10s and 24h (Consul refuses others), got ${sessionTtlMs / 1000}s`);
  }
  const checkTimeoutMs = dur('check_timeout', '5s')!;
  if (checkTimeoutMs < 100) throw new ConfigError(`${at}: check_timeout must be at least 100ms`);

  const cfg: ConsulStorageConfig = {
    type: 'consul',
    address,
    path,
    scheme: scheme ?? 'http',
    sessionTtlMs,
    lockWaitTimeMs: dur('lock_wait_time', DEFAULT_LOCK_TIMING.lockWaitTime)!,
    service: str('service') ?? 'strongroom',
    serviceTags: body['service_tags'] === undefined ? [] : readStringList(body['service_tags'], `${at}: service_tags`),
    checkTimeoutMs,
    disableRegistration: body['disable_registration'] === undefined ? false : readBool(body['disable_registration'], `${at}: disable_registration`),
    tlsSkipVerify: body['tls_skip_verify'] === undefined ? false : readBool(body['tls_skip_verify'], `${at}: tls_skip_verify`),
  };
  const optional = {
    token: str('token'),
    serviceAddress: str('service_address'),
    tlsCaFile: str('tls_ca_file'),
    tlsCertFile: str('tls_cert_file'),
    tlsKeyFile: str('tls_key_file'),
    lockCheckTtlMs: dur('lock_check_ttl'),
    lockDelayMs: dur('lock_delay'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  if (cfg.lockCheckTtlMs !== undefined && cfg.lockCheckTtlMs < 1000) {
    throw new ConfigError(`${at}: lock_check_ttl must be at least 1s`);
  }
  if ((cfg.tlsCertFile === undefined) !== (cfg.tlsKeyFile === undefined)) {
    throw new ConfigError(`${at}: tls_cert_file and tls_key_file must be set together`);
  }
  return cfg;
}
