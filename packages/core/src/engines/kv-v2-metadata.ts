import type { TxnOp } from '@strongroom/storage';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Request, Response } from '../logical/request.js';
import { ownValue, putOwn } from '../util/own-value.js';
import type { KvV2Deps } from './kv-v2-data.js';
import { DELETE_VERSION_AFTER_DISABLED, goDuration, isDeleted, newKeyMetadata, kvTime, type KeyMetadata } from './kv-v2-model.js';
import { listPrefix } from './kv-v1.js';

const MAX_CUSTOM_METADATA_KEYS = 64;
const MAX_CUSTOM_METADATA_KEY_LENGTH = 128;
const MAX_CUSTOM_METADATA_VALUE_LENGTH = 512;
const CUSTOM_METADATA_PREFIX = 'custom_metadata validation failed';
const CAS_IGNORED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

/** go-multierror's text, which Vault returns verbatim for custom_metadata problems. */
function multiError(errors: string[]): string {
  const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/** Go's `unicode.IsPrint` as `strutil.Printable` uses it: graphic characters and the ASCII space. */
function printable(s: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(s);
}

/** Weakly decodes each value to a string (as mapstructure does) and applies Vault's limits. */
export function parseCustomMetadata(raw: Record<string, unknown>, dropNulls: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null && dropNulls) continue;
    if (v === null) putOwn(out, k, '');
    else if (typeof v === 'string') putOwn(out, k, v);
    else if (typeof v === 'number') putOwn(out, k, String(v));
    else if (typeof v === 'boolean') putOwn(out, k, v ? '1' : '0');
    else throw new InvalidRequestError(`${CUSTOM_METADATA_PREFIX}: '' expected type 'string', got unconvertible type '${Array.isArray(v) ? 'slice' : 'map'}'`);
  }
  const entries = Object.entries(out);
  if (entries.length > MAX_CUSTOM_METADATA_KEYS) {
    throw new InvalidRequestError(
      multiError([`${CUSTOM_METADATA_PREFIX}: payload must contain at most ${MAX_CUSTOM_METADATA_KEYS} keys, provided ${entries.length}`]),
    );
  }
  const errors: string[] = [];
  for (const [k, v] of entries) {
    const kl = Buffer.byteLength(k);
    const vl = Buffer.byteLength(v);
    if (kl === 0 || kl > MAX_CUSTOM_METADATA_KEY_LENGTH) {
      errors.push(`${CUSTOM_METADATA_PREFIX}: length of key ${JSON.stringify(k)} is ${kl} but must be 0 < len(key) <= ${MAX_CUSTOM_METADATA_KEY_LENGTH}`);
    }
    if (vl === 0 || vl > MAX_CUSTOM_METADATA_VALUE_LENGTH) {
      errors.push(
        `${CUSTOM_METADATA_PREFIX}: length of value for key ${JSON.stringify(k)} is ${vl} but must be 0 < len(value) <= ${MAX_CUSTOM_METADATA_VALUE_LENGTH}`,
      );
    }
    if (!printable(k)) errors.push(`${CUSTOM_METADATA_PREFIX}: key ${JSON.stringify(k)} (${k}) contains unprintable characters`);
    if (!printable(v)) errors.push(`${CUSTOM_METADATA_PREFIX}: value for key ${JSON.stringify(k)} contains unprintable characters`);
  }
  if (errors.length) throw new InvalidRequestError(multiError(errors));
  return out;
}

function nonNegative(data: FieldData, field: string): number {
  const n = data.getInt(field);
  if (n < 0) throw new InvalidRequestError(`${field} must not be negative`);
  return n;
}

export function metadataView(meta: KeyMetadata): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [n, vm] of Object.entries(meta.versions)) {
    versions[n] = { created_time: kvTime(vm.created), deletion_time: kvTime(vm.deletion), destroyed: vm.destroyed };
  }
  return {
    cas_required: meta.casRequired,
    created_time: kvTime(meta.created),
    current_version: meta.currentVersion,
    custom_metadata: meta.customMetadata,
    delete_version_after: goDuration(meta.deleteVersionAfter),
    max_versions: meta.maxVersions,
    oldest_version: meta.oldestVersion,
    updated_time: kvTime(meta.updated),
    versions,
  };
}

const SETTINGS = ['max_versions', 'cas_required', 'delete_version_after', 'custom_metadata'] as const;

