import { StorageInvalidKeyError, validateKey, type Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serialises a stored entry; engines keep JSON so a human can read a decrypted dump. */
export function encodeJSON(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJSON<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** Whether the storage layer would accept `key`; a read of a key it would refuse simply finds nothing. */
export function isStorableKey(key: string): boolean {
  try {
    validateKey(key);
    return true;
  } catch (err) {
    if (err instanceof StorageInvalidKeyError) return false;
    throw err;
  }
}

/** A client-chosen path the storage layer refuses (`a//b`, `..`) is the client's mistake: 400, not 500. */
export function requireStorableKey(key: string, shownPath: string): void {
  if (!isStorableKey(key)) throw new InvalidRequestError(`invalid path "${shownPath}"`);
}

/** A stored JSON entry, or null when there is none. */
export async function readJSON<T>(storage: Backend, key: string): Promise<T | null> {
  const raw = await storage.get(key);
  return raw ? decodeJSON<T>(raw) : null;
}

export async function writeJSON(storage: Backend, key: string, value: unknown): Promise<void> {
  await storage.put(key, encodeJSON(value));
}
