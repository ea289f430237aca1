import { randomBytes } from 'node:crypto';

/** Vault's accessor for a mount, auth method or audit device: the type, `_`, then 8 random hex digits. */
export function mountAccessor(type: string): string {
  return `${type}_${randomBytes(4).toString('hex')}`;
}
