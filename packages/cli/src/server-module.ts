// The part of @strongroom/server the CLI runs in-process (`server`, `operator migrate`), loaded only by those commands
// so that client commands never pull the server, the core and their dependencies in.
import type { Writable } from 'node:stream';

export interface RunServerOptions {
  configPaths?: string[];
  dev?: boolean;
  devRootTokenId?: string;
  devListenAddress?: string;
  logLevel?: string;
  installSignalHandlers?: boolean;
  /** Banner and log lines (default process.stdout). */
  stdout?: Writable;
  /** Telemetry dumps (default process.stderr). */
  stderr?: Writable;
  /** Environment the configuration reads (VAULT_API_ADDR, ...); default process.env. */
  env?: Record<string, string | undefined>;
}

export interface ServerHandle {
  close(): Promise<void>;
  /** Settles once the server has stopped, when the server exposes it. */
  closed?: Promise<unknown>;
}

export interface ServerModule {
  runServer?: (opts: RunServerOptions) => Promise<ServerHandle>;
  migrateStorage?: (configPath: string) => Promise<unknown>;
}

export type ServerModuleLoader = () => Promise<ServerModule>;

export const loadServerModule: ServerModuleLoader = async () =>
  (await import('@strongroom/server')) as unknown as ServerModule;
