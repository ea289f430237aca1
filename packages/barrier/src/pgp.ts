import { createMessage, encrypt, readKey, type Key } from 'openpgp';
import { BarrierInvalidInputError } from './errors.js';

/** Reads an OpenPGP public key given as Vault takes it: base64 of the binary key, or ASCII armour. */
export async function readPublicKey(encoded: string): Promise<Key> {
  try {
    const text = encoded.trim();
    if (text.startsWith('-----BEGIN PGP')) return await readKey({ armoredKey: text });
    return await readKey({ binaryKey: new Uint8Array(Buffer.from(text, 'base64')) });
  } catch (err) {
    throw new BarrierInvalidInputError('error parsing given PGP key', { cause: err });
  }
}

/** Encrypts `data` to the key; returns the binary message as hex (Vault's encoding) and the key's fingerprint. */
export async function pgpEncryptHex(publicKey: string, data: Uint8Array): Promise<{ hex: string; fingerprint: string }> {
  const key = await readPublicKey(publicKey);
  let out: Uint8Array;
  try {
    const message = await createMessage({ binary: data });
    out = (await encrypt({ message, encryptionKeys: key, format: 'binary' })) as Uint8Array;
  } catch (err) {
    // A key that parses but cannot encrypt (sign-only, expired) is the caller's input, not our failure.
    throw new BarrierInvalidInputError(`error encrypting to the given PGP key: ${(err as Error).message}`, { cause: err });
  }
  return { hex: Buffer.from(out).toString('hex'), fingerprint: key.getFingerprint() };
}
