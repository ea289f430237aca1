// token create, lookup, renew, revoke, capabilities: the token store through auth/token/*.
import type { CommandSpec } from '../command.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { parseFlagPairs } from '../kv-data.js';
import { asRecord } from '../secret.js';
import { printSecret, step } from './helpers.js';

const create: CommandSpec = {
  path: ['token', 'create'],
  synopsis: 'Create a new token',
  usage: '[options]',
  description: 'Creates a token, a child of the current one unless -orphan, with the given policies and limits.',
  groups: ['http', 'format', 'field'],
  flags: [
    { name: 'id', type: 'string', usage: 'Value of the token (root only); random by default.' },
    { name: 'display-name', type: 'string', usage: 'Name attached to the token.' },
    { name: 'ttl', type: 'duration', usage: 'Initial TTL of the token.' },
    { name: 'explicit-max-ttl', type: 'duration', usage: 'Hard cap on the lifetime of the token.' },
    { name: 'period', type: 'duration', usage: 'Make a periodic token that renews to this TTL.' },
    { name: 'renewable', type: 'bool', default: true, usage: 'Whether the token can be renewed.' },
    { name: 'orphan', type: 'bool', usage: 'Create the token with no parent.' },
    { name: 'no-default-policy', type: 'bool', usage: 'Do not attach the "default" policy.' },
    { name: 'use-limit', type: 'int', default: 0, usage: 'Number of uses before the token is revoked (0: unlimited).' },
    { name: 'role', type: 'string', usage: 'Token role to create the token against.' },
    { name: 'type', type: 'string', usage: '"service" or "batch".' },
    { name: 'policy', type: 'strings', usage: 'Policy to attach; repeatable.' },
    { name: 'metadata', type: 'strings', usage: 'key=value metadata; repeatable.' },
    { name: 'entity-alias', type: 'string', usage: 'Entity alias to associate with the token (with -role).' },
  ],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const f = ctx.flags;
    const body: Record<string, unknown> = { renewable: f.bool('renewable') };
    if (f.string('id')) body.id = f.string('id');
    const policies = f.strings('policy').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    if (policies.length > 0) body.policies = policies;
    if (f.has('metadata')) body.meta = parseFlagPairs('metadata', f.strings('metadata'));
    if (f.bool('no-default-policy')) body.no_default_policy = true;
    if (f.has('ttl')) body.ttl = f.string('ttl');
    if (f.has('explicit-max-ttl')) body.explicit_max_ttl = f.string('explicit-max-ttl');
    if (f.has('period')) body.period = f.string('period');
    if (f.string('display-name')) body.display_name = f.string('display-name');
    if (f.int('use-limit') > 0) body.num_uses = f.int('use-limit');
    if (f.string('type')) body.type = f.string('type');
    if (f.string('entity-alias')) body.entity_alias = f.string('entity-alias');
    const role = f.string('role');
    const path = role ? `auth/token/create/${role}` : f.bool('orphan') ? 'auth/token/create-orphan' : 'auth/token/create';
    const client = await ctx.client();
    const secret = await step('Error creating token', () => client.write(path, body));
    if (!secret) throw new CommandFailedError('Error creating token: empty response');
    return printSecret(ctx, secret);
  },
};

const lookup: CommandSpec = {
  path: ['token', 'lookup'],
  synopsis: 'Display information about a token',
  usage: '[options] [TOKEN | ACCESSOR]',
  description: 'Shows the properties of the given token (or accessor with -accessor), or of the current token.',
  groups: ['http', 'format', 'field'],
  flags: [{ name: 'accessor', type: 'bool', usage: 'Treat the argument as an accessor.' }],
  args: { min: 0, max: 1 },
  async run(ctx) {
    const arg = ctx.args[0];
    if (ctx.flags.bool('accessor') && arg === undefined) throw new UsageError('Not enough arguments with -accessor (expected 1, got 0)');
    const client = await ctx.client();
    const secret = await step('Error looking up token', () => {
      if (arg === undefined) return client.read('auth/token/lookup-self');
      if (ctx.flags.bool('accessor')) return client.write('auth/token/lookup-accessor', { accessor: arg });
      return client.write('auth/token/lookup', { token: arg });
    });
    if (!secret) throw new CommandFailedError('Error looking up token: empty response');
    return printSecret(ctx, secret);
  },
};

