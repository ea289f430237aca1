import { createHash } from 'node:crypto';
import type { Backend, TxnOp } from '@strongroom/storage';
import { decodeJSON, encodeJSON, isStorableKey } from '../util/json-entry.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { EMPTY_CONFIG, type KeyMetadata, type KvConfig, type StoredVersion } from './kv-v2-model.js';

const CONFIG_KEY = 'config';
const METADATA_PREFIX = 'metadata/';
const VERSIONS_PREFIX = 'versions/';
/** Well under Consul's 127 operations per transaction. */
const MAX_TXN_OPS = 64;

/**
 * Storage layout of a kv v2 mount (inside its own view):
 * - `config`: the mount settings;
 * - `metadata/<key>`: the key's metadata, under its own path so that `LIST metadata/...` is a storage list;
 * - `versions/<sha256(key)>/<n>`: one entry per version, hashed so that any key length maps to a short folder.
 */
export class KvV2Store {
  readonly locks = new KeyedLock();

  constructor(private readonly storage: Backend) {}

  metadataKey(key: string): string {
    return METADATA_PREFIX + key;
  }

  versionFolder(key: string): string {
    return `${VERSIONS_PREFIX}${createHash('sha256').update(key).digest('hex')}/`;
  }

  versionKey(key: string, version: number): string {
    return `${this.versionFolder(key)}${version}`;
  }

  /** Whether `key` can name a secret at all (no empty segments, no `..`). */
  validKey(key: string): boolean {
    return key !== '' && isStorableKey(this.metadataKey(key));
  }

  async config(): Promise<KvConfig> {
    const raw = await this.storage.get(CONFIG_KEY);
    return raw ? { ...EMPTY_CONFIG, ...decodeJSON<Partial<KvConfig>>(raw) } : { ...EMPTY_CONFIG };
  }

  configOp(config: KvConfig): TxnOp {
    return { op: 'put', key: CONFIG_KEY, value: encodeJSON(config) };
  }

  async metadata(key: string): Promise<KeyMetadata | null> {
    if (!this.validKey(key)) return null;
    const raw = await this.storage.get(this.metadataKey(key));
    return raw ? decodeJSON<KeyMetadata>(raw) : null;
  }

  metadataOp(meta: KeyMetadata): TxnOp {
    return { op: 'put', key: this.metadataKey(meta.key), value: encodeJSON(meta) };
  }

  async version(key: string, version: number): Promise<StoredVersion | null> {
    const raw = await this.storage.get(this.versionKey(key, version));
    return raw ? decodeJSON<StoredVersion>(raw) : null;
  }

  versionOp(key: string, version: number, stored: StoredVersion): TxnOp {
    return { op: 'put', key: this.versionKey(key, version), value: encodeJSON(stored) };
  }

  deleteVersionOp(key: string, version: number): TxnOp {
    return { op: 'delete', key: this.versionKey(key, version) };
  }

  /** Every stored version entry of `key`, including strays a crash left behind. */
  async storedVersions(key: string): Promise<string[]> {
    const folder = this.versionFolder(key);
    return (await this.storage.list(folder)).filter((n) => !n.endsWith('/')).map((n) => folder + n);
  }

  async listMetadata(prefix: string): Promise<string[]> {
    const full = METADATA_PREFIX + prefix;
    if (prefix !== '' && !isStorableKey(full.slice(0, -1))) return [];
    return this.storage.list(full);
  }

  /**
   * Applies `ops` atomically. Callers put what must land together (new version + metadata) first; a list too long
   * for one transaction continues in further ones, holding only clean-up deletes that are safe to retry.
   */
  async commit(ops: TxnOp[]): Promise<void> {
    for (let i = 0; i < ops.length; i += MAX_TXN_OPS) {
      await this.storage.transaction(ops.slice(i, i + MAX_TXN_OPS));
    }
  }
}
