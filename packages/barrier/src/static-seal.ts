import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BarrierInvalidKeyError, DecryptFailedError } from './errors.js';
import { KEY_BYTES, zero } from './key.js';
import type { AutoSeal, WrappedKey } from './seal.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface StaticSealKeys {
  currentKeyId: string;
  currentKey: Uint8Array;
  previousKeyId?: string;
  previousKey?: Uint8Array;
}

/**
 * OpenBao's `seal "static"`: AES-256-GCM under a key the operator provides. The key id is bound as additional
 * data, so a value cannot be passed off as wrapped by another key. A value wrapped by the previous key still
 * unwraps, and is reported stale so the caller rewraps it under the current key (key rotation).
 */
export class StaticSeal implements AutoSeal {
  readonly type = 'static' as const;
  private readonly keys = new Map<string, Uint8Array>();

  constructor(private readonly k: StaticSealKeys) {
    checkKey(k.currentKeyId, k.currentKey, 'current_key');
    this.keys.set(k.currentKeyId, Uint8Array.from(k.currentKey));
    if (k.previousKey !== undefined || k.previousKeyId !== undefined) {
      if (!k.previousKeyId || !k.previousKey) throw new BarrierInvalidKeyError('previous_key and previous_key_id go together');
      if (k.previousKeyId === k.currentKeyId) throw new BarrierInvalidKeyError('previous_key_id must differ from current_key_id');
      checkKey(k.previousKeyId, k.previousKey, 'previous_key');
      this.keys.set(k.previousKeyId, Uint8Array.from(k.previousKey));
    }
  }

  async wrap(plain: Uint8Array): Promise<WrappedKey> {
    const key = this.keys.get(this.k.currentKeyId)!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(this.k.currentKeyId, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { type: 'static', key_id: this.k.currentKeyId, ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64') };
  }

  async unwrap(w: WrappedKey): Promise<{ plain: Uint8Array; stale: boolean }> {
    const key = this.keys.get(w.key_id);
    if (!key) {
      const known = [...this.keys.keys()].map((id) => JSON.stringify(id)).join(' or ');
      throw new DecryptFailedError(`the root key is wrapped by static key ${JSON.stringify(w.key_id)}, this seal has ${known}`);
    }
    const raw = Buffer.from(w.ciphertext, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new DecryptFailedError('the wrapped root key is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(w.key_id, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return { plain: new Uint8Array(plain), stale: w.key_id !== this.k.currentKeyId };
    } catch (err) {
      throw new DecryptFailedError(`static key ${JSON.stringify(w.key_id)} does not open the wrapped root key`, { cause: err });
    }
  }

  stop(): void {
    for (const key of this.keys.values()) zero(key);
    this.keys.clear();
  }

  describe(): Record<string, unknown> {
    return { type: 'static', current_key_id: this.k.currentKeyId, ...(this.k.previousKeyId ? { previous_key_id: this.k.previousKeyId } : {}) };
  }
}

function checkKey(id: string, key: Uint8Array, name: string): void {
  if (typeof id !== 'string' || id === '') throw new BarrierInvalidKeyError(`${name}_id must be a non-empty string`);
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new BarrierInvalidKeyError(`${name} must be ${KEY_BYTES} bytes, got ${key instanceof Uint8Array ? key.length : 0}`);
  }
}
