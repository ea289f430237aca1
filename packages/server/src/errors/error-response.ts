import type { ServerResponse } from 'node:http';
import type { Logger } from '@strongroom/core';
import { CodedError } from '@strongroom/storage';
import { writeJson } from '../http/write-json.js';
import { errorCode, statusForError } from './status-table.js';

export interface ErrorReply {
  status: number;
  body: { errors: string[] };
  /** True when the client got a generic message and the details belong in the log. */
  internal: boolean;
}

/** Vault wraps the core's authorization failures in a multierror; clients match the text by substring. */
function multierror(messages: string[]): string {
  const n = messages.length;
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}

/** The reply for any thrown value: a typed error's status and message, or 500 `internal error`. */
export function errorReply(err: unknown): ErrorReply {
  const code = errorCode(err);
  const status = statusForError(err);
  if (code === null || (status >= 500 && status !== 503)) {
    return { status, body: { errors: ['internal error'] }, internal: true };
  }
  const message = (err as Error).message;
  if (code === 'permission_denied') return { status, body: { errors: [multierror([message])] }, internal: false };
  return { status, body: { errors: message === '' ? [] : [message] }, internal: false };
}

/** Writes an error as Vault does: `{"errors": [...]}` with the status its code maps to; details only in the log. */
export function sendError(
  res: ServerResponse,
  err: unknown,
  logger: Logger,
  context: Record<string, unknown> = {},
): void {
  const reply = errorReply(err);
  if (reply.internal) {
    const e = err instanceof Error ? err : new Error(String(err));
    // The raw code, mapped or not: a typed error that fell through the table must be visible in the log.
    const code = err instanceof CodedError ? err.code : undefined;
    logger.error('request failed', { ...context, error: e.message, code, stack: e.stack });
  }
  if (res.headersSent) {
    // Too late for a status: cut the response short so the client sees it failed.
    res.destroy();
    return;
  }
  writeJson(res, reply.status, reply.body);
}
