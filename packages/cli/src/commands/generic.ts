// read, write, list, delete, patch: any path of the HTTP API, with `key=value` data.
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import type { Secret } from '../secret.js';
import { ensureTrailingSlash, parseData, parseStringData, sanitizePath, step } from './helpers.js';

/** The answer to a write: a success line when there is no body (and the format is a table), else the response. */
export function printWriteResult(ctx: CommandContext, secret: Secret | null, successLine: string): number {
  if (!secret) {
    if (ctx.out.isTable) ctx.out.info(successLine);
    return 0;
  }
  if (ctx.flags.has('field')) return ctx.out.field(secret, ctx.flags.string('field'), true);
  return ctx.out.secret(secret);
}

const read: CommandSpec = {
  path: ['read'],
  synopsis: 'Read data and retrieves secrets',
  usage: '[options] PATH [K=V...]',
  description: 'Reads data from the server at the given path; extra K=V pairs are sent as query parameters.',
  groups: ['http', 'format', 'field'],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    const client = await ctx.client();
    const path = sanitizePath(ctx.args[0]!);
    const query = await parseStringData(ctx, ctx.args.slice(1));
    const secret = await step(`Error reading ${path}`, () => client.read(path, query));
    if (!secret) throw new CommandFailedError(`No value found at ${path}`);
    if (ctx.flags.has('field')) return ctx.out.field(secret, ctx.flags.string('field'), true);
    return ctx.out.secret(secret);
  },
};

const write: CommandSpec = {
  path: ['write'],
  synopsis: 'Write data, configuration, and secrets',
  usage: '[options] PATH [DATA K=V...]',
  description: 'Writes data to the given path. Values may be read from a file with K=@file, or stdin with K=- or -.',
  groups: ['http', 'format', 'field'],
  flags: [{ name: 'force', type: 'bool', aliases: ['f'], usage: 'Allow the operation to continue with no key=value pairs.' }],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    if (ctx.args.length === 1 && !ctx.flags.bool('force')) {
      throw new UsageError('Must supply data or use -force');
    }
    const client = await ctx.client();
    const path = sanitizePath(ctx.args[0]!);
    const data = await parseData(ctx, ctx.args.slice(1));
    const secret = await step(`Error writing data to ${path}`, () => client.write(path, data));
    return printWriteResult(ctx, secret, `Success! Data written to: ${path}`);
  },
};

const patch: CommandSpec = {
  path: ['patch'],
  synopsis: 'Patch data, configuration, and secrets',
  usage: '[options] PATH [DATA K=V...]',
  description: 'Sends a JSON merge patch of the given data to the path.',
  groups: ['http', 'format', 'field'],
  flags: [{ name: 'force', type: 'bool', aliases: ['f'], usage: 'Allow the operation to continue with no key=value pairs.' }],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    if (ctx.args.length === 1 && !ctx.flags.bool('force')) {
      throw new UsageError('Must supply data or use -force');
    }
    const client = await ctx.client();
    const path = sanitizePath(ctx.args[0]!);
    const data = await parseData(ctx, ctx.args.slice(1));
    const secret = await step(`Error writing data to ${path}`, () => client.patch(path, data));
    return printWriteResult(ctx, secret, `Success! Data written to: ${path}`);
  },
};

const list: CommandSpec = {
  path: ['list'],
  synopsis: 'List data or secrets',
  usage: '[options] PATH',
  description: 'Lists the keys under the given path.',
  groups: ['http', 'format'],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const client = await ctx.client();
    const path = ensureTrailingSlash(sanitizePath(ctx.args[0]!));
    const secret = await step(`Error listing ${path}`, () => client.list(path));
    if (!secret) throw new CommandFailedError(`No value found at ${path}`);
    const keys = (secret.data as { keys?: unknown } | null | undefined)?.keys;
    if (!Array.isArray(keys)) throw new CommandFailedError(`No entries found at ${path}`);
    return ctx.out.list(secret);
  },
};

const del: CommandSpec = {
  path: ['delete'],
  synopsis: 'Delete secrets and configuration',
  usage: '[options] PATH [K=V...]',
  description: 'Deletes the data at the given path; extra K=V pairs are sent as query parameters.',
  groups: ['http'],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    const client = await ctx.client();
    const path = sanitizePath(ctx.args[0]!);
    const query = await parseStringData(ctx, ctx.args.slice(1));
    await step(`Error deleting ${path}`, () => client.delete(path, query));
    ctx.out.info(`Success! Data deleted (if it existed) at: ${path}`);
    return 0;
  },
};

export const genericCommands: readonly CommandSpec[] = [read, write, patch, list, del];
