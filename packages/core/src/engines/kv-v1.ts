import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { parseApiDurationSeconds } from '../framework/duration.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { BackendContext, LogicalBackend, SystemView } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../util/json-entry.js';

const HELP = `
The kv backend reads and writes arbitrary secrets to the backend.
The secrets are encrypted/decrypted by Strongroom: they are never stored
unencrypted in the backend and the backend never has an opportunity to
see the unencrypted value.

TTLs can be set on a per-secret basis. These TTLs will be sent down
when that secret is read, and it is assumed that some outside process will
revoke and/or replace the secret at that path.
`;

/** The `ttl` (or legacy `lease`) key of a stored secret is a hint for readers; unparsable hints are ignored, as in Vault. */
export function ttlHint(data: Record<string, unknown>, system: SystemView): number {
  const hint = data.ttl ?? data.lease;
  if (typeof hint === 'number' && Number.isFinite(hint) && hint >= 0) return Math.floor(hint);
  if (typeof hint === 'string') {
    const secs = parseApiDurationSeconds(hint);
    if (secs !== null) return secs;
  }
  return system.defaultLeaseTTL();
}

/** Vault lists the folder named by the path, with or without its trailing slash. */
export function listPrefix(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

/**
 * Lists the folder `path` names under `base` (a folder key ending in `/`, or '' for the view's root): null when it is
 * empty or a key storage would refuse, so the client sees a 404 as in Vault.
 */
export async function listFolder(storage: Backend, base: string, path: string): Promise<Response | null> {
  const prefix = base + listPrefix(path);
  if (prefix !== '' && !isStorableKey(prefix.slice(0, -1))) return null;
  const keys = await storage.list(prefix);
  return keys.length ? { data: { keys } } : null;
}

/** KV version 1: the request body is stored as-is at the request path. */
export async function kvV1Factory(ctx: BackendContext): Promise<LogicalBackend> {
  const { storage, system } = ctx;

  const read = async (req: Request): Promise<Response | null> => {
    if (!isStorableKey(req.path)) return null;
    const raw = await storage.get(req.path);
    if (!raw) return null;
    const data = decodeJSON<Record<string, unknown>>(raw);
    // No lease id: the core reports the TTL as lease_duration only, since there is nothing to revoke.
    return { data, secret: { ttl: ttlHint(data, system), renewable: false } };
  };

  const write = async (req: Request): Promise<Response | null> => {
    if (req.path === '') throw new InvalidRequestError('missing path');
    if (Object.keys(req.data).length === 0) throw new InvalidRequestError('missing data fields');
    requireStorableKey(req.path, req.path);
    await storage.put(req.path, encodeJSON(req.data));
    return null;
  };

  const remove = async (req: Request): Promise<Response | null> => {
    if (isStorableKey(req.path)) await storage.delete(req.path);
    return null;
  };

  const list = async (req: Request): Promise<Response | null> => listFolder(storage, '', req.path);

  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    paths: [
      {
        pattern: '.*',
        takesArbitraryData: true,
        operations: { read, create: write, update: write, delete: remove, list },
        existenceCheck: async (req) => isStorableKey(req.path) && (await storage.get(req.path)) !== null,
        helpSynopsis: 'Pass-through secret storage to the storage backend, allowing you to read/write arbitrary data into secret storage.',
        helpDescription:
          'The pass-through backend reads and writes arbitrary data into secret storage, encrypting it along the way. ' +
          'A TTL can be specified when writing with the "ttl" field; it is returned as the lease duration on read.',
      },
    ],
  });
}
