// operator generate-root: a new root token from a quorum of unseal key shares, handed out encrypted to an OTP.
import { randomBytes } from 'node:crypto';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { columnize } from '../format/columns.js';
import { wrapAtLength } from '../format/wrap.js';
import { readPgpKeyFile } from '../pgp-keys.js';
import { promptSecret } from '../prompt.js';
import { decodeRootToken, generateOtp } from '../root-token.js';
import { asRecord } from '../secret.js';
import { step } from './helpers.js';

const ATTEMPT = 'sys/generate-root/attempt';

type Status = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

async function fetchStatus(ctx: CommandContext): Promise<Status> {
  const client = await ctx.client();
  return asRecord(await step('Error getting root generation status', () => client.request('GET', ATTEMPT))) ?? {};
}

function printStatus(ctx: CommandContext, status: Status): number {
  if (!ctx.out.isTable) return ctx.out.json(status);
  const rows = [
    `Nonce | ${str(status.nonce)}`,
    `Started | ${status.started === true}`,
    `Progress | ${num(status.progress)}/${num(status.required)}`,
    `Complete | ${status.complete === true}`,
  ];
  if (str(status.pgp_fingerprint)) rows.push(`PGP Fingerprint | ${str(status.pgp_fingerprint)}`);
  if (str(status.encoded_token)) rows.push(`Encoded Token | ${str(status.encoded_token)}`);
  else if (str(status.encoded_root_token)) rows.push(`Encoded Root Token | ${str(status.encoded_root_token)}`);
  if (str(status.otp)) {
    ctx.out.warn(
      wrapAtLength(
        'A One-Time-Password has been generated for you and is shown in the OTP field. You will need this ' +
          'value to decode the resulting root token, so keep it safe.',
      ),
    );
    rows.push(`OTP | ${str(status.otp)}`);
  }
  if (num(status.otp_length) !== 0) rows.push(`OTP Length | ${num(status.otp_length)}`);
  ctx.out.info(columnize(rows));
  return 0;
}

async function otpCommand(ctx: CommandContext): Promise<number> {
  const length = num((await fetchStatus(ctx)).otp_length);
  // A server that reports no OTP length uses the older scheme: a base64 OTP of 16 random bytes.
  const otp = length === 0 ? randomBytes(16).toString('base64') : generateOtp(length);
  if (ctx.out.isTable) return ctx.out.raw(otp);
  return ctx.out.json(new Map<string, unknown>([['otp', otp], ['otp_length', otp.length]]));
}

async function decodeCommand(ctx: CommandContext): Promise<number> {
  let encoded = ctx.flags.string('decode');
  if (encoded === '-') encoded = (await ctx.stdin()).trim();
  if (encoded === '') throw new UsageError('Missing encoded value: use -decode=<string> to supply it');
  const otp = ctx.flags.string('otp');
  if (otp === '') throw new UsageError('Missing otp: use -otp to supply it');
  const token = decodeRootToken(encoded, otp);
  if (ctx.out.isTable) return ctx.out.raw(token);
  return ctx.out.json({ token });
}

async function initCommand(ctx: CommandContext): Promise<number> {
  const otp = ctx.flags.string('otp');
  const pgpFile = ctx.flags.string('pgp-key');
  if (otp && pgpFile) throw new UsageError('Error initializing: cannot specify both -otp and -pgp-key');
  const body: Record<string, unknown> = {};
  if (otp) body.otp = otp;
  if (pgpFile) body.pgp_key = await readPgpKeyFile(pgpFile, ctx.io.cwd);
  const client = await ctx.client();
  const status = await step('Error initializing root generation', () => client.request('PUT', ATTEMPT, { body }));
  return printStatus(ctx, asRecord(status) ?? {});
}

async function provideCommand(ctx: CommandContext): Promise<number> {
  const status = await fetchStatus(ctx);
  if (status.started !== true) {
    ctx.out.warn(
      wrapAtLength(
        'If starting root generation using the OTP method and generating your own OTP, the length of the OTP ' +
          `string needs to be ${num(status.otp_length)} characters in length.`,
      ),
    );
    throw new CommandFailedError(
      wrapAtLength('No root generation is in progress. Start a root generation by running "strongroom operator generate-root -init".'),
      1,
    );
  }
  let key = ctx.args[0] ?? '';
  let nonce = ctx.flags.string('nonce');
  if (key === '-') key = await ctx.stdin();
  else if (key === '') {
    nonce = str(status.nonce);
    ctx.io.stderr.write(`Operation nonce: ${nonce}\n`);
    key = await promptSecret(ctx.io, 'Unseal Key (will be hidden): ');
  }
  key = key.trim();
  if (!nonce) throw new UsageError('Missing nonce value: specify it via the -nonce flag');
  const client = await ctx.client();
  const updated = await step('Error posting unseal key', () =>
    client.request('PUT', 'sys/generate-root/update', { body: { key, nonce } }),
  );
  return printStatus(ctx, asRecord(updated) ?? {});
}

const generateRoot: CommandSpec = {
  path: ['operator', 'generate-root'],
  synopsis: 'Generates a new root token',
  usage: '[options] [KEY]',
  description:
    'Generates a new root token from a quorum of unseal key shares. Start with -init (the server makes an OTP, ' +
    'or give -otp from -generate-otp, or -pgp-key), give the shares one per run with -nonce, then turn the ' +
    'encoded token into the token with -decode=<encoded> -otp=<otp>.',
  groups: ['http', 'format'],
  flags: [
    { name: 'init', type: 'bool', usage: 'Start a root token generation.' },
    { name: 'cancel', type: 'bool', usage: 'Cancel the generation in progress, discarding the shares given.' },
    { name: 'status', type: 'bool', usage: 'Print the status of the generation in progress.' },
    { name: 'decode', type: 'string', usage: 'The encoded token to decode with -otp ("-" reads it from stdin).' },
    { name: 'generate-otp', type: 'bool', usage: 'Print a random OTP of the length the server wants.' },
    { name: 'otp', type: 'string', usage: 'OTP to use with -init or -decode.' },
    { name: 'pgp-key', type: 'string', usage: 'PGP public key file to encrypt the new token to, instead of an OTP.' },
    { name: 'nonce', type: 'string', usage: 'Nonce of the generation in progress, required with each share.' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx) {
    if (ctx.flags.bool('generate-otp')) return otpCommand(ctx);
    if (ctx.flags.has('decode')) return decodeCommand(ctx);
    if (ctx.flags.bool('cancel')) {
      const client = await ctx.client();
      await step('Error canceling root token generation', () => client.request('DELETE', ATTEMPT));
      ctx.out.info('Success! Root token generation canceled (if it was started)');
      return 0;
    }
    if (ctx.flags.bool('init')) return initCommand(ctx);
    if (ctx.flags.bool('status')) return printStatus(ctx, await fetchStatus(ctx));
    return provideCommand(ctx);
  },
};

export const operatorGenerateRootCommands: readonly CommandSpec[] = [generateRoot];
