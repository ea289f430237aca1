import { randomUUID } from 'node:crypto';
import {
  BarrierError,
  combine,
  generateKey,
  pgpEncryptHex,
  readSealConfig,
  split,
  validateShamirParams,
  writeSealConfig,
  type SealConfig,
  type SealType,
  type SecurityBarrier,
} from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { decodeShare, ShareCollector } from './share-collector.js';
import type { AutoUnsealKeys } from './auto-unseal.js';

export interface InitParams {
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  root_token_pgp_key?: string;
  /** Auto-unseal seals only: the recovery key's split. */
  recovery_shares?: number;
  recovery_threshold?: number;
  recovery_pgp_keys?: string[];
}

export interface InitResult {
  keys: string[];
  keys_base64: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token: string;
}

/** Vault's defaults for the recovery key's split (`vault operator init` with an auto-unseal seal). */
export const DEFAULT_RECOVERY_SHARES = 5;
export const DEFAULT_RECOVERY_THRESHOLD = 3;

export interface SealStatus {
  type: SealType;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  version: string;
  build_date: string;
  migration: boolean;
  recovery_seal: boolean;
  storage_type: string;
  cluster_name?: string;
  cluster_id?: string;
  /** Why an auto-unseal seal has not unsealed the node yet (unreachable unsealer, wrong key). */
  warnings?: string[];
}

export const VERSION = '1.17.0+strongroom';
export const BUILD_DATE = '2026-11-01T00:00:00Z';

/**
 * Init and unseal. With Shamir shares the root key is split at init and never stored; unseal combines shares
 * gathered from any number of callers, and a wrong combination is caught when the keyring fails to open. With an
 * auto-unseal seal (`auto`) the root key is wrapped by the seal, and the shares are recovery shares.
 */
export class SealLifecycle {
  readonly unsealShares = new ShareCollector();

  constructor(
    private readonly storage: Backend,
    private readonly barrier: SecurityBarrier,
    readonly auto: AutoUnsealKeys | null = null,
  ) {}

  get sealType(): SealType {
    return this.auto?.type ?? 'shamir';
  }

  config(): Promise<SealConfig | null> {
    return readSealConfig(this.storage);
  }

  /** The split operators hold: the unseal shares, or with an auto-unseal seal the recovery shares. */
  async sharesConfig(): Promise<{ secret_shares: number; secret_threshold: number } | null> {
    return this.auto ? this.auto.recoveryConfig() : this.config();
  }

  async status(extra: { clusterName?: string; clusterId?: string } = {}): Promise<SealStatus> {
    const cfg = await this.config();
    const shares = this.auto && cfg ? await this.auto.recoveryConfig() : cfg;
    const sealed = this.barrier.isSealed();
    const warning = sealed ? this.auto?.lastError : null;
    return {
      type: this.sealType,
      initialized: cfg !== null,
      sealed,
      t: shares?.secret_threshold ?? 0,
      n: shares?.secret_shares ?? 0,
      progress: this.unsealShares.progress,
      nonce: this.unsealShares.nonce,
      version: VERSION,
      build_date: BUILD_DATE,
      migration: false,
      recovery_seal: this.auto !== null,
      storage_type: this.storage.type,
      ...(sealed ? {} : { cluster_name: extra.clusterName, cluster_id: extra.clusterId }),
      ...(warning ? { warnings: [warning] } : {}),
    };
  }

  /** Splits a fresh root key; returns the shares (PGP-encrypted when asked) and the root key for the caller's first unseal-free steps. */
  async initialize(p: InitParams): Promise<{ result: Omit<InitResult, 'root_token'>; rootKey: Uint8Array }> {
    if (await this.config()) throw new InvalidRequestError('Vault is already initialized');
    if (this.auto) {
      const r = recoveryParams(p);
      const { rootKey, recoveryShares } = await this.auto.initialize(r);
      try {
        const encoded = await encodeShares(recoveryShares, r.recovery_pgp_keys);
        return { result: { keys: [], keys_base64: [], recovery_keys: encoded.keys, recovery_keys_base64: encoded.keys_base64 }, rootKey };
      } finally {
        for (const s of recoveryShares) s.fill(0);
      }
    }
    validateInitParams(p);
    const rootKey = generateKey();
    await this.barrier.initialize(rootKey);
    const shares = split(rootKey, p.secret_shares, p.secret_threshold);
    await writeSealConfig(this.storage, {
      type: 'shamir',
      secret_shares: p.secret_shares,
      secret_threshold: p.secret_threshold,
      pgp_keys: p.pgp_keys,
      nonce: randomUUID(),
    });
    const encoded = await encodeShares(shares, p.pgp_keys);
    return { result: encoded, rootKey };
  }

