import { createHmac, randomBytes } from 'node:crypto';
import type { Backend } from '@strongroom/storage';

const SALT_KEY = 'salt';

/**
 * The mount's HMAC key, made on first use and kept in its storage view: role IDs and secret IDs are stored and
 * looked up by their HMAC, so a storage dump alone does not give a working credential.
 */
export class MountSalt {
  private key: Promise<Buffer> | null = null;

  constructor(private readonly storage: Backend) {}

  private load(): Promise<Buffer> {
    this.key ??= (async () => {
      const stored = await this.storage.get(SALT_KEY);
      if (stored) return Buffer.from(stored);
      const fresh = randomBytes(32);
      await this.storage.put(SALT_KEY, fresh);
      return fresh;
    })().catch((err: unknown) => {
      // A failed load (sealed, storage down) must not stick: the next call tries again.
      this.key = null;
      throw err;
    });
    return this.key;
  }

  /** Hex HMAC-SHA256 of `value` under the mount's key. */
  async hmac(value: string): Promise<string> {
    return createHmac('sha256', await this.load()).update(value, 'utf8').digest('hex');
  }
}
