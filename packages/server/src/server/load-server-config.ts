import { ConfigError } from '../config/errors.js';
import { devConfig, DEV_LISTEN_ADDRESS } from '../config/dev-config.js';
import { finalizeConfig, mergeConfigs, type ConfigEnv } from '../config/finalize-config.js';
import { parseListener } from '../config/listener-config.js';
import { loadPartialConfig } from '../config/load-config.js';
import { parseLogLevel } from '../config/parse-config.js';
import type { PartialServerConfig, ServerConfig } from '../config/types.js';

export interface ConfigSource {
  configPaths?: string[];
  dev?: boolean;
  devListenAddress?: string;
  /** `-log-level`: wins over the files. */
  logLevel?: string;
}

/**
 * The configuration `server` runs with. `-dev` alone is Vault's dev configuration; `-dev` with `-config` layers the
 * files over it as Vault does (their storage replaces inmem, their listeners are added, e.g. a telemetry block).
 */
export async function loadServerConfig(src: ConfigSource, env: ConfigEnv): Promise<ServerConfig> {
  const paths = src.configPaths ?? [];
  let cfg: ServerConfig;
  if (src.dev) {
    if (paths.length === 0) {
      cfg = devConfig({ listenAddress: src.devListenAddress ?? DEV_LISTEN_ADDRESS }, env);
    } else {
      const warnings: string[] = [];
      const listener = parseListener('tcp', { address: src.devListenAddress ?? DEV_LISTEN_ADDRESS, tls_disable: true }, '-dev-listen-address: ', warnings);
      const dev: PartialServerConfig = { storage: { type: 'inmem' }, listeners: [listener], disableMlock: true, ui: true, files: [], warnings };
      cfg = finalizeConfig(mergeConfigs([dev, await loadPartialConfig(paths)]), env);
    }
  } else {
    if (paths.length === 0) throw new ConfigError('no configuration file given (pass -config=<file or folder>, or -dev)');
    cfg = finalizeConfig(await loadPartialConfig(paths), env);
  }
  if (src.logLevel !== undefined && src.logLevel !== '') cfg.logLevel = parseLogLevel(src.logLevel, '-log-level');
  return cfg;
}