const renew: CommandSpec = {
  path: ['token', 'renew'],
  synopsis: 'Renew a token lease',
  usage: '[options] [TOKEN]',
  description: 'Extends the TTL of the given token (or accessor with -accessor), or of the current token.',
  groups: ['http', 'format', 'field'],
  flags: [
    { name: 'increment', type: 'duration', aliases: ['i'], usage: 'Requested extension, from now.' },
    { name: 'accessor', type: 'bool', usage: 'Treat the argument as an accessor.' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx) {
    const arg = ctx.args[0];
    const increment = ctx.flags.seconds('increment');
    const client = await ctx.client();
    const secret = await step('Error renewing token', () => {
      if (arg === undefined) return client.write('auth/token/renew-self', { increment });
      if (ctx.flags.bool('accessor')) return client.write('auth/token/renew-accessor', { accessor: arg, increment });
      return client.write('auth/token/renew', { token: arg, increment });
    });
    if (!secret) throw new CommandFailedError('Error renewing token: empty response');
    return printSecret(ctx, secret);
  },
};

const revoke: CommandSpec = {
  path: ['token', 'revoke'],
  synopsis: 'Revoke a token and its children',
  usage: '[options] [TOKEN | ACCESSOR]',
  description:
    'Revokes the token, its children and their leases. -mode=orphan leaves the children as orphans; -mode=path ' +
    'revokes every token created under the given path.',
  groups: ['http'],
  flags: [
    { name: 'accessor', type: 'bool', usage: 'Treat the argument as an accessor.' },
    { name: 'self', type: 'bool', usage: 'Revoke the current token.' },
    { name: 'mode', type: 'string', usage: '"" (token and children), "orphan" or "path".' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx) {
    const self = ctx.flags.bool('self');
    const accessor = ctx.flags.bool('accessor');
    const mode = ctx.flags.string('mode');
    const arg = ctx.args[0];
    if (self && accessor) throw new UsageError('Cannot use -self with -accessor!');
    if (self && mode) throw new UsageError('Cannot use -self with -mode!');
    if (accessor && mode !== '') throw new UsageError(`Cannot use -accessor with -mode=${mode}!`);
    if (mode !== '' && mode !== 'orphan' && mode !== 'path') throw new UsageError(`Unknown mode: ${mode}`);
    if (self && arg !== undefined) throw new UsageError(`Too many arguments (expected 0, got ${ctx.args.length})`);
    if (!self && arg === undefined) throw new UsageError('Not enough arguments (expected 1, got 0)');
    const client = await ctx.client();
    await step('Error revoking token', () => {
      if (self) return client.write('auth/token/revoke-self', {});
      if (accessor) return client.write('auth/token/revoke-accessor', { accessor: arg });
      if (mode === 'orphan') return client.write('auth/token/revoke-orphan', { token: arg });
      if (mode === 'path') return client.write(`sys/leases/revoke-prefix/${arg}`, {});
      return client.write('auth/token/revoke', { token: arg });
    });
    ctx.out.info('Success! Revoked token (if it existed)');
    return 0;
  },
};

const capabilities: CommandSpec = {
  path: ['token', 'capabilities'],
  synopsis: 'Print capabilities of a token on a path',
  usage: '[options] [TOKEN] PATH',
  description: 'Lists what the given token (or accessor with -accessor), or the current token, may do on PATH.',
  groups: ['http', 'format'],
  flags: [{ name: 'accessor', type: 'bool', usage: 'Treat the token argument as an accessor.' }],
  args: { min: 1, max: 2 },
  async run(ctx) {
    const [first, second] = ctx.args;
    const path = second ?? first!;
    const token = second === undefined ? undefined : first;
    if (ctx.flags.bool('accessor') && token === undefined) throw new UsageError('Not enough arguments with -accessor (expected 2, got 1)');
    const client = await ctx.client();
    const secret = await step('Error listing capabilities', () => {
      if (token === undefined) return client.write('sys/capabilities-self', { paths: [path] });
      if (ctx.flags.bool('accessor')) return client.write('sys/capabilities-accessor', { accessor: token, paths: [path] });
      return client.write('sys/capabilities', { token, paths: [path] });
    });
    const data = asRecord(secret?.data) ?? asRecord(secret) ?? {};
    const caps = data[path] ?? data.capabilities;
    const list = (Array.isArray(caps) ? caps.map(String) : []).sort();
    if (!ctx.out.isTable) return ctx.out.json(list);
    ctx.out.info(list.join(', '));
    return 0;
  },
};

export const tokenCommands: readonly CommandSpec[] = [create, lookup, renew, revoke, capabilities];
