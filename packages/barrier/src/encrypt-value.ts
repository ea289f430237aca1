import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptFailedError } from './errors.js';

/** Framing version 2: the storage path is the GCM additional data (version 1, without it, is never written). */
export const FRAME_VERSION = 2;
const TERM_BYTES = 4;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = TERM_BYTES + 1 + NONCE_BYTES;
/** The smallest valid frame: header and tag around an empty plaintext. */
export const FRAME_OVERHEAD = HEADER_BYTES + TAG_BYTES;

/**
 * Encrypts `plaintext` for storage at `path` as `[term u32 BE][version u8][nonce 12][ciphertext][tag 16]`.
 * AES-256-GCM with a random nonce; binding the path means a value copied to another key no longer decrypts.
 */
export function encryptValue(key: Uint8Array, term: number, path: string, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(path, 'utf8'));
  const body = cipher.update(plaintext);
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(HEADER_BYTES + body.length + last.length + TAG_BYTES);
  new DataView(out.buffer).setUint32(0, term, false);
  out[TERM_BYTES] = FRAME_VERSION;
  out.set(nonce, TERM_BYTES + 1);
  out.set(body, HEADER_BYTES);
  out.set(last, HEADER_BYTES + body.length);
  out.set(tag, out.length - TAG_BYTES);
  return out;
}

/** The term a stored value names in its first 4 bytes; it selects the keyring key that opens it. */
export function frameTerm(path: string, frame: Uint8Array): number {
  if (frame.length < FRAME_OVERHEAD) throw new DecryptFailedError(`stored value at ${JSON.stringify(path)} is too short`);
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
}

/** Opens a frame written by `encryptValue` for `path`; any mismatch (key, path, bytes) is one error. */
export function decryptValue(key: Uint8Array, path: string, frame: Uint8Array): Uint8Array {
  frameTerm(path, frame);
  const version = frame[TERM_BYTES];
  if (version !== FRAME_VERSION) {
    throw new DecryptFailedError(`stored value at ${JSON.stringify(path)} has unsupported version ${String(version)}`);
  }
  const nonce = frame.subarray(TERM_BYTES + 1, HEADER_BYTES);
  const body = frame.subarray(HEADER_BYTES, frame.length - TAG_BYTES);
  const tag = frame.subarray(frame.length - TAG_BYTES);
  let head: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(path, 'utf8'));
    decipher.setAuthTag(tag);
    head = decipher.update(body);
    const tail = decipher.final();
    const out = new Uint8Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    head.fill(0);
    return out;
  } catch (err) {
    head?.fill(0); // unauthenticated plaintext must not linger
    throw new DecryptFailedError(`failed to decrypt the value at ${JSON.stringify(path)}`, { cause: err });
  }
}