  /**
   * Adds one share; at the threshold combines and unseals. The progress is cleared whatever the result.
   * Only the call that opened the barrier gets 'unsealed': shares sent at once by several operators must start
   * the node's active duties once, not once per caller.
   */
  async submit(key: unknown): Promise<'unsealed' | 'already-unsealed' | 'progress'> {
    const cfg = await this.sharesConfig();
    if (!cfg) throw new InvalidRequestError('Vault is not initialized');
    if (!this.barrier.isSealed()) return 'already-unsealed';
    const share = decodeShare(key, cfg.secret_shares);
    this.unsealShares.add(share);
    if (this.unsealShares.progress < cfg.secret_threshold) return 'progress';
    const shares = this.unsealShares.take();
    let rootKey: Uint8Array;
    try {
      rootKey = cfg.secret_shares === 1 ? shares[0]! : combine(shares);
      if (this.auto) {
        // Recovery shares prove who asks; the root key itself still comes from the seal.
        if (!(await this.auto.verifyRecoveryKey(rootKey))) throw new InvalidRequestError('Unseal failed, invalid recovery key');
        await this.auto.unseal();
      } else {
        await this.barrier.unseal(rootKey);
      }
    } catch (err) {
      if (err instanceof BarrierError) throw new InvalidRequestError('Unseal failed, invalid key');
      throw err;
    } finally {
      for (const s of shares) s.fill(0);
    }
    return 'unsealed';
  }

  /** Unseals with the auto-unseal seal alone (at start, after init). */
  async unsealWithSeal(): Promise<'unsealed' | 'already-unsealed'> {
    if (!this.auto) throw new InvalidRequestError('the node has no auto-unseal seal');
    if (!this.barrier.isSealed()) return 'already-unsealed';
    try {
      await this.auto.unseal();
    } catch (err) {
      this.auto.lastError = `unseal with the ${this.auto.type} seal failed: ${(err as Error).message}`;
      throw err;
    }
    return 'unsealed';
  }
}

/** Init's recovery parameters with Vault's defaults (a Go client sends 0 for "not given"), checked like shares. */
export function recoveryParams(p: InitParams): { recovery_shares: number; recovery_threshold: number; recovery_pgp_keys?: string[] } {
  const shares = p.recovery_shares || DEFAULT_RECOVERY_SHARES;
  const threshold = p.recovery_threshold || (p.recovery_shares ? Math.min(DEFAULT_RECOVERY_THRESHOLD, shares) : DEFAULT_RECOVERY_THRESHOLD);
  const r = { recovery_shares: shares, recovery_threshold: threshold, ...(p.recovery_pgp_keys?.length ? { recovery_pgp_keys: p.recovery_pgp_keys } : {}) };
  try {
    validateInitParams({ secret_shares: shares, secret_threshold: threshold, pgp_keys: r.recovery_pgp_keys ?? [] });
  } catch (err) {
    throw new InvalidRequestError((err as Error).message.replace(/secret_/g, 'recovery_').replace('incorrect number of PGP keys', 'incorrect number of recovery PGP keys'));
  }
  return r;
}

export function validateInitParams(p: InitParams): void {
  if (!Number.isInteger(p.secret_shares) || !Number.isInteger(p.secret_threshold)) {
    throw new InvalidRequestError('secret_shares and secret_threshold must be integers');
  }
  try {
    validateShamirParams(p.secret_shares, p.secret_threshold);
  } catch (err) {
    throw new InvalidRequestError((err as Error).message);
  }
  if (p.pgp_keys && p.pgp_keys.length > 0 && p.pgp_keys.length !== p.secret_shares) {
    throw new InvalidRequestError('incorrect number of PGP keys');
  }
}

/** Hex and base64 of each share; with PGP keys, each entry is the PGP message of the share's hex, as Vault does. */
export async function encodeShares(shares: Uint8Array[], pgpKeys?: string[]): Promise<{ keys: string[]; keys_base64: string[] }> {
  if (pgpKeys && pgpKeys.length > 0) {
    const keys: string[] = [];
    const keys_base64: string[] = [];
    for (let i = 0; i < shares.length; i++) {
      const { hex } = await pgpEncryptHex(pgpKeys[i]!, Buffer.from(Buffer.from(shares[i]!).toString('hex')));
      keys.push(hex);
      keys_base64.push(Buffer.from(hex, 'hex').toString('base64'));
    }
    return { keys, keys_base64 };
  }
  return {
    keys: shares.map((s) => Buffer.from(s).toString('hex')),
    keys_base64: shares.map((s) => Buffer.from(s).toString('base64')),
  };
}

/** Init's parameters and every PGP key, checked before anything is stored, so a refused init leaves no trace. */
export async function checkInitKeys(p: InitParams, auto = false): Promise<void> {
  const shareKeys = auto ? (recoveryParams(p).recovery_pgp_keys ?? []) : (validateInitParams(p), p.pgp_keys ?? []);
  const keys = [...shareKeys, ...(p.root_token_pgp_key ? [p.root_token_pgp_key] : [])];
  if (keys.length === 0) return;
  for (const key of keys) await pgpEncryptHex(key, Buffer.from('probe'));
}
