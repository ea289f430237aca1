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
  type SecurityBarrier,
} from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { decodeShare, ShareCollector } from './share-collector.js';

export interface InitParams {
  secret_shares: number;
  secret_threshold: number;
  pgp_keys?: string[];
  root_token_pgp_key?: string;
}

export interface InitResult {
  keys: string[];
  keys_base64: string[];
  root_token: string;
}

export interface SealStatus {
  type: 'shamir';
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
}

export const VERSION = '1.17.0+strongroom';
export const BUILD_DATE = '2026-11-01T00:00:00Z';

/**
 * Init and unseal with Shamir shares: the root key is split at init and never stored; unseal combines shares
 * gathered from any number of callers, and a wrong combination is caught when the keyring fails to open.
 */
export class SealLifecycle {
  readonly unsealShares = new ShareCollector();

  constructor(
    private readonly storage: Backend,
    private readonly barrier: SecurityBarrier,
  ) {}

  config(): Promise<SealConfig | null> {
    return readSealConfig(this.storage);
  }

  async status(extra: { clusterName?: string; clusterId?: string } = {}): Promise<SealStatus> {
    const cfg = await this.config();
    const sealed = this.barrier.isSealed();
    return {
      type: 'shamir',
      initialized: cfg !== null,
      sealed,
      t: cfg?.secret_threshold ?? 0,
      n: cfg?.secret_shares ?? 0,
      progress: this.unsealShares.progress,
      nonce: this.unsealShares.nonce,
      version: VERSION,
      build_date: BUILD_DATE,
      migration: false,
      recovery_seal: false,
      storage_type: this.storage.type,
      ...(sealed ? {} : { cluster_name: extra.clusterName, cluster_id: extra.clusterId }),
    };
  }

  /** Splits a fresh root key; returns the shares (PGP-encrypted when asked) and the root key for the caller's first unseal-free steps. */
  async initialize(p: InitParams): Promise<{ result: Omit<InitResult, 'root_token'>; rootKey: Uint8Array }> {
    if (await this.config()) throw new InvalidRequestError('Vault is already initialized');
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
    const cfg = await this.config();
    if (!cfg) throw new InvalidRequestError('Vault is not initialized');
    if (!this.barrier.isSealed()) return 'already-unsealed';
    const share = decodeShare(key, cfg.secret_shares);
    this.unsealShares.add(share);
    if (this.unsealShares.progress < cfg.secret_threshold) return 'progress';
    const shares = this.unsealShares.take();
    let rootKey: Uint8Array;
    try {
      rootKey = cfg.secret_shares === 1 ? shares[0]! : combine(shares);
      await this.barrier.unseal(rootKey);
    } catch (err) {
      if (err instanceof BarrierError) throw new InvalidRequestError('Unseal failed, invalid key');
      throw err;
    } finally {
      for (const s of shares) s.fill(0);
    }
    return 'unsealed';
  }
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
export async function checkInitKeys(p: InitParams): Promise<void> {
  validateInitParams(p);
  const keys = [...(p.pgp_keys ?? []), ...(p.root_token_pgp_key ? [p.root_token_pgp_key] : [])];
  if (keys.length === 0) return;
  for (const key of keys) await pgpEncryptHex(key, Buffer.from('probe'));
}
