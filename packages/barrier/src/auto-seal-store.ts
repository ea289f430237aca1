import type { Backend } from '@strongroom/storage';
import { DecryptFailedError } from './errors.js';
import type { WrappedKey } from './seal.js';

/** Vault's key for the root key wrapped by an auto-unseal seal (plain storage: the seal protects it). */
export const WRAPPED_ROOT_KEY_PATH = 'core/hsm/barrier-unseal-keys';
/** Vault's key for the recovery key, wrapped by the same seal, so a sealed node can check recovery shares. */
export const WRAPPED_RECOVERY_KEY_PATH = 'core/recovery-key';
/** Vault's key for the recovery shares' configuration (plain: a sealed node reports it). */
export const RECOVERY_CONFIG_PATH = 'core/recovery-config';

export async function readWrappedKey(storage: Backend, path: string): Promise<WrappedKey | null> {
  const raw = await storage.get(path);
  if (!raw) return null;
  try {
    const w = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<WrappedKey>;
    if (typeof w.type === 'string' && typeof w.key_id === 'string' && typeof w.ciphertext === 'string') return w as WrappedKey;
  } catch {
    // reported below
  }
  throw new DecryptFailedError(`the wrapped key at ${path} is corrupt`);
}

export async function writeWrappedKey(storage: Backend, path: string, w: WrappedKey): Promise<void> {
  await storage.put(path, new Uint8Array(Buffer.from(JSON.stringify(w), 'utf8')));
}

export interface RecoveryConfig {
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  nonce: string;
}

export async function readRecoveryConfig(storage: Backend): Promise<RecoveryConfig | null> {
  const raw = await storage.get(RECOVERY_CONFIG_PATH);
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<RecoveryConfig>;
    if (typeof c.secret_shares === 'number' && typeof c.secret_threshold === 'number') return c as RecoveryConfig;
  } catch {
    // reported below
  }
  throw new DecryptFailedError('the stored recovery configuration is corrupt');
}

export async function writeRecoveryConfig(storage: Backend, c: RecoveryConfig): Promise<void> {
  await storage.put(RECOVERY_CONFIG_PATH, new Uint8Array(Buffer.from(JSON.stringify(c), 'utf8')));
}
