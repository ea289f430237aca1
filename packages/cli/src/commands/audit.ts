// audit enable|disable|list: audit devices through sys/audit.
import type { CommandSpec } from '../command.js';
import { tableOutput } from '../format/columns.js';
import { asRecord } from '../secret.js';
import { ensureTrailingSlash, parseStringData, sanitizePath, step } from './helpers.js';
import { mountTable } from './mounts.js';

const enable: CommandSpec = {
  path: ['audit', 'enable'],
  synopsis: 'Enables an audit device',
  usage: '[options] TYPE [CONFIG K=V...]',
  description: 'Enables an audit device of TYPE (e.g. file file_path=/var/log/audit.log) at -path (default: TYPE).',
  groups: ['http'],
  flags: [
    { name: 'path', type: 'string', usage: 'Path of the device (default: the type name).' },
    { name: 'description', type: 'string', usage: 'Human-friendly description.' },
    { name: 'local', type: 'bool', usage: 'Do not replicate the device.' },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx) {
    const type = ctx.args[0]!.trim();
    const options = await parseStringData(ctx, ctx.args.slice(1));
    const devicePath = ensureTrailingSlash(sanitizePath(ctx.flags.string('path') || type));
    const body: Record<string, unknown> = { type, description: ctx.flags.string('description'), options };
    if (ctx.flags.bool('local')) body.local = true;
    const client = await ctx.client();
    await step('Error enabling audit device', () => client.request('PUT', `sys/audit/${devicePath}`, { body }));
    ctx.out.info(`Success! Enabled the ${type} audit device at: ${devicePath}`);
    return 0;
  },
};

const disable: CommandSpec = {
  path: ['audit', 'disable'],
  synopsis: 'Disables an audit device',
  usage: '[options] PATH',
  description: 'Disables the audit device at PATH; its salt is lost, so its old hashes can no longer be matched.',
  groups: ['http'],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const devicePath = ensureTrailingSlash(sanitizePath(ctx.args[0]!));
    const client = await ctx.client();
    await step('Error disabling audit device', () => client.request('DELETE', `sys/audit/${devicePath}`));
    ctx.out.info(`Success! Disabled audit device (if it was enabled) at: ${devicePath}`);
    return 0;
  },
};

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const list: CommandSpec = {
  path: ['audit', 'list'],
  synopsis: 'Lists enabled audit devices',
  usage: '[options]',
  description: 'Lists the enabled audit devices; exits 2 when there are none.',
  groups: ['http', 'format'],
  flags: [{ name: 'detailed', type: 'bool', usage: 'Print the options of each device.' }],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    const devices = mountTable(await step('Error listing audits', () => client.request('GET', 'sys/audit')));
    if (!ctx.out.isTable) return ctx.out.json(devices);
    const paths = Object.keys(devices).sort();
    if (paths.length === 0) {
      ctx.out.info('No audit devices are enabled.');
      return 2;
    }
    const detailed = ctx.flags.bool('detailed');
    const rows = [detailed ? 'Path | Type | Description | Replication | Options' : 'Path | Type | Description'];
    for (const p of paths) {
      const d = devices[p]!;
      const base = `${p} | ${str(d.type)} | ${str(d.description)}`;
      if (!detailed) {
        rows.push(base);
        continue;
      }
      const options = asRecord(d.options) ?? {};
      const opts = Object.keys(options)
        .sort()
        .map((k) => `${k}=${str(options[k])}`)
        .join(' ');
      rows.push(`${base} | ${d.local === true ? 'local' : 'replicated'} | ${opts}`);
    }
    ctx.out.info(tableOutput(rows));
    return 0;
  },
};

export const auditCommands: readonly CommandSpec[] = [enable, disable, list];
