import type { TxnOp } from '@strongroom/storage';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { putOwn } from '../util/own-value.js';
import {
  addVersion,
  deletionTime,
  isDeleted,
  newKeyMetadata,
  rawEnvelope,
  versionView,
  type KeyMetadata,
  type KvConfig,
  type StoredVersion,
} from './kv-v2-model.js';
import type { KvV2Store } from './kv-v2-store.js';
import { mergePatch } from '../util/merge-patch.js';

/** Vault decodes `options.cas` with mapstructure's weak decoding: numbers, numeric strings and booleans pass. */
function parseCas(raw: unknown): number {
  if (raw === null) return 0;
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') {
    const t = raw.trim();
    if (t === '') return 0;
    if (/^-?\d+$/.test(t)) return Number(t);
  }
  throw new InvalidRequestError('error parsing check-and-set parameter');
}

/** The check-and-set rules of Vault's `validateCheckAndSetOption`. */
export function checkCas(data: FieldData, config: KvConfig, meta: KeyMetadata): void {
  const options = data.has('options') ? data.get<Record<string, unknown>>('options') : undefined;
  if (options && 'cas' in options) {
    if (parseCas(options.cas) !== meta.currentVersion) {
      throw new InvalidRequestError('check-and-set parameter did not match the current version');
    }
  } else if (config.casRequired || meta.casRequired) {
    throw new InvalidRequestError('check-and-set parameter required for this call');
  }
}

/** The `data` body of a write or patch; Vault answers anything but an object with `no data provided`. */
function secretData(data: FieldData): Record<string, unknown> {
  const value = data.get('data');
  if (!isPlainObject(value)) throw new InvalidRequestError('no data provided');
  return value;
}

export interface KvV2Deps {
  store: KvV2Store;
  system: SystemView;
}

/** Adds a version holding `body` to `meta` and stores both in one transaction (plus the versions it trims). */
async function writeVersion(deps: KvV2Deps, config: KvConfig, meta: KeyMetadata, body: Record<string, unknown>): Promise<Response> {
  const { store, system } = deps;
  const now = system.now().getTime();
  const { version, trimmed } = addVersion(meta, now, deletionTime(now, config, meta), config.maxVersions);
  const ops: TxnOp[] = [
    store.versionOp(meta.key, version, { data: body, created: now }),
    store.metadataOp(meta),
    ...trimmed.map((v) => store.deleteVersionOp(meta.key, v)),
  ];
  await store.commit(ops);
  return { data: versionView(meta, version, meta.versions[String(version)]!) };
}

function keyOf(data: FieldData): string {
  return data.getString('path');
}

/**
 * The version a read asks for ("version", else the current one) with its metadata view: null when the key or the
 * version is unknown, `stored: null` when the version is deleted or destroyed (Vault answers 404 with the metadata).
 */
async function readVersion(
  deps: KvV2Deps,
  data: FieldData,
): Promise<{ metadata: Record<string, unknown>; stored: StoredVersion | null } | null> {
  const { store, system } = deps;
  const key = keyOf(data);
  const meta = await store.metadata(key);
  if (!meta) return null;
  const requested = data.getInt('version');
  // Only 0 (or none) means the current version; a negative one names no version, as in Vault.
  const version = requested !== 0 ? requested : meta.currentVersion;
  const vm = meta.versions[String(version)];
  if (!vm) return null;
  const metadata = versionView(meta, version, vm);
  if (vm.destroyed || isDeleted(vm, system.now().getTime())) return { metadata, stored: null };
  const stored = await store.version(key, version);
  if (!stored) throw new Error('could not find version data');
  return { metadata, stored };
}

