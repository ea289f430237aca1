// operator rekey: new unseal key shares from a quorum of the current ones, optionally verified before they count.
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { tableOutput } from '../format/columns.js';
import { wrapAtLength } from '../format/wrap.js';
import { readPgpKeyList } from '../pgp-keys.js';
import { promptSecret } from '../prompt.js';
import { asRecord } from '../secret.js';
import { step } from './helpers.js';

type Status = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The sys/rekey paths for the barrier key, or for the recovery key of an auto-unseal node. */
function base(ctx: CommandContext): string {
  const target = ctx.flags.string('target').trim().toLowerCase();
  if (target === 'barrier') return 'sys/rekey';
  if (target === 'recovery' || target === 'hsm') return 'sys/rekey-recovery-key';
  throw new UsageError(`Unknown target: ${ctx.flags.string('target')}`);
}

function statusPath(ctx: CommandContext): string {
  return `${base(ctx)}/${ctx.flags.bool('verify') ? 'verify' : 'init'}`;
}

function printStatus(ctx: CommandContext, status: Status, verification: boolean): number {
  if (!ctx.out.isTable) return ctx.out.json(status);
  const out = ['Key | Value', `Nonce | ${String(status.nonce ?? '')}`, `Started | ${status.started === true}`];
  if (verification) {
    out.push(`New Shares | ${num(status.n)}`, `New Threshold | ${num(status.t)}`);
    out.push(`Verification Progress | ${num(status.progress)}/${num(status.t)}`);
  } else {
    if (status.started === true) {
      out.push(`Rekey Progress | ${num(status.progress)}/${num(status.required)}`);
      out.push(`New Shares | ${num(status.n)}`, `New Threshold | ${num(status.t)}`);
      out.push(`Verification Required | ${status.verification_required === true}`);
    }
    const fingerprints = strs(status.pgp_fingerprints);
    if (fingerprints.length > 0) {
      out.push(`PGP Fingerprints | [${fingerprints.join(' ')}]`, `Backup | ${status.backup === true}`);
    }
  }
  ctx.out.info(tableOutput(out));
  return 0;
}

async function readStatus(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const status = asRecord(await step('Error reading rekey status', () => client.request('GET', statusPath(ctx)))) ?? {};
  return printStatus(ctx, status, ctx.flags.bool('verify'));
}

async function initRekey(ctx: CommandContext): Promise<number> {
  const body: Record<string, unknown> = {
    secret_shares: ctx.flags.int('key-shares'),
    secret_threshold: ctx.flags.int('key-threshold'),
    backup: ctx.flags.bool('backup'),
    require_verification: ctx.flags.bool('verify'),
  };
  const pgp = ctx.flags.string('pgp-keys');
  if (pgp) body.pgp_keys = await readPgpKeyList(pgp, ctx.io.cwd);
  const client = await ctx.client();
  const status = asRecord(await step('Error initializing rekey', () => client.request('PUT', `${base(ctx)}/init`, { body }))) ?? {};
  if (ctx.out.isTable && !pgp) {
    ctx.out.warn(
      wrapAtLength(
        'WARNING! If you lose the keys after they are returned, there is no recovery. Consider canceling this ' +
          'operation and re-initializing with the -pgp-keys flag to protect the returned unseal keys along with ' +
          '-backup to allow recovery of the encrypted keys in case of emergency. You can delete the stored keys ' +
          'later using the -backup-delete flag.',
      ),
    );
    ctx.out.info('');
  }
  if (ctx.out.isTable && pgp && !ctx.flags.bool('backup')) {
    ctx.out.warn(
      wrapAtLength(
        'WARNING! You are using PGP keys for encrypting the resulting unseal keys, but you did not enable the ' +
          'option to backup the keys. If you lose the encrypted keys after they are returned, you will not be able ' +
          'to recover them. Consider canceling this operation and re-running with -backup.',
      ),
    );
    ctx.out.info('');
  }
  return printStatus(ctx, status, false);
}

async function cancelRekey(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const body = ctx.flags.string('nonce') ? { nonce: ctx.flags.string('nonce') } : undefined;
  await step('Error canceling rekey', () => client.request('DELETE', statusPath(ctx), { body }));
  ctx.out.info('Success! Canceled rekeying (if it was started)');
  return 0;
}

async function provideKey(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const verify = ctx.flags.bool('verify');
  const status = asRecord(await step('Error getting rekey status', () => client.request('GET', statusPath(ctx)))) ?? {};
  if (status.started !== true) {
    throw new CommandFailedError(
      wrapAtLength('No rekey is in progress. Start a rekey process by running "strongroom operator rekey -init".'),
      1,
    );
  }
  let key = ctx.args[0] ?? '';
  let nonce = ctx.flags.string('nonce');
  if (key === '-') key = await ctx.stdin();
  else if (key === '') {
    // A prompted key needs no -nonce: the one in progress is shown and used.
    nonce = String(status.nonce ?? '');
    ctx.io.stderr.write(`Rekey operation nonce: ${nonce}\n`);
    key = await promptSecret(ctx.io, 'Unseal Key (will be hidden): ');
  }
  key = key.trim();
  if (!nonce) throw new UsageError('Missing nonce value: specify it via the -nonce flag');

  const updatePath = `${base(ctx)}/${verify ? 'verify' : 'update'}`;
  const resp = asRecord(await step('Error posting unseal key', () => client.request('PUT', updatePath, { body: { key, nonce } }))) ?? {};
  if (resp.complete !== true) return readStatus(ctx);
  if (verify) {
    ctx.out.info('Rekey verification successful.');
    return 0;
  }
  return printUnsealKeys(ctx, status, resp);
}

