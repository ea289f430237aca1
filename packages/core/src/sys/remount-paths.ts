import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';
import type { PathDef } from '../framework/path.js';
import type { MountTables } from './mount-tune-paths.js';

interface Migration {
  source_mount: string;
  target_mount: string;
  status: 'success';
}

/**
 * `sys/remount` and `sys/remount/status/:migration_id`, as `vault secrets move` and `vault auth move` use them.
 * Vault moves in the background and answers a migration id to poll; here the move is done before the answer, so
 * the status already reads `success`.
 */
export function remountPaths({ mounts, authMounts }: MountTables): PathDef[] {
  // Kept for the node's life, as Vault keeps its migration statuses in memory.
  const migrations = new Map<string, Migration>();
  const split = (path: string): { auth: boolean; rel: string } => {
    const p = path.trim().replace(/^\/+/, '');
    return p.startsWith('auth/') ? { auth: true, rel: p.slice('auth/'.length) } : { auth: false, rel: p };
  };
  return [
    {
      pattern: 'remount',
      fields: { from: { type: 'string' }, to: { type: 'string' }, config: { type: 'map' } },
      operations: {
        update: async (_req, d) => {
          const from = d.getString('from');
          const to = d.getString('to');
          if (!from || !to) throw new InvalidRequestError("both 'from' and 'to' path must be specified as a string");
          const src = split(from);
          const dst = split(to);
          if (src.auth && !dst.auth) throw new InvalidRequestError(`cannot remount auth mount to non-auth mount "${to}"`);
          if (!src.auth && dst.auth) throw new InvalidRequestError(`cannot remount non-auth mount to auth mount "${to}"`);
          const table = src.auth ? authMounts : mounts;
          const entry = await table.move(src.rel, dst.rel);
          const id = randomUUID();
          const prefix = src.auth ? 'auth/' : '';
          migrations.set(id, { source_mount: `${prefix}${src.rel.replace(/\/*$/, '/')}`, target_mount: `${prefix}${entry.path}`, status: 'success' });
          return { data: { migration_id: id } };
        },
      },
      helpSynopsis: 'Move a mount to a new path.',
    },
    {
      pattern: 'remount/status/(?<migration_id>.+)',
      fields: { migration_id: { type: 'string' } },
      operations: {
        read: async (_req, d) => {
          const id = d.getString('migration_id');
          const info = migrations.get(id);
          return info ? { data: { migration_id: id, migration_info: { ...info } } } : null;
        },
      },
      helpSynopsis: 'The status of a mount move.',
    },
  ];
}
