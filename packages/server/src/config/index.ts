export { ConfigError, type ConfigErrorCode } from './errors.js';
export type {
  ServerConfig,
  PartialServerConfig,
  StorageConfig,
  FileStorageConfig,
  InmemStorageConfig,
  ConsulStorageConfig,
  ListenerConfig,
  TelemetryConfig,
  LogLevel,
  LogFormat,
  StorageType,
} from './types.js';
export { DEFAULT_LISTENER_ADDRESS, DEFAULT_MAX_REQUEST_SIZE, DEFAULT_LEASE_TTL_SECONDS } from './types.js';
export { loadConfig, loadPartialConfig, parseConfigText } from './load-config.js';
export { finalizeConfig, mergeConfigs, type ConfigEnv } from './finalize-config.js';
export { parseLogLevel } from './parse-config.js';
export { devConfig, DEV_LISTEN_ADDRESS } from './dev-config.js';
export { formatDurationMs } from './duration.js';
export { parseSeal, finalizeSeal, type SealBlockConfig, type StaticSealConfig, type TransitSealConfig } from './seal-config.js';
