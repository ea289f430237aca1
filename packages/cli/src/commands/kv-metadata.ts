// kv metadata get, put, delete: a KV v2 secret's settings and version history.
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandFailedError } from '../errors.js';
import { parseFlagPairs } from '../kv-data.js';
import type { Client } from '../client.js';
import { kvApiPath, locateKv, MOUNT_FLAG } from '../kv-mount.js';
import { asRecord } from '../secret.js';
import { printWriteResult, step } from './helpers.js';
import { outputPath, outputTitled } from './kv-output.js';

/** The metadata API path of the KV v2 secret the KEY argument names; KV v1 has no metadata. */
async function metadataTarget(ctx: CommandContext): Promise<{ client: Client; fullPath: string }> {
  const { client, loc } = await locateKv(ctx);
  if (!loc.v2) throw new CommandFailedError('Metadata not supported on KV Version 1', 1);
  return { client, fullPath: kvApiPath(loc, 'metadata') };
}

const metadataGet: CommandSpec = {
  path: ['kv', 'metadata', 'get'],
  synopsis: 'Retrieves key metadata from the KV store',
  usage: '[options] KEY',
  description: 'Shows the metadata of a KV v2 secret and of each of its versions.',
  groups: ['http', 'format'],
  flags: [MOUNT_FLAG],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { client, fullPath } = await metadataTarget(ctx);
    const secret = await step(`Error reading ${fullPath}`, () => client.read(fullPath));
    if (!secret) throw new CommandFailedError(`No value found at ${fullPath}`);
    if (!ctx.out.isTable) return ctx.out.secret(secret);

    const data = { ...(asRecord(secret.data) ?? {}) };
    const versions = asRecord(data.versions) ?? {};
    delete data.versions;
    outputPath(ctx, fullPath, 'Metadata Path');
    outputTitled(ctx, 'Metadata', data);
    const numbers = Object.keys(versions)
      .map(Number)
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
    for (const v of numbers) {
      const entry = asRecord(versions[String(v)]) ?? {};
      ctx.out.info('');
      outputTitled(ctx, `Version ${v}`, entry);
    }
    return 0;
  },
};

const metadataPut: CommandSpec = {
  path: ['kv', 'metadata', 'put'],
  synopsis: 'Sets or updates key settings in the KV store',
  usage: '[options] KEY',
  description: 'Sets the settings of a KV v2 secret; only the flags given are changed.',
  groups: ['http'],
  flags: [
    MOUNT_FLAG,
    { name: 'max-versions', type: 'int', default: -1, usage: 'Number of versions to keep (0: the mount setting).' },
    { name: 'cas-required', type: 'bool', usage: 'Require check-and-set on every write.' },
    { name: 'delete-version-after', type: 'duration', usage: 'Delete versions this long after they are written.' },
    { name: 'custom-metadata', type: 'strings', usage: 'A key=value pair to keep as custom metadata; repeatable.' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const body: Record<string, unknown> = {};
    if (ctx.flags.int('max-versions') >= 0) body.max_versions = ctx.flags.int('max-versions');
    if (ctx.flags.has('cas-required')) body.cas_required = ctx.flags.bool('cas-required');
    if (ctx.flags.has('delete-version-after')) body.delete_version_after = ctx.flags.string('delete-version-after');
    if (ctx.flags.has('custom-metadata')) {
      body.custom_metadata = parseFlagPairs('custom-metadata', ctx.flags.strings('custom-metadata'));
    }
    const { client, fullPath } = await metadataTarget(ctx);
    const secret = await step(`Error writing data to ${fullPath}`, () => client.write(fullPath, body));
    return printWriteResult(ctx, secret, `Success! Data written to: ${fullPath}`);
  },
};

const metadataDelete: CommandSpec = {
  path: ['kv', 'metadata', 'delete'],
  synopsis: 'Deletes all versions and metadata for a key in the KV store',
  usage: '[options] PATH',
  description: 'Removes a KV v2 secret entirely: every version and its metadata.',
  groups: ['http'],
  flags: [MOUNT_FLAG],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { client, fullPath } = await metadataTarget(ctx);
    await step(`Error deleting ${fullPath}`, () => client.delete(fullPath));
    ctx.out.info(`Success! Data deleted (if it existed) at: ${fullPath}`);
    return 0;
  },
};

export const kvMetadataCommands: readonly CommandSpec[] = [metadataGet, metadataPut, metadataDelete];
