import type { ServerConfig, StorageConfig } from './types.js';

function storage(s: StorageConfig, c: ServerConfig): Record<string, unknown> {
  return { type: s.type, redirect_addr: c.apiAddr, cluster_addr: c.clusterAddr, disable_clustering: c.disableClustering };
}

/**
 * Vault's sanitized server configuration (`sys/config/state/sanitized`): the settings without anything secret,
 * storage reduced to its type and addresses, so no token or path of a backend shows.
 */
export function sanitizedConfig(c: ServerConfig): Record<string, unknown> {
  return {
    api_addr: c.apiAddr,
    cache_size: 0,
    cluster_addr: c.clusterAddr,
    cluster_cipher_suites: '',
    cluster_name: c.clusterName ?? '',
    default_lease_ttl: c.defaultLeaseTTL,
    disable_cache: false,
    disable_clustering: c.disableClustering,
    disable_indexing: false,
    disable_mlock: c.disableMlock,
    disable_performance_standby: true,
    disable_printable_check: false,
    disable_sealwrap: false,
    disable_sentinel_trace: false,
    enable_response_header_hostname: false,
    enable_response_header_raft_node_id: false,
    enable_ui: c.ui,
    experiments: null,
    introspection_endpoint: false,
    listeners: c.listeners.map((l) => ({
      type: l.type,
      config: { address: l.address, cluster_address: l.clusterAddress, max_request_size: l.maxRequestSize, tls_disable: l.tlsDisable },
    })),
    log_format: c.logFormat,
    log_level: c.logLevel,
    log_requests_level: '',
    max_lease_ttl: c.maxLeaseTTL,
    pid_file: '',
    plugin_directory: '',
    plugin_file_permissions: 0,
    plugin_file_uid: 0,
    raw_storage_endpoint: false,
    seals: [{ disabled: false, type: 'shamir' }],
    storage: storage(c.storage, c),
    ...(c.haStorage ? { ha_storage: storage(c.haStorage, c) } : {}),
    telemetry: { prometheus_retention_time: c.telemetry.prometheusRetentionTime, disable_hostname: c.telemetry.disableHostname },
  };
}
