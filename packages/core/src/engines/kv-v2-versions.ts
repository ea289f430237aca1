import type { TxnOp } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { FieldSchemas } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Request, Response } from '../logical/request.js';
import type { KvV2Deps } from './kv-v2-data.js';
import { deletionTime, isDeleted, type KeyMetadata, type VersionMeta } from './kv-v2-model.js';

function fields(what: string): FieldSchemas {
  return {
    path: { type: 'string', description: 'Location of the secret.' },
    versions: { type: 'comma-int-slice', description: `The versions to ${what}.` },
  };
}

/**
 * Runs `change` on each named version that exists and is not destroyed, under the key's lock, then stores the
 * metadata together with `extraOps` in one transaction. A missing key is a no-op (204), as in Vault.
 */
function versionsHandler(
  deps: KvV2Deps,
  emptyMessage: string,
  change: (vm: VersionMeta, version: number, meta: KeyMetadata, now: number) => Promise<TxnOp[]>,
): (req: Request, data: FieldData) => Promise<Response | null> {
  const { store, system } = deps;
  return async (_req, data) => {
    const key = data.getString('path');
    const versions = data.get<number[]>('versions');
    if (versions.length === 0) throw new InvalidRequestError(emptyMessage);
    return store.locks.run(key, async () => {
      const meta = await store.metadata(key);
      if (!meta) return null;
      const now = system.now().getTime();
      const extra: TxnOp[] = [];
      for (const v of versions) {
        const vm = meta.versions[String(v)];
        if (!vm || vm.destroyed) continue;
        extra.push(...(await change(vm, v, meta, now)));
      }
      await store.commit([store.metadataOp(meta), ...extra]);
      return null;
    });
  };
}

export function versionPaths(deps: KvV2Deps): PathDef[] {
  const { store } = deps;

  const softDelete = versionsHandler(deps, 'No version number provided', async (vm, _v, _meta, now) => {
    if (!isDeleted(vm, now)) vm.deletion = now;
    return [];
  });

  const undelete = versionsHandler(deps, 'No version number provided', async (vm, _v, meta, now) => {
    // An undeleted version gets a fresh expiry when delete_version_after applies, counted from now.
    vm.deletion = deletionTime(now, await store.config(), meta);
    return [];
  });

  const destroy = versionsHandler(deps, 'no version number provided', async (vm, v, meta) => {
    vm.destroyed = true;
    return [store.deleteVersionOp(meta.key, v)];
  });

  return [
    {
      pattern: 'delete/(?<path>.*)',
      fields: fields('mark as deleted; their data is kept but no longer returned by reads'),
      operations: { update: softDelete },
      helpSynopsis: 'Marks one or more versions as deleted in the KV store.',
    },
    {
      pattern: 'undelete/(?<path>.*)',
      fields: fields('restore'),
      operations: { update: undelete },
      helpSynopsis: 'Undeletes one or more versions from the KV store.',
    },
    {
      pattern: 'destroy/(?<path>.*)',
      fields: fields('destroy permanently'),
      operations: { update: destroy },
      helpSynopsis: 'Permanently removes one or more versions in the KV store.',
    },
  ];
}