export function dataPath(deps: KvV2Deps): PathDef {
  const { store, system } = deps;

  const read = async (req: Request, data: FieldData): Promise<Response | null> => {
    const found = await readVersion(deps, data);
    if (!found) return null;
    const { metadata, stored } = found;
    if (!stored) return rawEnvelope(req, 404, { data: null, metadata });
    return { data: { data: stored.data, metadata } };
  };

  const write = async (_req: Request, data: FieldData): Promise<Response | null> => {
    const key = keyOf(data);
    if (key === '') throw new InvalidRequestError('missing path');
    const body = secretData(data);
    if (!store.validKey(key)) throw new InvalidRequestError(`invalid path "${key}"`);
    const config = await store.config();
    return store.locks.run(key, async () => {
      const meta = (await store.metadata(key)) ?? newKeyMetadata(key);
      checkCas(data, config, meta);
      return writeVersion(deps, config, meta, body);
    });
  };

  const patch = async (req: Request, data: FieldData): Promise<Response | null> => {
    const key = keyOf(data);
    const body = secretData(data);
    return store.locks.run(key, async () => {
      const meta = await store.metadata(key);
      if (!meta) throw new NotFoundError();
      const config = await store.config();
      checkCas(data, config, meta);
      const current = meta.currentVersion;
      const vm = meta.versions[String(current)];
      if (!vm) throw new NotFoundError();
      if (vm.destroyed || isDeleted(vm, system.now().getTime())) return rawEnvelope(req, 404, versionView(meta, current, vm));
      const stored = await store.version(key, current);
      if (!stored) throw new Error('could not find version data');
      const merged = mergePatch(stored.data, body) as Record<string, unknown>;
      return writeVersion(deps, config, meta, merged);
    });
  };

  const remove = async (_req: Request, data: FieldData): Promise<Response | null> => {
    const key = keyOf(data);
    return store.locks.run(key, async () => {
      const meta = await store.metadata(key);
      if (!meta) return null;
      const vm = meta.versions[String(meta.currentVersion)];
      const now = system.now().getTime();
      if (!vm || vm.destroyed || isDeleted(vm, now)) return null;
      vm.deletion = now;
      await store.commit([store.metadataOp(meta)]);
      return null;
    });
  };

  return {
    pattern: 'data/(?<path>.*?[^/])',
    fields: {
      path: { type: 'string', description: 'Location of the secret.' },
      version: { type: 'int', description: 'If provided during a read, the value at the version number will be returned' },
      options: { type: 'map', description: 'Options for writing a KV entry: "cas" for a check-and-set.' },
      data: { type: 'raw', description: 'The contents of the data map will be stored and returned on read.' },
    },
    operations: { read, create: write, update: write, patch, delete: remove },
    existenceCheck: async (_req, data) => (await store.metadata(keyOf(data))) !== null,
    helpSynopsis: 'Write, Patch, Read, and Delete data in the Key-Value Store.',
    helpDescription:
      'Each write creates a new version; a read returns the latest version unless "version" is given; ' +
      'a patch merges into the current version (JSON merge patch); a delete is a soft delete of the latest version.',
  };
}

/** Vault's `removeValues`: leaves (and maps at the depth limit) become null. */
export function subkeysOf(input: Record<string, unknown>, maxDepth: number): Record<string, unknown> {
  const walk = (m: Record<string, unknown>, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) {
      const next = depth + 1;
      putOwn(out, k, isPlainObject(v) && Object.keys(v).length > 0 && (maxDepth === 0 || next <= maxDepth) ? walk(v, next) : null);
    }
    return out;
  };
  return walk(input, 1);
}

export function subkeysPath(deps: KvV2Deps): PathDef {
  const read = async (req: Request, data: FieldData): Promise<Response | null> => {
    const found = await readVersion(deps, data);
    if (!found) return null;
    const { metadata, stored } = found;
    if (!stored) return rawEnvelope(req, 404, { subkeys: null, metadata });
    return { data: { subkeys: subkeysOf(stored.data, data.getInt('depth')), metadata } };
  };
  return {
    pattern: 'subkeys/(?<path>.*)',
    fields: {
      path: { type: 'string', description: 'Location of the secret.' },
      depth: { type: 'int', description: 'The maximum depth to traverse. No limit if not provided or 0.' },
      version: { type: 'int', description: 'Which version to read. The current version if not provided.' },
    },
    operations: { read },
    helpSynopsis: 'Read the structure of a secret entry from the Key-Value store with the values removed.',
  };
}
