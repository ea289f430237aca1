// kv get, put, patch, list: the KV engine through its preflight, on v1 and v2 mounts alike.
import type { CommandContext, CommandSpec } from '../command.js';
import { ApiError, CommandFailedError, failWith, UsageError } from '../errors.js';
import { kvApiPath, locateKv, MOUNT_FLAG, resolveKv } from '../kv-mount.js';
import { asRecord, type Secret } from '../secret.js';
import { parseData, step } from './helpers.js';
import { outputPath, outputTitled, printKvWrite } from './kv-output.js';

const kvGet: CommandSpec = {
  path: ['kv', 'get'],
  synopsis: 'Retrieves data from the KV store',
  usage: '[options] KEY',
  description: 'Retrieves the value at the given key; -version reads an older version of a KV v2 secret.',
  groups: ['http', 'format', 'field'],
  flags: [MOUNT_FLAG, { name: 'version', type: 'int', default: 0, usage: 'The version to return (KV v2).' }],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { client, loc } = await locateKv(ctx);
    const fullPath = kvApiPath(loc, 'data');
    const version = ctx.flags.int('version');
    const query = loc.v2 && version > 0 ? { version: String(version) } : undefined;
    const secret = await step(`Error reading ${fullPath}`, () => client.read(fullPath, query));
    if (!secret) throw new CommandFailedError(`No value found at ${fullPath}`);

    if (ctx.flags.has('field')) return printField(ctx, secret, loc.v2, fullPath);
    if (secret.wrap_info || !ctx.out.isTable) return ctx.out.secret(secret);

    ctx.out.printWarnings(secret);
    if (loc.v2) outputPath(ctx, fullPath, 'Secret Path');
    const body = asRecord(secret.data) ?? {};
    const metadata = asRecord(body.metadata);
    if (metadata) {
      outputTitled(ctx, 'Metadata', metadata);
      ctx.out.info('');
    }
    const data = loc.v2 ? asRecord(body.data) : asRecord(secret.data);
    if (data) outputTitled(ctx, 'Data', data);
    return 0;
  },
};

function printField(ctx: CommandContext, secret: Secret, v2: boolean, fullPath: string): number {
  const field = ctx.flags.string('field');
  if (!v2) return ctx.out.field(secret, field, true);
  const data = asRecord(asRecord(secret.data)?.data);
  if (!data) throw new CommandFailedError(`No data found at ${fullPath}`);
  // A literal "data" field means the secret's own key when it has one, else the whole data block.
  if (field === 'data' && !('data' in data)) return ctx.out.field(secret, field, true);
  return ctx.out.field(data, field, false);
}

const kvPut: CommandSpec = {
  path: ['kv', 'put'],
  synopsis: 'Sets or updates data in the KV store',
  usage: '[options] KEY [DATA]',
  description: 'Writes the K=V data at the key, replacing what was there (a new version on KV v2).',
  groups: ['http', 'format', 'field'],
  flags: [
    MOUNT_FLAG,
    { name: 'cas', type: 'int', default: -1, usage: 'Check-and-set: write only if the current version matches (0: only if absent).' },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    if (ctx.args.length === 1) throw new UsageError('Must supply data');
    const data = await parseData(ctx, ctx.args.slice(1));
    const { client, loc } = await locateKv(ctx);
    const fullPath = kvApiPath(loc, 'data');
    let body: Record<string, unknown> = data;
    if (loc.v2) {
      const options: Record<string, unknown> = {};
      if (ctx.flags.int('cas') > -1) options.cas = ctx.flags.int('cas');
      body = { data, options };
    }
    const secret = await step(`Error writing data to ${fullPath}`, () => client.write(fullPath, body));
    return printKvWrite(ctx, secret, fullPath);
  },
};

