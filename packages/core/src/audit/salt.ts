import { createHmac, randomUUID } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

/** Where a device's salt lives inside the device's own storage view (Vault's `salt.DefaultLocation`). */
export const SALT_KEY = 'salt';

/** A fresh salt: a random UUID string, as Vault's salt package makes. */
export function newSalt(): string {
  return randomUUID();
}

/** Vault's `GetIdentifiedHMAC`: the key is the salt string's bytes. */
export function hashWithSalt(salt: string, value: string): string {
  return 'hmac-sha256:' + createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}

export async function readSalt(storage: Backend): Promise<string | null> {
  const raw = await storage.get(SALT_KEY);
  return raw === null ? null : Buffer.from(raw).toString('utf8');
}

export async function writeSalt(storage: Backend, salt: string): Promise<void> {
  await storage.put(SALT_KEY, new Uint8Array(Buffer.from(salt, 'utf8')));
}
