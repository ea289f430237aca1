import { createHmac, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

/** Where a device's salt lives inside the device's own storage view (Vault's `salt.DefaultLocation`). */
export const SALT_KEY = 'salt';

/** A fresh salt: a random UUID string, as Vault's salt package makes. */
export function newSalt(): string {
  return randomUUID();
}

/** Vault's `GetIdentifiedHMAC`: the key is the salt string's bytes (or `saltKey` of them, made once: cheaper). */
export function hashWithSalt(salt: string | KeyObject, value: string): string {
  return 'hmac-sha256:' + createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}

/** The salt as a key object for `hashWithSalt`, so that each HMAC skips importing the key. */
export function saltKey(salt: string): KeyObject {
  return createSecretKey(Buffer.from(salt, 'utf8'));
}

export async function readSalt(storage: Backend): Promise<string | null> {
  const raw = await storage.get(SALT_KEY);
  return raw === null ? null : Buffer.from(raw).toString('utf8');
}

export async function writeSalt(storage: Backend, salt: string): Promise<void> {
  await storage.put(SALT_KEY, new Uint8Array(Buffer.from(salt, 'utf8')));
}