export function metadataPath(deps: KvV2Deps): PathDef {
  const { store, system } = deps;

  const read = async (_req: Request, data: FieldData): Promise<Response | null> => {
    const meta = await store.metadata(data.getString('path'));
    return meta ? { data: metadataView(meta) } : null;
  };

  /** Write replaces custom_metadata; patch merges into it (a null value removes a key) and needs the key to exist. */
  const update = (patch: boolean) => async (_req: Request, data: FieldData): Promise<Response | null> => {
    const key = data.getString('path');
    if (key === '') throw new InvalidRequestError('missing path');
    if (!patch && !SETTINGS.some((f) => data.has(f))) return null;
    const maxVersions = data.has('max_versions') ? nonNegative(data, 'max_versions') : undefined;
    const customRaw = data.has('custom_metadata') ? data.get<Record<string, unknown>>('custom_metadata') : undefined;
    const custom = customRaw && parseCustomMetadata(customRaw, patch);
    if (!patch && !store.validKey(key)) throw new InvalidRequestError(`invalid path "${key}"`);
    const config = await store.config();
    const resp: Response | null =
      data.has('cas_required') && config.casRequired && !data.getBool('cas_required') ? { warnings: [CAS_IGNORED_WARNING] } : null;
    return store.locks.run(key, async () => {
      let meta = await store.metadata(key);
      if (!meta) {
        if (patch) throw new NotFoundError();
        const now = system.now().getTime();
        meta = { ...newKeyMetadata(key), created: now, updated: now };
      }
      if (maxVersions !== undefined) meta.maxVersions = maxVersions;
      if (data.has('cas_required')) meta.casRequired = data.getBool('cas_required');
      if (data.has('delete_version_after')) meta.deleteVersionAfter = data.getInt('delete_version_after');
      if (customRaw && custom) {
        if (patch) {
          const merged = { ...(meta.customMetadata ?? {}) };
          for (const [k, v] of Object.entries(customRaw)) {
            if (v === null) delete merged[k];
            else putOwn(merged, k, ownValue(custom, k)!);
          }
          meta.customMetadata = merged;
        } else {
          meta.customMetadata = custom;
        }
      }
      await store.commit([store.metadataOp(meta)]);
      return resp;
    });
  };

  const remove = async (_req: Request, data: FieldData): Promise<Response | null> => {
    const key = data.getString('path');
    return store.locks.run(key, async () => {
      const meta = await store.metadata(key);
      if (!meta) return null;
      // Metadata first: should a later batch fail, the key is already gone for clients and the strays under its
      // version folder are found again by the next delete of the same key.
      const ops: TxnOp[] = [{ op: 'delete', key: store.metadataKey(key) }];
      for (const k of await store.storedVersions(key)) ops.push({ op: 'delete', key: k });
      await store.commit(ops);
      return null;
    });
  };

  const list = async (_req: Request, data: FieldData): Promise<Response | null> => {
    const prefix = listPrefix(data.getString('path'));
    let keys = await store.listMetadata(prefix);
    if (data.getBool('exclude_deleted')) {
      const kept: string[] = [];
      for (const k of keys) {
        if (!k.endsWith('/')) {
          const meta = await store.metadata(prefix + k);
          const vm = meta?.versions[String(meta.currentVersion)];
          // A future deletion time (delete_version_after) does not hide the key yet; a destroyed version does.
          if (vm && (vm.destroyed || isDeleted(vm, system.now().getTime()))) continue;
        }
        kept.push(k);
      }
      keys = kept;
    }
    return keys.length ? { data: { keys } } : null;
  };

  return {
    pattern: 'metadata/(?<path>.*)',
    fields: {
      path: { type: 'string', description: 'Location of the secret.' },
      exclude_deleted: { type: 'bool', default: false, description: 'If true, exclude keys whose current version is deleted when listing.' },
      cas_required: { type: 'bool', description: 'If true the key will require the cas parameter to be set on all write requests.' },
      max_versions: { type: 'int', description: "The number of versions to keep. If not set, the backend's configured max version is used." },
      delete_version_after: { type: 'duration', description: 'The length of time before a version is deleted. Zero clears the setting.' },
      custom_metadata: { type: 'map', description: 'User-provided key-value pairs describing the secret, version-agnostic.' },
    },
    operations: { read, create: update(false), update: update(false), patch: update(true), delete: remove, list },
    existenceCheck: async (_req, data) => (await store.metadata(data.getString('path'))) !== null,
    helpSynopsis: 'Allows interaction with key metadata and settings in the KV store.',
  };
}

export function configPath(deps: KvV2Deps): PathDef {
  const { store } = deps;

  const read = async (): Promise<Response | null> => {
    const config = await store.config();
    return {
      data: {
        cas_required: config.casRequired,
        delete_version_after: goDuration(config.deleteVersionAfter),
        max_versions: config.maxVersions,
      },
    };
  };

  const write = async (_req: Request, data: FieldData): Promise<Response | null> => {
    if (!['max_versions', 'cas_required', 'delete_version_after'].some((f) => data.has(f))) return null;
    const config = await store.config();
    if (data.has('max_versions')) config.maxVersions = nonNegative(data, 'max_versions');
    if (data.has('cas_required')) config.casRequired = data.getBool('cas_required');
    if (data.has('delete_version_after')) {
      const dva = data.getInt('delete_version_after');
      config.deleteVersionAfter = dva < 0 ? DELETE_VERSION_AFTER_DISABLED : dva;
    }
    await store.commit([store.configOp(config)]);
    return null;
  };

  return {
    pattern: 'config',
    fields: {
      max_versions: { type: 'int', description: 'The number of versions to keep for each key. 0 means the default of 10.' },
      cas_required: { type: 'bool', description: 'If true, the backend will require the cas parameter to be set for each write.' },
      delete_version_after: {
        type: 'signed-duration',
        description: 'The length of time before a version is deleted. Negative disables it for every key; zero clears it.',
      },
    },
    operations: { read, create: write, update: write },
    helpSynopsis: 'Configures settings for the KV store.',
  };
}
