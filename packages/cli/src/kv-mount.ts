// Where a `kv` path lives: the preflight Vault's CLI makes (`sys/internal/ui/mounts/<path>`) to learn the mount and its
// KV version, and the API path built from it (`<mount>/data/<rest>` on v2, the path as given on v1).
import type { Client } from './client.js';
import type { CommandContext } from './command.js';
import { toApiError } from './client.js';
import { CommandFailedError } from './errors.js';
import type { FlagSpec } from './flags.js';
import { asRecord, dataOf, parseSecret } from './secret.js';

export const MOUNT_FLAG: FlagSpec = {
  name: 'mount',
  type: 'string',
  usage:
    'Path where the KV backend is mounted. When given, the next argument is the secret path inside it; otherwise ' +
    'the argument is mount and secret path together, with /data/ added between them on KV v2.',
};

export interface KvLocation {
  /** The mount, with its trailing slash (`secret/`); empty when the server has no preflight endpoint. */
  mountPath: string;
  v2: boolean;
  /** The path as typed (v1, or v2 without -mount) or mount + key (v2 with -mount), without a leading slash. */
  partialPath: string;
  /** Whether the path was given as `-mount=secret foo` rather than `secret/foo`. */
  mountFlagSyntax: boolean;
}

/** Go's path.Join: empty parts dropped, `.`/`..` and doubled slashes cleaned, no trailing slash. */
export function goJoin(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  if (joined === '') return '';
  const absolute = joined.startsWith('/');
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const s = out.join('/');
  return absolute ? `/${s}` : s || '.';
}

/** `secret/foo` on mount `secret/` with prefix `data` becomes `secret/data/foo`. */
export function addPrefixToKvPath(p: string, mountPath: string, apiPrefix: string): string {
  if (p === mountPath || p === mountPath.replace(/\/$/, '')) return goJoin(mountPath, apiPrefix);
  let mount = mountPath;
  let tp = p.startsWith(mount) ? p.slice(mount.length) : p;
  // The mount may carry a namespace prefix the typed path leaves out; drop leading segments until it matches.
  while (tp === p) {
    const slash = mount.indexOf('/');
    if (slash < 0 || mount.slice(slash + 1) === '') break;
    mount = mount.slice(slash + 1).replace(/\/$/, '');
    tp = tp.startsWith(mount) ? tp.slice(mount.length) : tp;
  }
  return goJoin(mount, apiPrefix, tp);
}

export async function kvPreflight(client: Client, path: string): Promise<{ mountPath: string; v2: boolean }> {
  const res = await client.raw('GET', `sys/internal/ui/mounts/${path}`);
  // An older server without the endpoint: assume KV v1, as Vault's CLI does.
  if (res.status === 404) return { mountPath: '', v2: false };
  if (res.status >= 400) throw toApiError(res);
  let secret;
  try {
    secret = parseSecret(JSON.parse(res.body));
  } catch {
    secret = null;
  }
  if (!secret) throw new CommandFailedError('nil response from pre-flight request');
  const data = dataOf(secret);
  const mountPath = typeof data.path === 'string' ? data.path : '';
  const version = asRecord(data.options)?.version;
  return { mountPath, v2: version === '2' || version === 2 };
}

/** Resolves a kv command's path argument (and `-mount`), preflight included; failures exit 2 with the API error. */
export async function resolveKv(client: Client, pathArg: string, mountFlag: string): Promise<KvLocation> {
  const mountFlagSyntax = mountFlag !== '';
  let partialPath = pathArg.replace(/^\//, '');
  try {
    if (mountFlagSyntax) {
      const { mountPath, v2 } = await kvPreflight(client, mountFlag.trim().replace(/^\/+|\/+$/g, ''));
      if (v2) partialPath = goJoin(mountPath, partialPath);
      return { mountPath, v2, partialPath, mountFlagSyntax };
    }
    const { mountPath, v2 } = await kvPreflight(client, partialPath);
    return { mountPath, v2, partialPath, mountFlagSyntax };
  } catch (err) {
    if (err instanceof CommandFailedError) throw err;
    throw new CommandFailedError(err instanceof Error ? err.message : String(err), 2, { cause: err });
  }
}

/** Where the KEY argument of a kv command (with its `-mount` flag) lives, and the client that asked. */
export async function locateKv(ctx: CommandContext): Promise<{ client: Client; loc: KvLocation }> {
  const client = await ctx.client();
  const loc = await resolveKv(client, ctx.args[0]!, ctx.flags.string('mount'));
  return { client, loc };
}

/** The API path for a kv operation: `<mount>/<apiPrefix>/<rest>` on v2, the typed path on v1. */
export function kvApiPath(loc: KvLocation, apiPrefix: string): string {
  if (loc.v2) return addPrefixToKvPath(loc.partialPath, loc.mountPath, apiPrefix);
  return loc.mountFlagSyntax ? goJoin(loc.mountPath, loc.partialPath) : loc.partialPath;
}
