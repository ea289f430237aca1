// secrets enable|disable|list|tune and auth enable|disable|list|tune: the two mount tables, one set of commands.
import type { CommandContext, CommandSpec } from '../command.js';
import { tableOutput } from '../format/columns.js';
import type { FlagSpec } from '../flags.js';
import { parseFlagPairs } from '../kv-data.js';
import { asRecord } from '../secret.js';
import { ensureTrailingSlash, sanitizePath, step } from './helpers.js';

interface MountKind {
  /** First word of the commands: `secrets` or `auth`. */
  word: 'secrets' | 'auth';
  sysPath: 'sys/mounts' | 'sys/auth';
  noun: string;
}

const SECRETS: MountKind = { word: 'secrets', sysPath: 'sys/mounts', noun: 'secrets engine' };
const AUTH: MountKind = { word: 'auth', sysPath: 'sys/auth', noun: 'auth method' };

const CONFIG_FLAGS: readonly FlagSpec[] = [
  { name: 'description', type: 'string', usage: 'Human-friendly description.' },
  { name: 'default-lease-ttl', type: 'duration', usage: 'Default lease TTL (0: the system default).' },
  { name: 'max-lease-ttl', type: 'duration', usage: 'Maximum lease TTL (0: the system maximum).' },
  { name: 'audit-non-hmac-request-keys', type: 'strings', usage: 'Request key not to HMAC in audit logs; repeatable.' },
  { name: 'audit-non-hmac-response-keys', type: 'strings', usage: 'Response key not to HMAC in audit logs; repeatable.' },
  { name: 'listing-visibility', type: 'string', usage: '"unauth" to list the mount in the UI, "hidden" otherwise.' },
  { name: 'passthrough-request-headers', type: 'strings', usage: 'Request header passed to the backend; repeatable.' },
  { name: 'allowed-response-headers', type: 'strings', usage: 'Response header the backend may set; repeatable.' },
  { name: 'options', type: 'strings', usage: 'key=value mount option; repeatable.' },
  { name: 'version', type: 'int', default: 0, usage: 'Version of the backend (e.g. 2 for kv v2); sets options.version.' },
];

/** The `config` object and `options` of an enable or tune request: only what was given on the command line. */
function mountConfig(ctx: CommandContext): { config: Record<string, unknown>; options?: Record<string, string> } {
  const f = ctx.flags;
  const config: Record<string, unknown> = {};
  if (f.has('default-lease-ttl')) config.default_lease_ttl = f.string('default-lease-ttl');
  if (f.has('max-lease-ttl')) config.max_lease_ttl = f.string('max-lease-ttl');
  if (f.has('audit-non-hmac-request-keys')) config.audit_non_hmac_request_keys = f.strings('audit-non-hmac-request-keys');
  if (f.has('audit-non-hmac-response-keys')) config.audit_non_hmac_response_keys = f.strings('audit-non-hmac-response-keys');
  if (f.has('listing-visibility')) config.listing_visibility = f.string('listing-visibility');
  if (f.has('passthrough-request-headers')) config.passthrough_request_headers = f.strings('passthrough-request-headers');
  if (f.has('allowed-response-headers')) config.allowed_response_headers = f.strings('allowed-response-headers');
  let options: Record<string, string> | undefined;
  if (f.has('options')) options = parseFlagPairs('options', f.strings('options'));
  if (f.int('version') > 0) options = { ...options, version: String(f.int('version')) };
  return { config, options };
}

function enable(kind: MountKind): CommandSpec {
  const extra: FlagSpec[] =
    kind === AUTH ? [{ name: 'token-type', type: 'string', usage: 'Type of tokens the method issues (e.g. default-service).' }] : [];
  return {
    path: [kind.word, 'enable'],
    synopsis: `Enable a ${kind.noun}`,
    usage: '[options] TYPE',
    description: `Enables a ${kind.noun} of the given type at -path (default: the type name).`,
    groups: ['http'],
    flags: [
      { name: 'path', type: 'string', usage: 'Mount path (default: the type name).' },
      { name: 'local', type: 'bool', usage: 'Do not replicate the mount.' },
      { name: 'seal-wrap', type: 'bool', usage: 'Seal-wrap the mount\'s critical values.' },
      { name: 'external-entropy-access', type: 'bool', usage: 'Give the mount access to the seal\'s entropy.' },
      { name: 'force-no-cache', type: 'bool', usage: 'Disable caching for the mount.' },
      { name: 'plugin-version', type: 'string', usage: 'Plugin version to run.' },
      ...CONFIG_FLAGS,
      ...extra,
    ],
    args: { min: 1, max: 1 },
    async run(ctx) {
      const type = ctx.args[0]!.trim();
      const mountPath = ensureTrailingSlash(sanitizePath(ctx.flags.string('path') || type));
      const { config, options } = mountConfig(ctx);
      if (ctx.flags.bool('force-no-cache')) config.force_no_cache = true;
      if (ctx.flags.string('plugin-version')) config.plugin_version = ctx.flags.string('plugin-version');
      if (kind === AUTH && ctx.flags.string('token-type')) config.token_type = ctx.flags.string('token-type');
      const body: Record<string, unknown> = { type, description: ctx.flags.string('description'), config };
      if (options) body.options = options;
      if (ctx.flags.bool('local')) body.local = true;
      if (ctx.flags.bool('seal-wrap')) body.seal_wrap = true;
      if (ctx.flags.bool('external-entropy-access')) body.external_entropy_access = true;
      const client = await ctx.client();
      const context = kind === AUTH ? `Error enabling ${type} auth` : 'Error enabling';
      await step(context, () => client.request('POST', `${kind.sysPath}/${mountPath}`, { body }));
      ctx.out.info(
        kind === AUTH
          ? `Success! Enabled ${type} auth method at: ${mountPath}`
          : `Success! Enabled the ${type} secrets engine at: ${mountPath}`,
      );
      return 0;
    },
  };
}

