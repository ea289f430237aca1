import type { PathDef } from '../framework/path.js';
import type { VersionHistory } from './version-history.js';

/** The plugin types a node can mount, by Vault's catalog type. */
export interface PluginCatalog {
  secret: readonly string[];
  auth: readonly string[];
}

const PLUGIN_VERSION = 'v0.1.0+builtin.strongroom';
const CATALOG_TYPES = ['auth', 'database', 'secret'] as const;

/** `sys/plugins/catalog`, `sys/version-history` and `sys/internal/counters/activity`. */
export function infoPaths({ catalog, versions }: { catalog: PluginCatalog; versions: VersionHistory }): PathDef[] {
  const names = (type: (typeof CATALOG_TYPES)[number]): string[] => (type === 'database' ? (catalog.secret.includes('database') ? ['postgresql-database-plugin'] : []) : [...catalog[type]].sort());
  return [
    {
      pattern: 'plugins/catalog/?',
      operations: {
        read: async () => {
          const data: Record<string, unknown> = {};
          const detailed: Record<string, unknown>[] = [];
          for (const type of CATALOG_TYPES) {
            data[type] = names(type);
            for (const name of names(type)) detailed.push({ name, type, version: PLUGIN_VERSION, builtin: true, deprecation_status: 'supported' });
          }
          data.detailed = detailed;
          return { data };
        },
      },
      helpSynopsis: 'The plugins this server can mount: all built in.',
    },
    {
      pattern: `plugins/catalog/(?<type>${CATALOG_TYPES.join('|')})/?`,
      fields: { type: { type: 'string' } },
      operations: { list: async (_req, d) => ({ data: { keys: names(d.getString('type') as (typeof CATALOG_TYPES)[number]) } }) },
      helpSynopsis: 'The plugins of one type.',
    },
    {
      pattern: 'version-history/?',
      operations: { list: async () => ({ data: await versions.list() }) },
      helpSynopsis: 'The versions this cluster ran, and when each was first started.',
    },
    {
      pattern: 'internal/counters/activity',
      fields: { start_time: { type: 'string' }, end_time: { type: 'string' }, current_billing_period: { type: 'bool' } },
      operations: {
        // No client counting here: the answer has Vault's shape with nothing counted.
        read: async (_req, d) => {
          const zero = { distinct_entities: 0, entity_clients: 0, non_entity_tokens: 0, non_entity_clients: 0, clients: 0, secret_syncs: 0, acme_clients: 0 };
          return {
            data: {
              start_time: d.getString('start_time') || null,
              end_time: d.getString('end_time') || null,
              total: zero,
              by_namespace: [],
              months: [],
            },
          };
        },
      },
      helpSynopsis: 'Client counts: none are kept by this server.',
    },
  ];
}
