// kv delete, undelete, destroy: soft deletes, their undoing, and permanent destruction of KV v2 versions.
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import type { FlagSpec } from '../flags.js';
import { kvApiPath, locateKv, MOUNT_FLAG } from '../kv-mount.js';
import { printWriteResult, step } from './helpers.js';

/** `-versions=1,2 -versions=3` as numbers; anything else is a usage error. */
export function parseVersions(values: readonly string[]): number[] {
  const out: number[] = [];
  for (const v of values.flatMap((s) => s.split(','))) {
    const t = v.trim();
    if (t === '') continue;
    if (!/^\d+$/.test(t)) throw new UsageError(`invalid value ${JSON.stringify(t)} for flag -versions: expected version numbers`);
    out.push(Number(t));
  }
  return out;
}

const VERSIONS_FLAG: FlagSpec = {
  name: 'versions',
  type: 'strings',
  usage: 'Versions to act on, comma-separated or repeated (KV v2).',
};

const kvDelete: CommandSpec = {
  path: ['kv', 'delete'],
  synopsis: 'Deletes versions in the KV store',
  usage: '[options] PATH',
  description: 'Soft-deletes the latest version of a KV v2 secret (or the -versions given); removes a KV v1 key.',
  groups: ['http', 'format'],
  flags: [MOUNT_FLAG, VERSIONS_FLAG],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const versions = parseVersions(ctx.flags.strings('versions'));
    const { client, loc } = await locateKv(ctx);
    let fullPath: string;
    let secret;
    if (loc.v2 && versions.length > 0) {
      fullPath = kvApiPath(loc, 'delete');
      secret = await step(`Error deleting ${fullPath}`, () => client.write(fullPath, { versions }));
    } else {
      fullPath = kvApiPath(loc, 'data');
      secret = await step(`Error deleting ${fullPath}`, () => client.delete(fullPath));
    }
    return printWriteResult(ctx, secret, `Success! Data deleted (if it existed) at: ${fullPath}`);
  },
};

function versionCommand(verb: 'undelete' | 'destroy', synopsis: string, description: string): CommandSpec {
  const title = verb === 'undelete' ? 'Undelete' : 'Destroy';
  return {
    path: ['kv', verb],
    synopsis,
    usage: '[options] KEY',
    description,
    groups: ['http', 'format'],
    flags: [MOUNT_FLAG, VERSIONS_FLAG],
    args: { min: 1, max: 1 },
    async run(ctx: CommandContext) {
      const versions = parseVersions(ctx.flags.strings('versions'));
      if (versions.length === 0) {
        throw new UsageError(`No versions provided, use the "-versions" flag to specify the version to ${verb}.`);
      }
      const { client, loc } = await locateKv(ctx);
      if (!loc.v2) throw new CommandFailedError(`${title} not supported on KV Version 1`, 1);
      const fullPath = kvApiPath(loc, verb);
      const secret = await step(`Error writing data to ${fullPath}`, () => client.write(fullPath, { versions }));
      return printWriteResult(ctx, secret, `Success! Data written to: ${fullPath}`);
    },
  };
}

export const kvVersionCommands: readonly CommandSpec[] = [
  kvDelete,
  versionCommand('undelete', 'Undeletes versions in the KV store', 'Restores soft-deleted versions of a KV v2 secret.'),
  versionCommand('destroy', 'Permanently removes one or more versions in the KV store', 'Destroys the data of versions of a KV v2 secret for good.'),
];