const kvPatch: CommandSpec = {
  path: ['kv', 'patch'],
  synopsis: 'Sets or updates data in the KV store without overwriting',
  usage: '[options] KEY [DATA]',
  description:
    'Merges the K=V data into the latest version of a KV v2 secret. -method=patch sends an HTTP PATCH, ' +
    '-method=rw reads then writes; by default PATCH is tried first.',
  groups: ['http', 'format', 'field'],
  flags: [
    MOUNT_FLAG,
    { name: 'cas', type: 'int', default: -1, usage: 'Check-and-set version for the write.' },
    { name: 'method', type: 'string', usage: '"patch" or "rw"; unset tries PATCH and falls back to read-then-write.' },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    if (ctx.args.length === 1) throw new UsageError('Must supply data');
    const method = ctx.flags.string('method');
    if (method !== '' && method !== 'patch' && method !== 'rw') throw new UsageError(`Unsupported method provided: ${method}`);
    const data = await parseData(ctx, ctx.args.slice(1));
    const { client, loc } = await locateKv(ctx);
    if (!loc.v2) throw new CommandFailedError('K/V engine mount must be version 2 for patch support');
    const fullPath = kvApiPath(loc, 'data');
    const cas = ctx.flags.int('cas');

    if (method === 'rw') return readThenWrite(ctx, fullPath, data, cas);
    const options: Record<string, unknown> = cas > -1 ? { cas } : {};
    let secret: Secret | null;
    try {
      secret = await client.patch(fullPath, { data, options });
    } catch (err) {
      // A server without PATCH (405) or a policy without the patch capability (403): read, merge and write instead.
      if (method === '' && err instanceof ApiError && (err.status === 405 || err.status === 403)) {
        return readThenWrite(ctx, fullPath, data, cas);
      }
      throw failWith(`Error writing data to ${fullPath}`, err);
    }
    if (!secret) throw new CommandFailedError(`No value found at ${fullPath}`);
    return printKvWrite(ctx, secret, fullPath);
  },
};

async function readThenWrite(ctx: CommandContext, fullPath: string, patch: Record<string, unknown>, cas: number): Promise<number> {
  const client = await ctx.client();
  const current = await step(`Error doing pre-read at ${fullPath}`, () => client.read(fullPath));
  if (!current) throw new CommandFailedError(`No value found at ${fullPath}`);
  const body = asRecord(current.data) ?? {};
  const existing = asRecord(body.data);
  if (!existing) throw new CommandFailedError(`No data found at ${fullPath}; the secret may have been deleted`);
  const version = asRecord(body.metadata)?.version;
  const options: Record<string, unknown> = {};
  if (cas > -1) options.cas = cas;
  else if (typeof version === 'number') options.cas = version;
  const secret = await step(`Error writing data to ${fullPath}`, () =>
    client.write(fullPath, { data: { ...existing, ...patch }, options }),
  );
  return printKvWrite(ctx, secret, fullPath);
}

const kvList: CommandSpec = {
  path: ['kv', 'list'],
  synopsis: 'List data or secrets',
  usage: '[options] PATH',
  description: 'Lists the keys at the given path of the KV store.',
  groups: ['http', 'format'],
  flags: [MOUNT_FLAG],
  args: { min: 0, max: 1 },
  async run(ctx) {
    if (ctx.args.length === 0 && !ctx.flags.string('mount')) {
      throw new UsageError('Not enough arguments (expected 1, got 0)');
    }
    const client = await ctx.client();
    const loc = await resolveKv(client, ctx.args[0] ?? '', ctx.flags.string('mount'));
    const fullPath = kvApiPath(loc, 'metadata');
    const secret = await step(`Error listing ${fullPath}`, () => client.list(fullPath));
    if (!secret || !secret.data) throw new CommandFailedError(`No value found at ${fullPath}`);
    if (!Array.isArray((secret.data as { keys?: unknown }).keys)) throw new CommandFailedError(`No entries found at ${fullPath}`);
    return ctx.out.list(secret);
  },
};

export const kvCommands: readonly CommandSpec[] = [kvGet, kvPut, kvPatch, kvList];
