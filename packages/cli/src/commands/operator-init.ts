// operator init: creates the root key, splits it into unseal key shares and prints them with the root token.
import type { CommandContext, CommandSpec } from '../command.js';
import { wrapAtLength } from '../format/wrap.js';
import { readPgpKeyFile, readPgpKeyList } from '../pgp-keys.js';
import { asRecord } from '../secret.js';
import { step } from './helpers.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

async function initStatus(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  // 2 means "not initialized" here, so a failure to ask exits 1.
  const body = await step('Error checking init status', () => client.request('GET', 'sys/init'), 1);
  const initialized = asRecord(body)?.initialized === true;
  if (ctx.out.isTable) ctx.out.info(initialized ? 'Strongroom is initialized' : 'Strongroom is not initialized');
  else ctx.out.json(new Map([['initialized', initialized]]));
  return initialized ? 0 : 2;
}

const init: CommandSpec = {
  path: ['operator', 'init'],
  synopsis: 'Initializes a server',
  usage: '[options]',
  description:
    'Initializes the storage: generates the root key and splits it into -key-shares unseal keys, any ' +
    '-key-threshold of which unseal the server. Run once per cluster. -status exits 0 when initialized, 2 when not.',
  groups: ['http', 'format'],
  flags: [
    { name: 'status', type: 'bool', usage: 'Print the initialization status (exit 0: initialized, 2: not, 1: error).' },
    { name: 'key-shares', type: 'int', aliases: ['n'], default: 5, usage: 'Number of unseal key shares to create.' },
    { name: 'key-threshold', type: 'int', aliases: ['t'], default: 3, usage: 'Number of shares needed to unseal.' },
    { name: 'pgp-keys', type: 'string', usage: 'Comma-separated PGP public key files; each share is encrypted to one.' },
    { name: 'root-token-pgp-key', type: 'string', usage: 'PGP public key file to encrypt the root token to.' },
    { name: 'recovery-shares', type: 'int', default: 0, usage: 'Recovery key shares (auto-unseal only).' },
    { name: 'recovery-threshold', type: 'int', default: 0, usage: 'Recovery key threshold (auto-unseal only).' },
    { name: 'recovery-pgp-keys', type: 'string', usage: 'PGP key files for the recovery shares (auto-unseal only).' },
  ],
  args: { min: 0, max: 0 },
  async run(ctx) {
    if (ctx.flags.bool('status')) return initStatus(ctx);
    const shares = ctx.flags.int('key-shares');
    const threshold = ctx.flags.int('key-threshold');
    const body: Record<string, unknown> = { secret_shares: shares, secret_threshold: threshold };
    if (ctx.flags.string('pgp-keys')) body.pgp_keys = await readPgpKeyList(ctx.flags.string('pgp-keys'), ctx.io.cwd);
    if (ctx.flags.string('root-token-pgp-key')) {
      body.root_token_pgp_key = await readPgpKeyFile(ctx.flags.string('root-token-pgp-key'), ctx.io.cwd);
    }
    if (ctx.flags.int('recovery-shares') > 0) body.recovery_shares = ctx.flags.int('recovery-shares');
    if (ctx.flags.int('recovery-threshold') > 0) body.recovery_threshold = ctx.flags.int('recovery-threshold');
    if (ctx.flags.string('recovery-pgp-keys')) {
      body.recovery_pgp_keys = await readPgpKeyList(ctx.flags.string('recovery-pgp-keys'), ctx.io.cwd);
    }

    const client = await ctx.client();
    const resp = asRecord(await step('Error initializing', () => client.request('PUT', 'sys/init', { body }))) ?? {};
    const keys = strings(resp.keys);
    const keysB64 = strings(resp.keys_base64);
    const recovery = strings(resp.recovery_keys);
    const recoveryB64 = strings(resp.recovery_keys_base64);
    const rootToken = String(resp.root_token ?? '');

    if (!ctx.out.isTable) {
      return ctx.out.json(
        new Map<string, unknown>([
          ['unseal_keys_b64', keysB64],
          ['unseal_keys_hex', keys],
          ['unseal_shares', shares],
          ['unseal_threshold', threshold],
          ['recovery_keys_b64', recoveryB64],
          ['recovery_keys_hex', recovery],
          ['recovery_keys_shares', ctx.flags.int('recovery-shares')],
          ['recovery_keys_threshold', ctx.flags.int('recovery-threshold')],
          ['root_token', rootToken],
        ]),
      );
    }

    const useB64 = keysB64.length === keys.length;
    keys.forEach((k, i) => ctx.out.info(`Unseal Key ${i + 1}: ${useB64 ? keysB64[i] : k}`));
    const recoveryUseB64 = recoveryB64.length === recovery.length;
    recovery.forEach((k, i) => ctx.out.info(`Recovery Key ${i + 1}: ${recoveryUseB64 ? recoveryB64[i] : k}`));
    ctx.out.info('');
    ctx.out.info(`Initial Root Token: ${rootToken}`);
    ctx.out.info('');
    if (keys.length > 0) {
      ctx.out.info(
        wrapAtLength(
          `Strongroom initialized with ${shares} key shares and a key threshold of ${threshold}. Please ` +
            'securely distribute the key shares printed above. When Strongroom is re-sealed, restarted, or ' +
            `stopped, you must supply at least ${threshold} of these keys to unseal it before it can start ` +
            'servicing requests.',
        ),
      );
      ctx.out.info('');
      ctx.out.info(
        wrapAtLength(
          `Strongroom does not store the generated root key. Without at least ${threshold} keys to ` +
            'reconstruct the root key, Strongroom will remain permanently sealed!',
        ),
      );
      ctx.out.info('');
      ctx.out.info(
        wrapAtLength(
          'It is possible to generate new unseal keys, provided you have a quorum of existing unseal keys ' +
            'shares. See "strongroom operator rekey" for more information.',
        ),
      );
    } else {
      ctx.out.info('Success! Strongroom is initialized');
    }
    if (recovery.length > 0) {
      ctx.out.info('');
      ctx.out.info(
        wrapAtLength(
          `Recovery key initialized with ${ctx.flags.int('recovery-shares')} key shares and a key threshold of ` +
            `${ctx.flags.int('recovery-threshold')}. Please securely distribute the key shares printed above.`,
        ),
      );
    }
    return 0;
  },
};

export const operatorInitCommands: readonly CommandSpec[] = [init];
