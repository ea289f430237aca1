import type { AuditTable } from '../audit/index.js';
import { InvalidRequestError } from '../errors.js';
import type { PathDef } from '../framework/path.js';
import { stringMap } from './mount-tune-paths.js';

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function requirePath(path: string): string {
  const p = path.replace(/^\/+/, '');
  if (p === '' || p === '/') throw new InvalidRequestError('path cannot be empty');
  return p;
}

/** `sys/audit` (list, enable, disable) and `sys/audit-hash/:path`. */
export function auditPaths({ auditTable }: { auditTable: Pick<AuditTable, 'list' | 'enable' | 'disable' | 'hash'> }): PathDef[] {
  return [
    {
      pattern: 'audit/?',
      operations: {
        read: async () => {
          const data: Record<string, unknown> = {};
          for (const e of await auditTable.list()) {
            const path = withSlash(e.path);
            data[path] = { type: e.type, description: e.description, options: e.options ?? {}, local: e.local, path };
          }
          return { data };
        },
      },
      helpSynopsis: 'List the enabled audit devices.',
    },
    {
      pattern: 'audit/(?<path>.+)',
      fields: {
        path: { type: 'string' },
        type: { type: 'string', description: 'The device type: file.' },
        description: { type: 'string' },
        options: { type: 'raw', description: 'Device options, e.g. {"file_path": "/var/log/audit.log"}.' },
        local: { type: 'bool' },
      },
      operations: {
        update: async (_req, d) => {
          const path = requirePath(d.getString('path'));
          const type = d.getString('type');
          if (type === '') throw new InvalidRequestError('audit device type must be specified');
          await auditTable.enable(path, {
            type,
            description: d.getString('description'),
            options: stringMap('options', d.get('options')),
            local: d.getBool('local'),
          });
          return null;
        },
        delete: async (_req, d) => {
          await auditTable.disable(requirePath(d.getString('path')));
          return null;
        },
      },
      helpSynopsis: 'Enable or disable an audit device.',
    },
    {
      pattern: 'audit-hash/(?<path>.+)',
      fields: { path: { type: 'string' }, input: { type: 'string' } },
      operations: {
        update: async (_req, d) => {
          const hash = await auditTable.hash(requirePath(d.getString('path')), d.getString('input'));
          return { data: { hash } };
        },
      },
      helpSynopsis: "Hash a value with an audit device's salt, to find it in the log.",
    },
  ];
}
