import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';
import { encryptionVersion, keyMaterial, type TransitKey, type TransitKeyType } from './transit-key.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'vault:';

/** Decodes standard base64 strictly, as Go's decoder does: stray characters or bad padding are the client's mistake. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

export function decodeBase64(text: string, what: string): Buffer {
  if (!isBase64(text)) throw new InvalidRequestError(`failed to base64-decode ${what}`);
  return Buffer.from(text, 'base64');
}

function cipherOf(type: TransitKeyType, key: Buffer, nonce: Buffer) {
  if (type === 'chacha20-poly1305') return createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES });
  return createCipheriv(type === 'aes128-gcm96' ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
}

function decipherOf(type: TransitKeyType, key: Buffer, nonce: Buffer) {
  if (type === 'chacha20-poly1305') return createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES });
  return createDecipheriv(type === 'aes128-gcm96' ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
}

/**
 * Encrypts with the requested version (0: the latest) and frames the result as Vault does:
 * `vault:v<ver>:` + base64(nonce ‖ ciphertext ‖ tag).
 */
export function encryptValue(k: TransitKey, requestedVersion: number, plaintext: Buffer, aad: Buffer | undefined): { ciphertext: string; version: number } {
  const version = encryptionVersion(k, requestedVersion);
  const nonce = randomBytes(NONCE_BYTES);
  const c = cipherOf(k.type, keyMaterial(k, version), nonce);
  if (aad) c.setAAD(aad, { plaintextLength: plaintext.length });
  const sealed = Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
  return { ciphertext: `${PREFIX}v${version}:${sealed.toString('base64')}`, version };
}

/** Splits `vault:v<ver>:<b64>` into its version and bytes; every malformed shape is a 400 naming what is wrong. */
export function parseCiphertext(text: string): { version: number; bytes: Buffer } {
  if (!text.startsWith(PREFIX)) throw new InvalidRequestError('invalid ciphertext: no prefix');
  const rest = text.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) throw new InvalidRequestError('invalid ciphertext: wrong number of fields');
  const verText = rest.slice(0, colon);
  if (!/^v\d{1,9}$/.test(verText)) throw new InvalidRequestError('invalid ciphertext: version number could not be decoded');
  // Version 0 is how Vault's earliest ciphertexts named version 1.
  const version = Math.max(1, Number(verText.slice(1)));
  const b64 = rest.slice(colon + 1);
  if (!isBase64(b64)) throw new InvalidRequestError('invalid ciphertext: could not decode base64');
  return { version, bytes: Buffer.from(b64, 'base64') };
}

/** Decrypts a framed ciphertext, enforcing the key's minimum decryption version. */
export function decryptValue(k: TransitKey, ciphertext: string, aad: Buffer | undefined): { plaintext: Buffer; version: number } {
  const { version, bytes } = parseCiphertext(ciphertext);
  if (version < k.minDecryptionVersion) throw new InvalidRequestError('ciphertext or signature version is disallowed by policy (too old)');
  if (version > k.latestVersion) throw new InvalidRequestError('invalid ciphertext: version is too new');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new InvalidRequestError('invalid ciphertext: too short');
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
  const d = decipherOf(k.type, keyMaterial(k, version), nonce);
  d.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  if (aad) d.setAAD(aad, { plaintextLength: body.length });
  try {
    return { plaintext: Buffer.concat([d.update(body), d.final()]), version };
  } catch {
    // Wrong key, tampered bytes or other associated data: the tag check is the only signal, as in Go's AEAD.
    throw new InvalidRequestError('cipher: message authentication failed');
  }
}