function disable(kind: MountKind): CommandSpec {
  return {
    path: [kind.word, 'disable'],
    synopsis: `Disable a ${kind.noun}`,
    usage: '[options] PATH',
    description: `Disables the ${kind.noun} at PATH, revoking its leases and removing all of its data.`,
    groups: ['http'],
    args: { min: 1, max: 1 },
    async run(ctx) {
      const mountPath = ensureTrailingSlash(sanitizePath(ctx.args[0]!));
      const client = await ctx.client();
      await step(`Error disabling ${kind.noun} at ${mountPath}`, () =>
        client.request('DELETE', `${kind.sysPath}/${mountPath}`),
      );
      ctx.out.info(`Success! Disabled the ${kind.noun} (if it existed) at: ${mountPath}`);
      return 0;
    },
  };
}

/** The mount table of a sys/mounts or sys/auth answer: its `data`, or the entries injected at the top level. */
export function mountTable(body: unknown): Record<string, Record<string, unknown>> {
  const rec = asRecord(body) ?? {};
  const data = asRecord(rec.data);
  const source = data && Object.keys(data).length > 0 ? data : rec;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(source)) {
    const entry = asRecord(v);
    if (k.endsWith('/') && entry) out[k] = entry;
  }
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function ttlColumn(type: string, ttl: unknown): string {
  if (type === 'system' || type === 'cubbyhole' || type === 'identity') return '';
  return Number(ttl ?? 0) !== 0 ? str(ttl) : 'system';
}

function list(kind: MountKind): CommandSpec {
  return {
    path: [kind.word, 'list'],
    synopsis: `List enabled ${kind.noun}s`,
    usage: '[options]',
    description: `Lists the enabled ${kind.noun}s; -detailed adds TTLs, options and more.`,
    groups: ['http', 'format'],
    flags: [{ name: 'detailed', type: 'bool', usage: 'Print detailed information such as TTLs and options.' }],
    args: { min: 0, max: 0 },
    async run(ctx) {
      const client = await ctx.client();
      const context = kind === AUTH ? 'Error listing enabled authentications' : 'Error listing secrets engines';
      const mounts = mountTable(await step(context, () => client.request('GET', kind.sysPath)));
      if (!ctx.out.isTable) return ctx.out.json(mounts);
      const paths = Object.keys(mounts).sort();
      let rows: string[];
      if (ctx.flags.bool('detailed')) {
        rows = [
          'Path | Plugin | Accessor | Default TTL | Max TTL | Replication | Seal Wrap | Options | Description | UUID',
        ];
        for (const p of paths) {
          const m = mounts[p]!;
          const cfg = asRecord(m.config) ?? {};
          const type = str(m.type);
          const options = asRecord(m.options);
          const optionsText = options ? `map[${Object.keys(options).sort().map((k) => `${k}:${str(options[k])}`).join(' ')}]` : '';
          rows.push(
            [
              p,
              type,
              str(m.accessor),
              ttlColumn(type, cfg.default_lease_ttl),
              ttlColumn(type, cfg.max_lease_ttl),
              m.local === true ? 'local' : 'replicated',
              String(m.seal_wrap === true),
              optionsText,
              str(m.description),
              str(m.uuid),
            ].join(' | '),
          );
        }
      } else {
        rows = ['Path | Type | Accessor | Description'];
        for (const p of paths) {
          const m = mounts[p]!;
          rows.push(`${p} | ${str(m.type)} | ${str(m.accessor)} | ${str(m.description)}`);
        }
      }
      ctx.out.info(tableOutput(rows));
      return 0;
    },
  };
}

function tune(kind: MountKind): CommandSpec {
  return {
    path: [kind.word, 'tune'],
    synopsis: `Tune a ${kind.noun} configuration`,
    usage: '[options] PATH',
    description: `Changes the settings of the ${kind.noun} at PATH; only the flags given are changed.`,
    groups: ['http'],
    flags: CONFIG_FLAGS,
    args: { min: 1, max: 1 },
    async run(ctx) {
      const mountPath = ensureTrailingSlash(sanitizePath(ctx.args[0]!));
      const { config, options } = mountConfig(ctx);
      const body: Record<string, unknown> = { ...config };
      if (ctx.flags.has('description')) body.description = ctx.flags.string('description');
      if (options) body.options = options;
      const client = await ctx.client();
      await step(`Error tuning ${kind.noun} ${mountPath}`, () =>
        client.request('POST', `${kind.sysPath}/${mountPath}tune`, { body }),
      );
      ctx.out.info(`Success! Tuned the ${kind.noun} at: ${mountPath}`);
      return 0;
    },
  };
}

export const mountCommands: readonly CommandSpec[] = [SECRETS, AUTH].flatMap((k) => [enable(k), disable(k), list(k), tune(k)]);
