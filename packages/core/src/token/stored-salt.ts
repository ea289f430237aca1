import { createHmac, randomBytes } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

/** Where a subsystem keeps its salt inside its own storage view. */
export const SALT_KEY = 'salt';

/**
 * A per-subsystem random salt kept behind the barrier; identifiers are stored under their HMAC-SHA256 with it,
 * so that storage keys never reveal a token.
 */
export class StoredSalt {
  private constructor(private readonly key: Buffer) {}

  /** Loads the salt, creating it on first use. */
  static async load(storage: Backend): Promise<StoredSalt> {
    const raw = await storage.get(SALT_KEY);
    if (raw && raw.length > 0) return new StoredSalt(Buffer.from(raw));
    const fresh = Buffer.from(randomBytes(32).toString('hex'), 'utf8');
    await storage.put(SALT_KEY, new Uint8Array(fresh));
    return new StoredSalt(fresh);
  }

  /** Vault's salted id form for HMAC ids: `h` + hex. */
  hash(value: string): string {
    return 'h' + createHmac('sha256', this.key).update(value, 'utf8').digest('hex');
  }
}
