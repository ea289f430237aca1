import { parseDurationMs } from '@strongroom/storage';
import { ConfigError } from './errors.js';

/**
 * Coercion of config values. HCL and JSON disagree on types (`tls_disable = 1`, `"true"`, `true`; durations as
 * seconds or text), so every reader accepts the spellings Vault accepts and names the key when it cannot.
 */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

export function readString(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError(`${where}: expected a string, got ${describe(v)}`);
}

/** Go's strconv.ParseBool, which Vault uses for these keys. */
export function readBool(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const t = v.trim();
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(t)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(t)) return false;
  }
  throw new ConfigError(`${where}: expected a boolean, got ${describe(v)}`);
}

export function readInt(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  throw new ConfigError(`${where}: expected an integer, got ${describe(v)}`);
}

/** A duration as milliseconds; a bare number means seconds, as in Vault. */
export function readDurationMs(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1000);
  let cause: unknown;
  // No negative timeout or TTL means anything here.
  if (typeof v === 'string' && !v.trim().startsWith('-')) {
    try {
      return Math.round(parseDurationMs(v.trim()));
    } catch (err) {
      cause = err;
    }
  }
  throw new ConfigError(
    `${where}: invalid duration ${describe(v)} (use e.g. "768h", "15s", "500ms" or a number of seconds)`,
    cause === undefined ? undefined : { cause },
  );
}

/** A comma-separated string (Vault's spelling) or a list. */
export function readStringList(v: unknown, where: string): string[] {
  if (Array.isArray(v)) return v.map((x, i) => readString(x, `${where}[${i}]`).trim()).filter((s) => s !== '');
  return readString(v, where)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function readEnum<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  const s = readString(v, where).trim().toLowerCase();
  if ((allowed as readonly string[]).includes(s)) return s as T;
  throw new ConfigError(`${where}: ${describe(v)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
}

/** `host:port`, `[v6]:port` or `:port` (every interface). */
export function readHostPort(v: unknown, where: string): { address: string; host: string; port: number } {
  const address = readString(v, where).trim();
  const m = /^(\[[^\]]+\]|[^:[\]]*):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(`${where}: ${describe(v)} is not an address of the form host:port`);
  }
  const rawHost = m[1] ?? '';
  const host = rawHost === '' ? '0.0.0.0' : rawHost.replace(/^\[(.*)\]$/, '$1');
  return { address, host, port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a block';
  return String(v);
}
