import { randomBytes } from 'node:crypto';
import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { decodeJSON, encodeJSON } from '../util/json-entry.js';
import { KeyedLock } from '../util/keyed-lock.js';

/** The key types this engine implements: all symmetric AEADs with a 12-byte nonce and a 16-byte tag. */
export const TRANSIT_KEY_TYPES = ['aes256-gcm96', 'aes128-gcm96', 'chacha20-poly1305'] as const;
export type TransitKeyType = (typeof TRANSIT_KEY_TYPES)[number];

/** Types Vault knows that this engine does not implement: refused by name rather than as unknown. */
const VAULT_ONLY_TYPES = ['xchacha20-poly1305', 'ed25519', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'hmac'];

const KEY_BYTES: Record<TransitKeyType, number> = { 'aes256-gcm96': 32, 'aes128-gcm96': 16, 'chacha20-poly1305': 32 };

export interface TransitKeyVersion {
  /** Base64 key material; the entry lives only inside the barrier. */
  key: string;
  /** Unix seconds. */
  creationTime: number;
}

/** A named key as stored at `policy/<name>` (Vault's "policy"): every version's material plus its settings. */
export interface TransitKey {
  name: string;
  type: TransitKeyType;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  deletionAllowed: boolean;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  latestVersion: number;
  versions: Record<string, TransitKeyVersion>;
}

export function parseKeyType(raw: string): TransitKeyType {
  const t = (TRANSIT_KEY_TYPES as readonly string[]).find((x) => x === raw);
  if (t) return t as TransitKeyType;
  if (VAULT_ONLY_TYPES.includes(raw)) throw new InvalidRequestError(`key type "${raw}" is not supported by this server`);
  throw new InvalidRequestError(`unknown key type "${raw}"`);
}

function freshVersion(type: TransitKeyType, now: Date): TransitKeyVersion {
  return { key: randomBytes(KEY_BYTES[type]).toString('base64'), creationTime: Math.floor(now.getTime() / 1000) };
}

export function newTransitKey(name: string, type: TransitKeyType, o: { exportable: boolean; allowPlaintextBackup: boolean }, now: Date): TransitKey {
  return {
    name,
    type,
    exportable: o.exportable,
    allowPlaintextBackup: o.allowPlaintextBackup,
    deletionAllowed: false,
    minDecryptionVersion: 1,
    minEncryptionVersion: 0,
    latestVersion: 1,
    versions: { '1': freshVersion(type, now) },
  };
}

/** Adds a new latest version; older versions stay available for decryption. */
export function rotateTransitKey(k: TransitKey, now: Date): TransitKey {
  const next = k.latestVersion + 1;
  return { ...k, latestVersion: next, versions: { ...k.versions, [String(next)]: freshVersion(k.type, now) } };
}

/** The key material of one version, or a 400 when the version is not one this key may use. */
export function keyMaterial(k: TransitKey, version: number): Buffer {
  const v = k.versions[String(version)];
  if (!v) throw new InvalidRequestError(`invalid key version ${version}`);
  return Buffer.from(v.key, 'base64');
}

/** The version to encrypt with: 0 means the latest, as in Vault. */
export function encryptionVersion(k: TransitKey, requested: number): number {
  if (requested === 0) return k.latestVersion;
  if (requested < 0) throw new InvalidRequestError('key version cannot be negative');
  if (k.minEncryptionVersion > 0 && requested < k.minEncryptionVersion) {
    throw new InvalidRequestError('requested version for encryption is less than the minimum encryption key version');
  }
  if (requested > k.latestVersion) throw new InvalidRequestError('requested version for encryption is higher than the latest key version');
  return requested;
}

/** The `GET keys/:name` body, field for field as Vault's for a symmetric key. */
export function keyInfo(k: TransitKey): Record<string, unknown> {
  const keys: Record<string, number> = {};
  for (const [ver, v] of Object.entries(k.versions)) keys[ver] = v.creationTime;
  return {
    name: k.name,
    type: k.type,
    deletion_allowed: k.deletionAllowed,
    derived: false,
    exportable: k.exportable,
    allow_plaintext_backup: k.allowPlaintextBackup,
    keys,
    min_decryption_version: k.minDecryptionVersion,
    min_encryption_version: k.minEncryptionVersion,
    latest_version: k.latestVersion,
    min_available_version: 0,
    supports_encryption: true,
    supports_decryption: true,
    supports_derivation: true,
    supports_signing: false,
    auto_rotate_period: 0,
    imported_key: false,
  };
}

const PREFIX = 'policy/';

/**
 * The mount's keys. Every change is a read-modify-write under the key's lock, so a rotation racing an upsert or a
 * config change never loses a version.
 */
export class TransitKeyStore {
  private readonly lock = new KeyedLock();

  constructor(private readonly storage: Backend) {}

  async get(name: string): Promise<TransitKey | null> {
    const raw = await this.storage.get(PREFIX + name);
    return raw ? decodeJSON<TransitKey>(raw) : null;
  }

  async list(): Promise<string[]> {
    return this.storage.list(PREFIX);
  }

  /**
   * Runs `fn` on the current entry while holding the key's lock; a returned key is stored, `'delete'` removes the
   * entry, `undefined` leaves it as it was. Resolves to the entry as it stands afterwards.
   */
  async modify(name: string, fn: (cur: TransitKey | null) => TransitKey | 'delete' | undefined): Promise<TransitKey | null> {
    return this.lock.run(name, async () => {
      const cur = await this.get(name);
      const next = fn(cur);
      if (next === undefined) return cur;
      if (next === 'delete') {
        await this.storage.delete(PREFIX + name);
        return null;
      }
      await this.storage.put(PREFIX + name, encodeJSON(next));
      return next;
    });
  }
}
