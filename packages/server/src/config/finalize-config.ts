import { ConfigError } from './errors.js';
import { finalizeSeal } from './seal-config.js';
import { DEFAULT_LEASE_TTL_SECONDS, type ConsulStorageConfig, type PartialServerConfig, type ServerConfig } from './types.js';

/** Vault's Config.Merge: a later file's value wins key by key; listeners, seals (and warnings) accumulate. */
export function mergeConfigs(parts: PartialServerConfig[]): PartialServerConfig {
  const out: PartialServerConfig = { listeners: [], files: [], warnings: [] };
  for (const p of parts) {
    const { listeners, files, warnings, seals, ...scalars } = p;
    Object.assign(out, scalars);
    // Vault appends seal blocks across files (two of them make seal HA).
    if (seals) out.seals = [...(out.seals ?? []), ...seals];
    out.listeners.push(...listeners);
    out.files.push(...files);
    out.warnings.push(...warnings);
  }
  return out;
}

export type ConfigEnv = Record<string, string | undefined>;

/** Defaults, environment overrides and the checks that need the whole merged configuration. */
export function finalizeConfig(p: PartialServerConfig, env: ConfigEnv = process.env): ServerConfig {
  const warnings = [...p.warnings];
  if (!p.storage) throw new ConfigError('no storage configured: add a storage block such as storage "file" { path = "..." }');
  const listener = p.listeners[0];
  if (!listener) throw new ConfigError('no listener configured: add a listener "tcp" { address = "127.0.0.1:8200" } block');

  const consulToken = env['CONSUL_HTTP_TOKEN'] || undefined;
  const withToken = <T extends { type: string }>(s: T): T =>
    s.type === 'consul' && (s as unknown as ConsulStorageConfig).token === undefined && consulToken !== undefined
      ? { ...s, token: consulToken }
      : s;

  // Vault: the environment wins over the file for both addresses.
  let apiAddr = env['VAULT_API_ADDR'] || p.apiAddr;
  if (!apiAddr) {
    let host = listener.host;
    if (host === '0.0.0.0' || host === '::') {
      host = '127.0.0.1';
      warnings.push('api_addr is not set and the first listener binds every interface: using 127.0.0.1, which other nodes cannot reach');
    }
    apiAddr = `${listener.tlsDisable ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
  }
  const api = parseAddr(apiAddr, 'api_addr', ['http', 'https']);

  let clusterAddr = env['VAULT_CLUSTER_ADDR'] || p.clusterAddr;
  // Missing cluster_addr: same host as api_addr, port + 1, https (the cluster listener is always TLS).
  clusterAddr ||= `https://${api.hostname}:${api.port + 1}`;
  const cluster = parseAddr(clusterAddr, 'cluster_addr', ['https']);
  if (api.hostname === cluster.hostname && api.port === cluster.port) {
    throw new ConfigError(
      `api_addr and cluster_addr must differ (clients and cluster peers need separate listeners), both are ${api.hostname}:${api.port}`,
    );
  }

  const defaultLeaseTTL = p.defaultLeaseTTL ?? DEFAULT_LEASE_TTL_SECONDS;
  const maxLeaseTTL = p.maxLeaseTTL ?? DEFAULT_LEASE_TTL_SECONDS;
  if (defaultLeaseTTL > maxLeaseTTL) {
    throw new ConfigError(`default_lease_ttl (${defaultLeaseTTL}s) cannot be greater than max_lease_ttl (${maxLeaseTTL}s)`);
  }

  const seals = (p.seals ?? []).map((s) => finalizeSeal(s, env));
  if (seals.length > 1) throw new ConfigError(`${seals.length} auto-unseal seal blocks: several seals (seal high availability) are not supported yet`);

  const cfg: ServerConfig = {
    storage: withToken(p.storage),
    seals,
    listeners: p.listeners,
    apiAddr,
    clusterAddr,
    disableClustering: p.disableClustering ?? false,
    disableMlock: p.disableMlock ?? false,
    defaultLeaseTTL,
    maxLeaseTTL,
    ui: p.ui ?? false,
    logLevel: p.logLevel ?? 'info',
    logFormat: p.logFormat ?? 'standard',
    // Without a telemetry block Prometheus is off (Vault: `prometheus is not enabled`); inside one it defaults to 24h.
    telemetry: p.telemetry ?? { prometheusRetentionTime: 0, disableHostname: false },
    files: p.files,
    warnings,
  };
  if (p.haStorage) cfg.haStorage = withToken(p.haStorage);
  if (p.clusterName) cfg.clusterName = p.clusterName;
  return cfg;
}

function parseAddr(text: string, key: string, schemes: string[]): { hostname: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${key} ${JSON.stringify(text)} is not a URL such as ${schemes[0]}://node-a:8200`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme) || url.hostname === '') {
    throw new ConfigError(
      `${key} ${JSON.stringify(text)} must be a URL with scheme ${schemes.map((s) => `${s}://`).join(' or ')} and a host`,
    );
  }
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return { hostname: url.hostname, port };
}
