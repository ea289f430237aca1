/** Log levels as Vault names them, most detailed first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type ServerLogLevel = (typeof LOG_LEVELS)[number];

/** The server's loggers, whose levels `sys/loggers` reads and changes at run time. */
export interface LogLevels {
  /** Each logger's name and current level. */
  levels(): Record<string, ServerLogLevel>;
  /** Sets one logger's level, or every logger's without a name; false when no logger has that name. */
  set(level: ServerLogLevel, name?: string): boolean;
  /** Back to the configured level, for one logger or all; false when no logger has that name. */
  reset(name?: string): boolean;
}

/**
 * What the server, not the core, knows about itself, handed to the node at composition: its loggers, the requests
 * it is serving, its host, and its configuration with secrets left out.
 */
export interface ServerView {
  logLevels: LogLevels;
  /** In-flight requests by id, in Vault's InFlightReqData shape. */
  inFlightRequests(): Record<string, Record<string, unknown>>;
  /** Vault's HostInfo: cpu, cpu_times, disk, host, memory, timestamp. */
  hostInfo(): Promise<Record<string, unknown>>;
  /** Vault's sanitized server configuration. */
  sanitizedConfig(): Record<string, unknown>;
  /**
   * `sys/metrics` in the format asked for (`?format=`, or an Accept header Prometheus sends): JSON, or text with its
   * content type. Served through the request pipeline so it is ACL-checked, audited and counts a token's use.
   */
  metrics?(format: string, accept: string | undefined): Promise<{ body: unknown; contentType?: string }>;
}
