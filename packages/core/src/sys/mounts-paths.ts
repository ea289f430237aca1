import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Response } from '../logical/request.js';
import { describeMount, type MountTableName } from '../mounts/mount-entry.js';
import type { MountTable } from '../mounts/mount-table.js';
import { matchingEntry, parseMountConfig, stringMap, tunePath, type MountTables } from './mount-tune-paths.js';

const ENABLE_FIELDS: FieldSchemas = {
  path: { type: 'string' },
  type: { type: 'string', description: 'The type of the secrets engine or auth method, e.g. "kv".' },
  description: { type: 'string' },
  config: { type: 'map', description: 'default_lease_ttl, max_lease_ttl, force_no_cache, audit and header lists, listing_visibility.' },
  options: { type: 'raw', description: 'Options for the backend, e.g. {"version": "2"} for kv.' },
  local: { type: 'bool' },
  seal_wrap: { type: 'bool' },
  external_entropy_access: { type: 'bool' },
  plugin_name: { type: 'string' },
  plugin_version: { type: 'string' },
};

interface TableSpec {
  /** The path segment under `sys/`. */
  prefix: 'mounts' | 'auth';
  name: MountTableName;
  table: MountTable;
  noun: string;
}

function listTable(table: MountTable): Response {
  const data: Record<string, unknown> = {};
  for (const e of table.list) data[e.path] = describeMount(e);
  return { data };
}

async function enable(system: SystemView, spec: TableSpec, d: FieldData): Promise<Response | null> {
  // Vault's old `plugin_name` names the type when `type` is `plugin` or absent.
  let type = d.getString('type');
  if ((type === '' || type === 'plugin') && d.getString('plugin_name')) type = d.getString('plugin_name');
  if (type === '') throw new InvalidRequestError(`${spec.name === 'auth' ? 'auth' : 'backend'} type must be specified as a string`);
  const path = d.getString('path');
  if (path.trim() === '' || path.trim() === '/') throw new InvalidRequestError('path cannot be empty');
  await spec.table.enable(path, {
    type,
    description: d.getString('description'),
    config: parseMountConfig(system, spec.name, d.get<Record<string, unknown>>('config')),
    options: d.has('options') ? stringMap('options', d.get('options')) : null,
    local: d.getBool('local'),
    seal_wrap: d.getBool('seal_wrap'),
    external_entropy_access: d.getBool('external_entropy_access'),
  });
  return null;
}

/** `sys/mounts` or `sys/auth`: list, read, enable, disable and tune. */
function tablePaths(system: SystemView, spec: TableSpec, tables: MountTables): PathDef[] {
  return [
    {
      pattern: `${spec.prefix}/?`,
      operations: { read: async () => listTable(spec.table) },
      helpSynopsis: `List the ${spec.noun}s.`,
    },
    tunePath(system, spec.prefix, tables),
    {
      pattern: `${spec.prefix}/(?<path>.+)`,
      fields: ENABLE_FIELDS,
      operations: {
        read: async (_req, d) => {
          const e = matchingEntry(spec.table, d.getString('path'));
          if (!e) throw new InvalidRequestError(`No ${spec.noun} mounted at ${d.getString('path')}`);
          return { data: describeMount(e) };
        },
        update: async (_req, d) => enable(system, spec, d),
        delete: async (_req, d) => {
          await spec.table.disable(d.getString('path'));
          return null;
        },
      },
      helpSynopsis: `Enable, read or disable a ${spec.noun}.`,
    },
  ];
}

export function mountsPaths({ mounts, authMounts, system }: MountTables & { system: SystemView }): PathDef[] {
  return tablePaths(system, { prefix: 'mounts', name: 'mounts', table: mounts, noun: 'secrets engine' }, { mounts, authMounts });
}

export function authPaths({ mounts, authMounts, system }: MountTables & { system: SystemView }): PathDef[] {
  return tablePaths(system, { prefix: 'auth', name: 'auth', table: authMounts, noun: 'auth method' }, { mounts, authMounts });
}
