import type { SealBlockConfig } from './seal-config.js';

/** Vault's log levels (hclog), lowest first in verbosity order: `trace` shows everything. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'standard' | 'json';
export type StorageType = 'file' | 'inmem' | 'consul';

export interface FileStorageConfig {
  type: 'file';
  path: string;
}

export interface InmemStorageConfig {
  type: 'inmem';
}

export interface ConsulStorageConfig {
  type: 'consul';
  /** `host:port` (a scheme in front of it was moved to `scheme`). */
  address: string;
  /** KV prefix, always ending in `/`. */
  path: string;
  scheme: 'http' | 'https';
  /** From the config, else `CONSUL_HTTP_TOKEN`. */
  token?: string;
  /** Durations in milliseconds. */
  sessionTtlMs: number;
  lockWaitTimeMs: number;
  /** Strongroom's own: TTL of the lock-holder's health check, and Consul's lock-delay. */
  lockCheckTtlMs?: number;
  lockDelayMs?: number;
  service: string;
  serviceTags: string[];
  serviceAddress?: string;
  checkTimeoutMs: number;
  disableRegistration: boolean;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsSkipVerify: boolean;
}

export type StorageConfig = FileStorageConfig | InmemStorageConfig | ConsulStorageConfig;

export interface ListenerConfig {
  type: 'tcp';
  /** `host:port` as written (an empty host means every interface). */
  address: string;
  host: string;
  port: number;
  clusterAddress: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsMinVersion: 'tls12' | 'tls13';
  /** OpenSSL cipher string (from `tls_cipher_suites`; default ECDHE + AEAD only). */
  tlsCiphers: string;
  /** CA bundle client certificates are verified against; setting it asks clients for one. */
  tlsClientCaFile?: string;
  /** A client without a valid certificate is refused at the handshake. */
  tlsRequireClientCert: boolean;
  tlsDisableClientCerts: boolean;
  tlsMaxVersion: 'tls12' | 'tls13';
  /** `http_read_header_timeout`: how long a client may take to send the request headers. */
  httpReadHeaderTimeoutMs?: number;
  /** `http_read_timeout`: how long a client may take to send the whole request. */
  httpReadTimeoutMs?: number;
  /** `http_idle_timeout`: how long a kept-alive connection may wait for its next request. */
  httpIdleTimeoutMs?: number;
  /** Bytes; negative means no limit (Vault's convention). */
  maxRequestSize: number;
  telemetry: { unauthenticatedMetricsAccess: boolean };
}

export interface TelemetryConfig {
  /** Seconds; 0 disables the Prometheus format. */
  prometheusRetentionTime: number;
  disableHostname: boolean;
}

export interface ServerConfig {
  storage: StorageConfig;
  /** Auto-unseal seals; empty for the Shamir seal. */
  seals: SealBlockConfig[];
  /** Split mode: the HA lock lives here, the data in `storage`. */
  haStorage?: ConsulStorageConfig;
  listeners: ListenerConfig[];
  apiAddr: string;
  clusterAddr: string;
  disableClustering: boolean;
  disableMlock: boolean;
  clusterName?: string;
  /** Seconds. */
  defaultLeaseTTL: number;
  maxLeaseTTL: number;
  ui: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  telemetry: TelemetryConfig;
  /** Files the configuration was read from, in merge order. */
  files: string[];
  /** Things accepted but worth telling the operator (unknown keys, guessed addresses). */
  warnings: string[];
}

/** What one file sets; later files override earlier ones key by key, listeners accumulate. */
export interface PartialServerConfig {
  storage?: StorageConfig;
  seals?: SealBlockConfig[];
  haStorage?: ConsulStorageConfig;
  listeners: ListenerConfig[];
  apiAddr?: string;
  clusterAddr?: string;
  disableClustering?: boolean;
  disableMlock?: boolean;
  clusterName?: string;
  defaultLeaseTTL?: number;
  maxLeaseTTL?: number;
  ui?: boolean;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  telemetry?: TelemetryConfig;
  files: string[];
  warnings: string[];
}

export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1:8200';
export const DEFAULT_MAX_REQUEST_SIZE = 33_554_432;
/** Vault's system default for both lease TTLs: 768h (32 days). */
export const DEFAULT_LEASE_TTL_SECONDS = 768 * 3600;
