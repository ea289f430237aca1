// operator unseal, seal, step-down, key-status, rotate: the node's seal and its encryption keyring.
import type { CommandContext, CommandSpec } from '../command.js';
import { columnize } from '../format/columns.js';
import { promptSecret } from '../prompt.js';
import { printSealStatus, type SealStatus } from '../seal-status.js';
import { asRecord } from '../secret.js';
import { step } from './helpers.js';

async function printStatusAfter(ctx: CommandContext, status: unknown): Promise<number> {
  const client = await ctx.client();
  return step('Error checking leader status', () => printSealStatus(ctx.out, client, (asRecord(status) ?? {}) as SealStatus), 1);
}

const unseal: CommandSpec = {
  path: ['operator', 'unseal'],
  synopsis: 'Unseals the server',
  usage: '[options] [KEY]',
  description:
    'Provides one unseal key share. Without KEY the share is asked for (hidden on a terminal). -reset discards ' +
    'the shares given so far.',
  groups: ['http', 'format'],
  flags: [
    { name: 'reset', type: 'bool', usage: 'Discard any previously entered keys to the unseal process.' },
    { name: 'migrate', type: 'bool', usage: 'Indicate that this share is provided with the intent of a seal migration.' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx) {
    const client = await ctx.client();
    if (ctx.flags.bool('reset')) {
      const status = await step('Error resetting unseal process', () =>
        client.request('PUT', 'sys/unseal', { body: { reset: true } }),
      );
      return printStatusAfter(ctx, status);
    }
    let key = ctx.args[0] ?? '';
    if (key === '-') key = (await ctx.stdin()).trim();
    if (key === '') key = await promptSecret(ctx.io, 'Unseal Key (will be hidden): ');
    const body: Record<string, unknown> = { key: key.trim() };
    if (ctx.flags.bool('migrate')) body.migrate = true;
    const status = await step('Error unsealing', () => client.request('PUT', 'sys/unseal', { body }));
    return printStatusAfter(ctx, status);
  },
};

const seal: CommandSpec = {
  path: ['operator', 'seal'],
  synopsis: 'Seals the server',
  usage: '[options]',
  description: 'Seals the server: it drops its keys from memory and serves nothing until unsealed again.',
  groups: ['http'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    await step('Error sealing', () => client.request('PUT', 'sys/seal'));
    ctx.out.info('Success! Strongroom is sealed.');
    return 0;
  },
};

const stepDown: CommandSpec = {
  path: ['operator', 'step-down'],
  synopsis: 'Forces the active node to give up active duty',
  usage: '[options]',
  description: 'Asks the active node to release the HA lock and become a standby for a while.',
  groups: ['http'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    await step('Error stepping down', () => client.request('PUT', 'sys/step-down'));
    ctx.out.info(`Success! Stepped down: ${client.address}`);
    return 0;
  },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC822 in UTC ("02 Jan 06 15:04 UTC"), the format Vault prints install times in. */
export function rfc822(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

function keyStatusText(status: Record<string, unknown>): string {
  const rows = [`Key Term | ${String(status.term ?? 0)}`, `Install Time | ${rfc822(String(status.install_time ?? ''))}`];
  if (status.encryptions !== undefined) rows.push(`Encryption Count | ${String(status.encryptions)}`);
  return columnize(rows);
}

function keyStatusJson(status: Record<string, unknown>): Map<string, unknown> {
  return new Map<string, unknown>([
    ['term', status.term ?? 0],
    ['install_time', status.install_time ?? ''],
    ['encryptions', status.encryptions],
  ]);
}

async function fetchKeyStatus(ctx: CommandContext): Promise<Record<string, unknown>> {
  const client = await ctx.client();
  const body = await step('Error reading key status', () => client.request('GET', 'sys/key-status'));
  const rec = asRecord(body) ?? {};
  // The key status is injected at the top of the envelope and also sits in `data`.
  return asRecord(rec.data) ?? rec;
}

const keyStatus: CommandSpec = {
  path: ['operator', 'key-status'],
  synopsis: 'Provides information about the active encryption key',
  usage: '[options]',
  description: 'Shows the term and install time of the key that encrypts new data.',
  groups: ['http', 'format'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const status = await fetchKeyStatus(ctx);
    if (!ctx.out.isTable) return ctx.out.json(keyStatusJson(status));
    ctx.out.info(keyStatusText(status));
    return 0;
  },
};

const rotate: CommandSpec = {
  path: ['operator', 'rotate'],
  synopsis: 'Rotates the underlying encryption key',
  usage: '[options]',
  description: 'Adds a new term to the keyring; new data is encrypted with it, old data stays readable.',
  groups: ['http', 'format'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    await step('Error rotating key', () => client.request('PUT', 'sys/rotate'));
    const status = await fetchKeyStatus(ctx);
    if (!ctx.out.isTable) return ctx.out.json(keyStatusJson(status));
    ctx.out.info('Success! Rotated key');
    ctx.out.info('');
    ctx.out.info(keyStatusText(status));
    return 0;
  },
};

export const operatorSealCommands: readonly CommandSpec[] = [unseal, seal, stepDown, keyStatus, rotate];
