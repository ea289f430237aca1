// lease renew|revoke|lookup: leases of dynamic secrets through sys/leases.
import type { CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { printSecret, step } from './helpers.js';

const renew: CommandSpec = {
  path: ['lease', 'renew'],
  synopsis: 'Renews the lease of a secret',
  usage: '[options] ID',
  description: 'Asks for the lease ID to be extended by -increment from now; the server may grant less.',
  groups: ['http', 'format', 'field'],
  flags: [{ name: 'increment', type: 'duration', aliases: ['i'], usage: 'Requested extension, from now.' }],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const leaseId = ctx.args[0]!.trim();
    const client = await ctx.client();
    const body = { lease_id: leaseId, increment: ctx.flags.seconds('increment') };
    const secret = await step('Error renewing lease', () => client.write('sys/leases/renew', body));
    if (!secret) throw new CommandFailedError('Error renewing lease: empty response');
    return printSecret(ctx, secret);
  },
};

const revoke: CommandSpec = {
  path: ['lease', 'revoke'],
  synopsis: 'Revokes leases and secrets',
  usage: '[options] ID',
  description:
    'Revokes the lease ID, or with -prefix every lease under it; -force (with -prefix) drops the leases even ' +
    'when the backend fails to revoke them.',
  groups: ['http'],
  flags: [
    { name: 'prefix', type: 'bool', usage: 'Treat ID as a prefix.' },
    { name: 'force', type: 'bool', aliases: ['f'], usage: 'Delete the leases even if the backend cannot revoke them.' },
    { name: 'sync', type: 'bool', default: true, usage: 'Wait for the revocation to finish (-sync=false queues it).' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0]!.trim();
    const prefix = ctx.flags.bool('prefix');
    const force = ctx.flags.bool('force');
    const sync = ctx.flags.bool('sync');
    if (force && !prefix) throw new UsageError('Specifying -force requires also specifying -prefix');
    const client = await ctx.client();
    if (force) {
      await step(`Error force revoking leases with prefix ${id}`, () => client.write(`sys/leases/revoke-force/${id}`, {}));
      ctx.out.info(`Success! Force revoked any leases with prefix: ${id}`);
      return 0;
    }
    if (prefix) {
      await step(`Error revoking leases with prefix ${id}`, () => client.write(`sys/leases/revoke-prefix/${id}`, { sync }));
      ctx.out.info(sync ? `Success! Revoked any leases with prefix: ${id}` : 'All revocation operations queued successfully!');
      return 0;
    }
    await step(`Error revoking lease ${id}`, () => client.write('sys/leases/revoke', { lease_id: id, sync }));
    ctx.out.info(sync ? `Success! Revoked lease: ${id}` : 'All revocation operations queued successfully!');
    return 0;
  },
};

const lookup: CommandSpec = {
  path: ['lease', 'lookup'],
  synopsis: 'Lookup lease information by lease id',
  usage: '[options] ID',
  description: 'Shows the issue time, expiry, TTL and renewability of the lease ID.',
  groups: ['http', 'format'],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0]!.trim();
    const client = await ctx.client();
    const secret = await step(`error looking up lease id ${id}`, () => client.write('sys/leases/lookup', { lease_id: id }));
    if (!secret) throw new CommandFailedError(`error looking up lease id ${id}: empty response`);
    return ctx.out.secret(secret);
  },
};

export const leaseCommands: readonly CommandSpec[] = [renew, revoke, lookup];
