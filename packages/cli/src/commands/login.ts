// login: authenticates with a token or an auth method and keeps the resulting token for later commands.
import type { CommandContext, CommandSpec } from '../command.js';
import type { Client } from '../client.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { wrapAtLength } from '../format/wrap.js';
import { promptSecret } from '../prompt.js';
import { asRecord, type Secret } from '../secret.js';
import { TokenHelper } from '../token-helper.js';
import { ensureTrailingSlash, parseStringData, sanitizePath, step } from './helpers.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Token login: the token is checked with lookup-self and described as a login response would be. */
async function tokenLogin(ctx: CommandContext, client: Client): Promise<Secret> {
  let token = '';
  const arg = ctx.args[0];
  if (arg === '-') token = (await ctx.stdin()).trim();
  else if (arg !== undefined && arg.includes('=')) token = (await parseStringData(ctx, ctx.args)).token ?? '';
  else if (arg !== undefined) token = arg;
  if (ctx.args.length > 1 && !arg?.includes('=')) throw new UsageError(`Too many arguments (expected 0-1, got ${ctx.args.length})`);
  if (token === '') token = await promptSecret(ctx.io, 'Token (will be hidden): ');
  if (token === '') throw new UsageError('A token must be passed to auth, please view the help for more information');

  client.setToken(token);
  const lookup = await step('Error authenticating: error looking up token', () => client.read('auth/token/lookup-self'));
  if (!lookup) throw new CommandFailedError('Error authenticating: empty response from lookup-self');
  const data = asRecord(lookup.data) ?? {};
  const tokenPolicies = strings(data.policies);
  const identityPolicies = strings(data.identity_policies);
  return {
    auth: {
      client_token: token,
      accessor: String(data.accessor ?? ''),
      policies: [...new Set([...tokenPolicies, ...identityPolicies])].sort(),
      token_policies: tokenPolicies,
      identity_policies: identityPolicies,
      metadata: asRecord(data.meta),
      lease_duration: typeof data.ttl === 'number' ? data.ttl : 0,
      renewable: data.renewable === true,
      entity_id: String(data.entity_id ?? ''),
      orphan: data.orphan === true,
    },
  };
}

/** Method logins: POST auth/<path>/login[/<username>] with the K=V arguments, prompting for what is missing. */
async function methodLogin(ctx: CommandContext, client: Client, method: string, mount: string): Promise<Secret | null> {
  const data: Record<string, string> = await parseStringData(ctx, ctx.args);
  client.setToken(undefined);
  let path = `auth/${mount}login`;
  switch (method) {
    case 'userpass':
    case 'ldap':
    case 'okta':
    case 'radius': {
      const username = data.username;
      if (!username) throw new UsageError("'username' must be specified");
      delete data.username;
      if (data.password === undefined) data.password = await promptSecret(ctx.io, 'Password (will be hidden): ');
      path = `auth/${mount}login/${username}`;
      break;
    }
    case 'github':
      if (data.token === undefined) data.token = await promptSecret(ctx.io, 'GitHub Personal Access Token (will be hidden): ');
      break;
    default:
      break;
  }
  return step('Error authenticating', () => client.write(path, data));
}

const login: CommandSpec = {
  path: ['login'],
  synopsis: 'Authenticate locally',
  usage: '[options] [AUTH K=V...]',
  description:
    'Authenticates with a token (the default method; asked for when not given) or with -method=userpass ' +
    'username=... password=... and similar, and keeps the token in ~/.vault-token for later commands.',
  groups: ['http', 'format', 'field'],
  flags: [
    { name: 'method', type: 'string', default: 'token', usage: 'Auth method: token, userpass, approle, github, ...' },
    { name: 'path', type: 'string', usage: 'Mount path of the auth method (default: the method name).' },
    { name: 'no-store', type: 'bool', usage: 'Do not keep the token in the token helper.' },
    { name: 'no-print', type: 'bool', usage: 'Do not print the token information.' },
    { name: 'token-only', type: 'bool', usage: 'Print only the token, without storing it (-field=token -no-store).' },
  ],
  args: { min: 0, max: Infinity },
  async run(ctx) {
    const method = ctx.flags.string('method').trim() || 'token';
    const mount = ensureTrailingSlash(sanitizePath(ctx.flags.string('path') || method));
    const tokenOnly = ctx.flags.bool('token-only');
    const noStore = tokenOnly || ctx.flags.bool('no-store');
    const client = await ctx.client();
    const secret = method === 'token' ? await tokenLogin(ctx, client) : await methodLogin(ctx, client, method, mount);
    if (!secret) throw new CommandFailedError('The server returned an empty secret');
    if (!secret.auth?.client_token) {
      throw new CommandFailedError(
        wrapAtLength('The server returned a secret, but the secret has no authentication information attached.'),
      );
    }
    const token = secret.auth.client_token;

    if (tokenOnly) return ctx.out.raw(token);
    if (!noStore) {
      await step('Error storing token', () => TokenHelper.forEnv(ctx.io.env).store(token));
      if (ctx.io.env.VAULT_TOKEN) {
        ctx.out.warn(
          wrapAtLength(
            'WARNING! The VAULT_TOKEN environment variable is set! The value of this variable will take ' +
              'precedence; if this is unwanted please unset VAULT_TOKEN or update its value accordingly.',
          ) + '\n',
        );
      }
    } else {
      ctx.out.warn(
        wrapAtLength(
          'The token was not stored in token helper. Set the VAULT_TOKEN environment variable or pass the token ' +
            'below with each request.',
        ) + '\n',
      );
    }
    if (ctx.flags.bool('no-print')) return 0;
    if (ctx.flags.has('field')) return ctx.out.field(secret, ctx.flags.string('field'), true);
    if (ctx.out.isTable) {
      ctx.out.info(
        noStore
          ? 'Success! You are now authenticated.\n'
          : wrapAtLength(
              'Success! You are now authenticated. The token information displayed below is already stored in ' +
                'the token helper. You do NOT need to run "strongroom login" again. Future requests will ' +
                'automatically use this token.',
            ) + '\n',
      );
    }
    return ctx.out.secret(secret);
  },
};

export const loginCommands: readonly CommandSpec[] = [login];
