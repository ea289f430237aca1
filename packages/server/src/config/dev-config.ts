import { finalizeConfig, type ConfigEnv } from './finalize-config.js';
import { parseListener } from './listener-config.js';
import type { LogFormat, LogLevel, ServerConfig } from './types.js';

export const DEV_LISTEN_ADDRESS = '127.0.0.1:8200';

/** `server -dev`: in-memory storage, one plain-HTTP listener, no mlock, UI on (Vault's dev defaults). */
export function devConfig(
  opts: { listenAddress?: string; logLevel?: LogLevel; logFormat?: LogFormat } = {},
  env: ConfigEnv = {},
): ServerConfig {
  const warnings: string[] = [];
  const listener = parseListener('tcp', { address: opts.listenAddress ?? DEV_LISTEN_ADDRESS, tls_disable: true }, '-dev-listen-address: ', warnings);
  return finalizeConfig(
    {
      storage: { type: 'inmem' },
      listeners: [listener],
      disableMlock: true,
      ui: true,
      logLevel: opts.logLevel ?? 'info',
      logFormat: opts.logFormat ?? 'standard',
      files: [],
      warnings,
    },
    env,
  );
}
