import type { Writable } from 'node:stream';
import type { Logger } from '@strongroom/core';
import winston from 'winston';
import type { LogFormat, LogLevel } from '../config/index.js';

/** hclog's levels, most severe first (winston's convention: a lower number is more severe). */
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/**
 * Meta keys never written, whatever a caller passes: tokens, credentials and request or response bodies.
 * A defence in depth; callers are not supposed to pass them in the first place.
 */
const REDACTED = /^(x-vault-token|authorization|cookie|token|client_token|wrapping_token|password|secret|secret_id|key|keys|keys_base64|unseal_key|root_token|otp|body|data|headers)$/i;

const redact = winston.format((info) => {
  for (const k of Object.keys(info)) {
    if (REDACTED.test(k)) info[k] = '[redacted]';
  }
  return info;
});

/** hclog's text layout: `2024-05-01T10:00:00.000Z [INFO]  message: key=value ...`. */
const standardLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...meta } = info as Record<string, unknown>;
  const tag = `[${String(level).toUpperCase()}]`.padEnd(7);
  const pairs = Object.entries(meta)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return `${String(timestamp)} ${tag} ${String(message)}${pairs.length ? `: ${pairs.join(' ')}` : ''}`;
});

/** The core's Logger, plus what the server needs: a level that SIGHUP can change, and `trace`. */
export interface ServerLogger extends Logger {
  trace(message: string, meta?: Record<string, unknown>): void;
  level(): LogLevel;
  setLevel(level: LogLevel): void;
}

export interface ServerLoggerOptions {
  level: LogLevel;
  format?: LogFormat;
  /** Where lines go; default process.stdout (Vault streams its log below the banner). */
  stream?: Writable;
}

/** A winston logger behind the core's Logger interface; one per server instance. */
export function createServerLogger(opts: ServerLoggerOptions): ServerLogger {
  const logger = winston.createLogger({
    levels: LEVELS,
    level: opts.level,
    format: winston.format.combine(
      redact(),
      winston.format.timestamp(),
      opts.format === 'standard' ? standardLine : winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: opts.stream ?? process.stdout })],
    exitOnError: false,
  });
  const at = (level: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    // winston formats a line before its level filter drops it: skip disabled levels (a debug line per request).
    if (!logger.isLevelEnabled(level)) return;
    logger.log(level, message, meta ?? {});
  };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    level: () => logger.level as LogLevel,
    setLevel: (level) => {
      logger.level = level;
    },
  };
}
