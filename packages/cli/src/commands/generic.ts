// read, write, list, delete, patch: any path of the HTTP API, with `key=value` data.
import type { CommandSpec } from '../command.js';
import type { Client } from '../client.js';
import { CommandFailedError, UsageError } from '../errors.js';
import type { Secret } from '../secret.js';
import { ensureTrailingSlash, parseData, parseStringData, printSecret, printWriteResult, sanitizePath, step } from './helpers.js';

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
    return printSecret(ctx, secret);
  },
};

/** `write` and `patch`: the same arguments and output, sent with a different HTTP method. */
function dataCommand(
  name: 'write' | 'patch',
  synopsis: string,
  description: string,
  send: (client: Client, path: string, data: Record<string, unknown>) => Promise<Secret | null>,
): CommandSpec {
  return {
    path: [name],
    synopsis,
    usage: '[options] PATH [DATA K=V...]',
    description,
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
      const secret = await step(`Error writing data to ${path}`, () => send(client, path, data));
      return printWriteResult(ctx, secret, `Success! Data written to: ${path}`);
    },
  };
}

const write = dataCommand(
  'write',
  'Write data, configuration, and secrets',
  'Writes data to the given path. Values may be read from a file with K=@file, or stdin with K=- or -.',
  (client, path, data) => client.write(path, data),
);

const patch = dataCommand(
  'patch',
  'Patch data, configuration, and secrets',
  'Sends a JSON merge patch of the given data to the path.',
  (client, path, data) => client.patch(path, data),
);

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
