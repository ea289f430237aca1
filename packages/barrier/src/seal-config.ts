import type { Backend } from '@strongroom/storage';
import { DecryptFailedError } from './errors.js';
import type { SealType } from './seal.js';

/** Stored in plain text outside the barrier: a sealed node must read it to know how many shares to ask for. */
export interface SealConfig {
  /** `shamir`, or the auto-unseal seal the root key is wrapped by (then shares and threshold are 1). */
  type: SealType;
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  /** Changes at init and at every rekey. */
  nonce: string;
  backup?: boolean;
}

export const SEAL_CONFIG_KEY = 'core/seal-config';

export async function readSealConfig(storage: Backend): Promise<SealConfig | null> {
  const raw = await storage.get(SEAL_CONFIG_KEY);
  if (!raw) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new DecryptFailedError('the stored seal configuration is corrupt', { cause: err });
  }
  const c = parsed as Partial<SealConfig>;
  if (typeof c.secret_shares !== 'number' || typeof c.secret_threshold !== 'number') {
    throw new DecryptFailedError('the stored seal configuration is corrupt');
  }
  return { ...c, type: c.type ?? 'shamir' } as SealConfig;
}

export async function writeSealConfig(storage: Backend, config: SealConfig): Promise<void> {
  await storage.put(SEAL_CONFIG_KEY, new Uint8Array(Buffer.from(JSON.stringify(config), 'utf8')));
}