async function printUnsealKeys(ctx: CommandContext, status: Status, resp: Status): Promise<number> {
  if (!ctx.out.isTable) return ctx.out.json(resp);
  const keys = strs(resp.keys);
  const keysB64 = strs(resp.keys_base64);
  const fingerprints = strs(resp.pgp_fingerprints);
  const useB64 = keysB64.length === keys.length;
  ctx.out.info('');
  keys.forEach((k, i) => {
    const value = useB64 ? keysB64[i] : k;
    if (fingerprints.length > 0) ctx.out.info(`Key ${i + 1} fingerprint: ${fingerprints[i]}; value: ${value}`);
    else ctx.out.info(`Key ${i + 1}: ${value}`);
  });
  ctx.out.info('');
  ctx.out.info(`Operation nonce: ${String(resp.nonce ?? '')}`);
  if (fingerprints.length > 0 && resp.backup === true) {
    ctx.out.info('');
    ctx.out.info(
      wrapAtLength(
        'The encrypted unseal keys are backed up to "core/unseal-keys-backup" in the storage backend. Remove ' +
          'these keys at any time using "strongroom operator rekey -backup-delete". Strongroom does not ' +
          'automatically remove these keys.',
      ),
    );
  }
  const n = num(status.n);
  const t = num(status.t);
  ctx.out.info('');
  if (status.verification_required !== true) {
    ctx.out.info(
      wrapAtLength(
        `Strongroom rekeyed with ${n} key shares and a key threshold of ${t}. Please securely distribute the key ` +
          'shares printed above. When Strongroom is re-sealed, restarted, or stopped, you must supply at least ' +
          `${t} of these keys to unseal it before it can start servicing requests.`,
      ),
    );
    return 0;
  }
  ctx.out.info(
    wrapAtLength(
      `Strongroom has created a new key, split into ${n} key shares and a key threshold of ${t}. These will not ` +
        'be active until after verification is complete. Please securely distribute the key shares printed above.',
    ),
  );
  ctx.out.info('');
  ctx.out.warn(
    wrapAtLength(
      'Again, these key shares are _not_ valid until verification is performed. Do not lose or discard your ' +
        'current key shares until after verification is complete or you will be unable to unseal Strongroom. If ' +
        'you cancel the rekey process or seal Strongroom before verification is complete the new shares will be ' +
        'discarded and the current shares will remain valid.',
    ),
  );
  ctx.out.info('');
  ctx.out.warn(wrapAtLength('The current verification status, including initial nonce, is shown below.'));
  ctx.out.info('');
  const client = await ctx.client();
  const verification = asRecord(
    await step('Error reading rekey status', () => client.request('GET', `${base(ctx)}/verify`)),
  ) ?? {};
  return printStatus(ctx, verification, true);
}

async function backupRetrieve(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const path = base(ctx) === 'sys/rekey' ? 'sys/rekey/backup' : 'sys/rekey/recovery-key-backup';
  const secret = await step('Error retrieving rekey stored keys', () => client.read(path));
  if (!secret) throw new CommandFailedError('No backed-up keys found');
  return ctx.out.secret(secret);
}

async function backupDelete(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const path = base(ctx) === 'sys/rekey' ? 'sys/rekey/backup' : 'sys/rekey/recovery-key-backup';
  await step('Error deleting rekey stored keys', () => client.request('DELETE', path));
  ctx.out.info('Success! Delete stored keys (if they existed)');
  return 0;
}

const rekey: CommandSpec = {
  path: ['operator', 'rekey'],
  synopsis: 'Generates new unseal keys',
  usage: '[options] [KEY]',
  description:
    'Replaces the unseal key shares. Start with -init (and -key-shares, -key-threshold), then give a quorum of ' +
    'current shares, one per run, with -nonce; with -verify the new shares must then be entered once before ' +
    'they take effect.',
  groups: ['http', 'format'],
  flags: [
    { name: 'init', type: 'bool', usage: 'Start a rekey; only one can be in progress.' },
    { name: 'cancel', type: 'bool', usage: 'Cancel the rekey in progress, discarding the shares given.' },
    { name: 'status', type: 'bool', usage: 'Print the status of the rekey in progress.' },
    { name: 'key-shares', type: 'int', aliases: ['n'], default: 5, usage: 'Number of new key shares.' },
    { name: 'key-threshold', type: 'int', aliases: ['t'], default: 3, usage: 'Number of new shares needed to unseal.' },
    { name: 'nonce', type: 'string', usage: 'Nonce of the rekey in progress, required with each share.' },
    { name: 'pgp-keys', type: 'string', usage: 'Comma-separated PGP public key files to encrypt the new shares to.' },
    { name: 'backup', type: 'bool', usage: 'Keep a PGP-encrypted copy of the new shares in storage.' },
    { name: 'verify', type: 'bool', usage: 'Require the new shares to be entered once before they take effect.' },
    { name: 'target', type: 'string', default: 'barrier', usage: '"barrier" (unseal keys) or "recovery" (recovery keys).' },
    { name: 'backup-retrieve', type: 'bool', usage: 'Print the PGP-encrypted backup of the shares.' },
    { name: 'backup-delete', type: 'bool', usage: 'Delete the PGP-encrypted backup of the shares.' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx) {
    if (ctx.flags.bool('backup-delete')) return backupDelete(ctx);
    if (ctx.flags.bool('backup-retrieve')) return backupRetrieve(ctx);
    if (ctx.flags.bool('cancel')) return cancelRekey(ctx);
    if (ctx.flags.bool('init')) return initRekey(ctx);
    if (ctx.flags.bool('status')) return readStatus(ctx);
    return provideKey(ctx);
  },
};

export const operatorRekeyCommands: readonly CommandSpec[] = [rekey];
