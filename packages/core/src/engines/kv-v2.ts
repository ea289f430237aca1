import { FrameworkBackend } from '../framework/framework-backend.js';
import type { PathDef } from '../framework/path.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import type { Operation, Request, Response } from '../logical/request.js';
import { dataPath, subkeysPath, type KvV2Deps } from './kv-v2-data.js';
import { configPath, metadataPath } from './kv-v2-metadata.js';
import { rawEnvelope } from './kv-v2-model.js';
import { KvV2Store } from './kv-v2-store.js';
import { versionPaths } from './kv-v2-versions.js';

const HELP = `
This backend provides a versioned key-value store. The kv backend reads and
writes arbitrary secrets to the storage backend. The secrets are
encrypted/decrypted by Strongroom: they are never stored unencrypted in the backend
and the backend never has an opportunity to see the unencrypted value. Each key
can have a configured number of versions, and versions can be retrieved based on
their version numbers.
`;

const CLI_VERB: Partial<Record<Operation, string>> = {
  create: 'put',
  update: 'put',
  read: 'get',
  list: 'list',
  delete: 'delete',
  patch: 'patch',
};

/**
 * Vault's `pathInvalid`: a v1-style path on a v2 mount (`secret/foo` instead of `secret/data/foo`) is a 404 whose
 * envelope carries a warning pointing at the right API, rather than an unsupported path.
 */
function invalidPath(): PathDef {
  const handler = async (req: Request): Promise<Response | null> =>
    rawEnvelope(req, 404, null, [
      'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. ' +
        `If using the Vault CLI, use 'vault kv ${CLI_VERB[req.operation] ?? ''}' for this operation.`,
    ]);
  return {
    pattern: '.*',
    takesArbitraryData: true,
    operations: { read: handler, create: handler, update: handler, delete: handler, list: handler, patch: handler },
    helpSynopsis: 'This path is not a valid path for a versioned K/V secrets engine.',
  };
}

/** KV version 2: versioned secrets under `data/`, with `metadata/`, `delete/`, `undelete/`, `destroy/`, `subkeys/`, `config`. */
export async function kvV2Factory(ctx: BackendContext): Promise<LogicalBackend> {
  const deps: KvV2Deps = { store: new KvV2Store(ctx.storage), system: ctx.system };
  return new FrameworkBackend({
    class: 'secret',
    help: HELP,
    paths: [configPath(deps), dataPath(deps), metadataPath(deps), ...versionPaths(deps), subkeysPath(deps), invalidPath()],
  });
}
