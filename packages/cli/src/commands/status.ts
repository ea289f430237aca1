// status: seal state and HA role of the node; exit 0 unsealed, 2 sealed, 1 when it cannot be asked.
import type { CommandSpec } from '../command.js';
import { fetchSealStatus, printSealStatus } from '../seal-status.js';
import { step } from './helpers.js';

const status: CommandSpec = {
  path: ['status'],
  synopsis: 'Print seal and HA status',
  usage: '[options]',
  description:
    'Prints the seal state of the server and whether it is the active node. The exit code is 0 when unsealed, ' +
    '2 when sealed and 1 on error.',
  groups: ['http', 'format'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    // 2 means "sealed" here, so a failure to ask exits 1.
    const seal = await step('Error checking seal status', () => fetchSealStatus(client), 1);
    const code = await step('Error checking leader status', () => printSealStatus(ctx.out, client, seal), 1);
    return seal.sealed === true ? 2 : code;
  },
};

export const statusCommands: readonly CommandSpec[] = [status];
