import { randomUUID } from 'node:crypto';
import {
  DecryptFailedError,
  WRAPPED_RECOVERY_KEY_PATH,
  WRAPPED_ROOT_KEY_PATH,
  generateKey,
  keysEqual,
  readRecoveryConfig,
  readWrappedKey,
  split,
  writeRecoveryConfig,
  writeSealConfig,
  writeWrappedKey,
  zero,
  type AutoSeal,
  type RecoveryConfig,
  type SecurityBarrier,
} from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';
import type { Logger } from '../util/logger.js';

export interface RecoveryParams {
  recovery_shares: number;
  recovery_threshold: number;
  recovery_pgp_keys?: string[];
}

/**
 * The root key held by an auto-unseal seal: wrapped at init and stored, unwrapped at every start. Operators get
 * recovery shares instead of unseal shares; the recovery key is wrapped by the same seal, so a sealed node can
 * check recovery shares (unseal after `sys/seal`) and an unsealed one can (generate-root).
 */
export class AutoUnsealKeys {
  /** Why the last attempt to unseal with the seal failed; cleared when one succeeds. */
  lastError: string | null = null;

  constructor(
    private readonly storage: Backend,
    private readonly barrier: SecurityBarrier,
    readonly seal: AutoSeal,
    private readonly logger: Logger,
  ) {}

  get type(): AutoSeal['type'] {
    return this.seal.type;
  }

  recoveryConfig(): Promise<RecoveryConfig | null> {
    return readRecoveryConfig(this.storage);
  }

  /** A fresh root key, wrapped and stored with the recovery key; returns the recovery shares and the root key. */
  async initialize(p: RecoveryParams): Promise<{ rootKey: Uint8Array; recoveryShares: Uint8Array[] }> {
    const rootKey = generateKey();
    const recoveryKey = generateKey();
    try {
      // Wrapped first: an unreachable seal fails init before anything is stored.
      const wrappedRoot = await this.seal.wrap(rootKey);
      const wrappedRecovery = await this.seal.wrap(recoveryKey);
      await this.barrier.initialize(rootKey);
      await writeWrappedKey(this.storage, WRAPPED_ROOT_KEY_PATH, wrappedRoot);
      await writeWrappedKey(this.storage, WRAPPED_RECOVERY_KEY_PATH, wrappedRecovery);
      await writeRecoveryConfig(this.storage, {
        secret_shares: p.recovery_shares,
        secret_threshold: p.recovery_threshold,
        ...(p.recovery_pgp_keys?.length ? { pgp_keys: p.recovery_pgp_keys } : {}),
        nonce: randomUUID(),
      });
      // Written last: it is what marks the node initialized.
      await writeSealConfig(this.storage, { type: this.seal.type, secret_shares: 1, secret_threshold: 1, nonce: randomUUID() });
      const recoveryShares = p.recovery_shares === 1 ? [Uint8Array.from(recoveryKey)] : split(recoveryKey, p.recovery_shares, p.recovery_threshold);
      return { rootKey, recoveryShares };
    } catch (err) {
      zero(rootKey);
      throw err;
    } finally {
      zero(recoveryKey);
    }
  }

  /** Unwraps the stored root key and opens the barrier; a value wrapped by a previous key is rewrapped. */
  async unseal(): Promise<void> {
    const rootKey = await this.unwrapStored(WRAPPED_ROOT_KEY_PATH);
    try {
      await this.barrier.unseal(rootKey);
    } finally {
      zero(rootKey);
    }
    this.lastError = null;
  }

  /** Whether `key` is the recovery key (constant time). */
  async verifyRecoveryKey(key: Uint8Array): Promise<boolean> {
    const recoveryKey = await this.unwrapStored(WRAPPED_RECOVERY_KEY_PATH);
    try {
      return keysEqual(key, recoveryKey);
    } finally {
      zero(recoveryKey);
    }
  }

  private async unwrapStored(path: string): Promise<Uint8Array> {
    const wrapped = await readWrappedKey(this.storage, path);
    if (!wrapped) throw new DecryptFailedError(`no wrapped key at ${path}: the node was not initialized with an auto-unseal seal`);
    if (wrapped.type !== this.seal.type) {
      throw new DecryptFailedError(`the stored key at ${path} was wrapped by a ${wrapped.type} seal, this node is configured with ${this.seal.type}`);
    }
    const { plain, stale } = await this.seal.unwrap(wrapped);
    if (stale) {
      // Key rotation: from now on only the current key is needed.
      await writeWrappedKey(this.storage, path, await this.seal.wrap(plain));
      this.logger.info('rewrapped a stored key under the seal\'s current key', { path, previous_key_id: wrapped.key_id });
    }
    return plain;
  }
}
