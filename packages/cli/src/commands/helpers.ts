// Small steps shared by commands: context-prefixed failures, Vault's path clean-up, `key=value` bodies, printing a
// response.
import type { CommandContext } from '../command.js';
import { failWith, InvalidInputError } from '../errors.js';
import { parseKeyValues } from '../kv-data.js';
import type { Secret } from '../secret.js';

/** Runs one remote step; a failure becomes "<context>: <error>" with the error's exit code. */
export async function step<T>(context: string, fn: () => Promise<T>, exitCode?: number): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failWith(context, err, exitCode);
  }
}

export function sanitizePath(p: string): string {
  return p.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

export function ensureTrailingSlash(p: string): string {
  const s = p.trim();
  return s === '' || s.endsWith('/') ? s : `${s}/`;
}

/** `key=value` arguments as a body; bad input is reported the way Vault's write reports it. */
export async function parseData(ctx: CommandContext, args: readonly string[]): Promise<Record<string, unknown>> {
  try {
    return await parseKeyValues(args, { stdin: () => ctx.stdin(), cwd: ctx.io.cwd });
  } catch (err) {
    if (err instanceof InvalidInputError) throw new InvalidInputError(`Failed to parse K=V data: ${err.message}`, { cause: err });
    throw err;
  }
}

/** `key=value` arguments whose values must be plain strings (query parameters, options maps). */
export async function parseStringData(ctx: CommandContext, args: readonly string[]): Promise<Record<string, string>> {
  const data = await parseData(ctx, args);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') throw new InvalidInputError(`Failed to parse K=V data: value of "${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

/** A response as the command prints it: the one field `-field` names, else the whole secret in the chosen format. */
export function printSecret(ctx: CommandContext, secret: Secret): number {
  if (ctx.flags.has('field')) return ctx.out.field(secret, ctx.flags.string('field'), true);
  return ctx.out.secret(secret);
}

/** The answer to a write: a success line when there is no body (and the format is a table), else the response. */
export function printWriteResult(ctx: CommandContext, secret: Secret | null, successLine: string): number {
  if (!secret) {
    if (ctx.out.isTable) ctx.out.info(successLine);
    return 0;
  }
  return printSecret(ctx, secret);
}
