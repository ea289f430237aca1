import { labelledBlocks, singleBlock, unknownKeys } from './blocks.js';
import { ConfigError } from './errors.js';
import { parseListener } from './listener-config.js';
import { parseSeal } from './seal-config.js';
import { parseStorage } from './storage-config.js';
import type { LogLevel, PartialServerConfig } from './types.js';
import { readBool, readDurationMs, readEnum, readString } from './values.js';

const TOP_KEYS = new Set([
  'storage', 'backend', 'ha_storage', 'ha_backend', 'listener', 'seal', 'api_addr', 'cluster_addr', 'disable_clustering',
  'disable_mlock', 'cluster_name', 'default_lease_ttl', 'max_lease_ttl', 'ui', 'log_level', 'log_format', 'telemetry',
]);

/** hclog's level names, with the aliases Vault accepts. */
const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'trace', debug: 'debug', info: 'info', notice: 'info', warn: 'warn', warning: 'warn', err: 'error', error: 'error',
};

export function parseLogLevel(v: unknown, where: string): LogLevel {
  const s = readString(v, where).trim().toLowerCase();
  const level = LOG_LEVELS[s];
  if (!level) throw new ConfigError(`${where}: unknown log level ${JSON.stringify(s)} (use trace, debug, info, warn or error)`);
  return level;
}

/**
 * One parsed file (HCL or JSON, already decoded to an object) -> what it sets. Cross-key checks (listener
 * present, api_addr vs cluster_addr) wait until every file is merged: see finalizeConfig.
 */
export function parseConfigObject(raw: Record<string, unknown>, source: string): PartialServerConfig {
  const where = source === '' ? '' : `${source}: `;
  const out: PartialServerConfig = { listeners: [], files: source === '' ? [] : [source], warnings: [] };
  const warnings = out.warnings;
  for (const k of Object.keys(raw)) {
    if (!TOP_KEYS.has(k)) warnings.push(`${where}unknown key "${k}" ignored`);
  }

  const storage = [...labelledBlocks(raw['storage'], `${where}storage`), ...labelledBlocks(raw['backend'], `${where}backend`)];
  if (storage.length > 1) throw new ConfigError(`${where}only one "storage" block is allowed, found ${storage.length}`);
  if (storage[0]) out.storage = parseStorage(storage[0].label, storage[0].body, 'storage', where, warnings);

  const ha = [...labelledBlocks(raw['ha_storage'], `${where}ha_storage`), ...labelledBlocks(raw['ha_backend'], `${where}ha_backend`)];
  if (ha.length > 1) throw new ConfigError(`${where}only one "ha_storage" block is allowed, found ${ha.length}`);
  if (ha[0]) {
    const parsed = parseStorage(ha[0].label, ha[0].body, 'ha_storage', where, warnings);
    if (parsed.type !== 'consul') {
      throw new ConfigError(`${where}ha_storage "${parsed.type}": this storage type does not support HA (use "consul")`);
    }
    out.haStorage = parsed;
  }

  for (const { label, body } of labelledBlocks(raw['listener'], `${where}listener`)) {
    out.listeners.push(parseListener(label, body, where, warnings));
  }

  const seals = labelledBlocks(raw['seal'], `${where}seal`).map(({ label, body }) => parseSeal(label, body, where, warnings));
  if (seals.length > 0) out.seals = seals.filter((s) => s !== null);

  const str = (k: string): string | undefined => (raw[k] === undefined ? undefined : readString(raw[k], `${where}${k}`).trim());
  const bool = (k: string): boolean | undefined => (raw[k] === undefined ? undefined : readBool(raw[k], `${where}${k}`));
  const seconds = (k: string): number | undefined =>
    raw[k] === undefined ? undefined : Math.floor(readDurationMs(raw[k], `${where}${k}`) / 1000);

  const set = <K extends keyof PartialServerConfig>(key: K, value: PartialServerConfig[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  const apiAddr = str('api_addr');
  set('apiAddr', apiAddr === '' ? undefined : apiAddr);
  const clusterAddr = str('cluster_addr');
  set('clusterAddr', clusterAddr === '' ? undefined : clusterAddr);
  set('disableClustering', bool('disable_clustering'));
  set('disableMlock', bool('disable_mlock'));
  const clusterName = str('cluster_name');
  set('clusterName', clusterName === '' ? undefined : clusterName);
  set('defaultLeaseTTL', seconds('default_lease_ttl'));
  set('maxLeaseTTL', seconds('max_lease_ttl'));
  set('ui', bool('ui'));
  if (raw['log_level'] !== undefined) out.logLevel = parseLogLevel(raw['log_level'], `${where}log_level`);
  if (raw['log_format'] !== undefined) {
    out.logFormat = readEnum(raw['log_format'], ['standard', 'json'] as const, `${where}log_format`);
  }

  const tel = singleBlock(raw['telemetry'], `${where}telemetry`);
  if (tel) {
    unknownKeys(tel, new Set(['prometheus_retention_time', 'disable_hostname']), `${where}telemetry`, warnings);
    out.telemetry = {
      prometheusRetentionTime:
        tel['prometheus_retention_time'] === undefined
          ? DEFAULT_PROMETHEUS_RETENTION
          : Math.floor(readDurationMs(tel['prometheus_retention_time'], `${where}telemetry: prometheus_retention_time`) / 1000),
      disableHostname: tel['disable_hostname'] === undefined ? false : readBool(tel['disable_hostname'], `${where}telemetry: disable_hostname`),
    };
  }
  return out;
}

/** Vault's default for `prometheus_retention_time`: 24h. */
export const DEFAULT_PROMETHEUS_RETENTION = 24 * 3600;
