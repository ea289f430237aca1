import { randomUUID } from 'node:crypto';
import { BarrierError, combine, generateKey, pgpEncryptHex, split, writeSealConfig, type SealConfig, type SecurityBarrier } from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import { decodeShare, ShareCollector } from './share-collector.js';
import { encodeShares, validateInitParams } from './seal-lifecycle.js';

interface RekeyAttempt {
  nonce: string;
  shares: number;
  threshold: number;
  pgpKeys: string[];
  /** Of `pgpKeys`, in the same order; Vault reports them in the status. */
  pgpFingerprints: string[];
  backup: boolean;
  requireVerification: boolean;
  started: number;
  /** Set once the current shares were accepted while verification is pending. */
  pending?: { rootKey: Uint8Array; verifyNonce: string; verify: ShareCollector; keys: string[] };
}

/** `sys/rekey/*`: new shares (and a new root key) from the current ones; the keyring terms are untouched. */
export class Rekey {
  private attempt: RekeyAttempt | null = null;
  private readonly current = new ShareCollector();

  constructor(
    private readonly storage: Backend,
    private readonly barrier: SecurityBarrier,
    private readonly sealConfig: () => Promise<SealConfig | null>,
  ) {}

  async status(): Promise<Record<string, unknown>> {
    const cfg = await this.sealConfig();
    const a = this.attempt;
    return {
      started: a !== null,
      nonce: a?.nonce ?? '',
      t: a?.threshold ?? 0,
      n: a?.shares ?? 0,
      progress: this.current.progress,
      required: cfg?.secret_threshold ?? 0,
      pgp_fingerprints: a?.pgpFingerprints.length ? a.pgpFingerprints : null,
      backup: a?.backup ?? false,
      verification_required: a?.requireVerification ?? false,
      ...(a?.pending ? { verification_nonce: a.pending.verifyNonce } : {}),
    };
  }

  async init(p: { secret_shares: number; secret_threshold: number; pgp_keys?: string[]; backup?: boolean; require_verification?: boolean }): Promise<Record<string, unknown>> {
    if (this.barrier.isSealed()) throw new InvalidRequestError('Vault is sealed');
    if (this.attempt) throw new InvalidRequestError('rekey already in progress');
    const sealType = (await this.sealConfig())?.type ?? 'shamir';
    if (sealType !== 'shamir') {
      // The root key of an auto-unseal seal is never handed out, so no share of it can authorize a rekey.
      throw new InvalidRequestError(`rekey of the root key is not available with the ${sealType} seal; rekeying recovery keys is not supported yet`);
    }
    validateInitParams(p);
    if (p.backup && !(p.pgp_keys && p.pgp_keys.length)) throw new InvalidRequestError('cannot request a backup of the new keys without providing PGP keys for encryption');
    const pgpKeys = p.pgp_keys ?? [];
    const pgpFingerprints = await usableKeyFingerprints(pgpKeys);
    // Checked again: another init may have started while the keys were being read.
    if (this.attempt) throw new InvalidRequestError('rekey already in progress');
    this.attempt = {
      nonce: randomUUID(),
      shares: p.secret_shares,
      threshold: p.secret_threshold,
      pgpKeys,
      pgpFingerprints,
      backup: p.backup ?? false,
      requireVerification: p.require_verification ?? false,
      started: Date.now(),
    };
    this.current.reset();
    return this.status();
  }

  cancel(): void {
    this.attempt = null;
    this.current.reset();
  }

  async update(key: unknown, nonce: unknown): Promise<Record<string, unknown>> {
    const a = this.attempt;
    if (!a) throw new InvalidRequestError('no rekey in progress');
    if (nonce !== a.nonce) throw new InvalidRequestError(`incorrect nonce supplied; nonce for this rekey operation is ${a.nonce}`);
    if (a.pending) throw new InvalidRequestError('rekey operation is awaiting verification of the new keys');
    const cfg = await this.sealConfig();
    if (!cfg) throw new InvalidRequestError('Vault is not initialized');
    this.current.add(decodeShare(key, cfg.secret_shares), { rejectDuplicate: 'given key has already been provided during this rekey operation' });
    if (this.current.progress < cfg.secret_threshold) return this.status();

    const shares = this.current.take();
    let oldRoot: Uint8Array;
    try {
      oldRoot = cfg.secret_shares === 1 ? shares[0]! : combine(shares);
    } catch (err) {
      if (err instanceof BarrierError) throw new InvalidRequestError('failed to recover root key: invalid key');
      throw err;
    }
    if (!(await this.barrier.verifyRootKey(oldRoot))) throw new InvalidRequestError('failed to recover root key: invalid key');

    const newRoot = generateKey();
    const newShares = split(newRoot, a.shares, a.threshold);
    const encoded = await encodeShares(newShares, a.pgpKeys.length ? a.pgpKeys : undefined);
    if (a.backup) await this.storeBackup(a, encoded.keys);
    const result: Record<string, unknown> = {
      complete: true,
      nonce: a.nonce,
      keys: encoded.keys,
      keys_base64: encoded.keys_base64,
      pgp_fingerprints: a.pgpFingerprints.length ? a.pgpFingerprints : null,
      backup: a.backup,
      verification_required: a.requireVerification,
    };
    if (a.requireVerification) {
      a.pending = { rootKey: newRoot, verifyNonce: randomUUID(), verify: new ShareCollector(), keys: encoded.keys };
      result.verification_nonce = a.pending.verifyNonce;
      return result;
    }
    await this.commit(a, newRoot);
    return result;
  }

  async verifyStatus(): Promise<Record<string, unknown>> {
    const a = this.attempt;
    if (!a?.pending) throw new InvalidRequestError('no rekey verification in progress');
    return { nonce: a.pending.verifyNonce, started: true, t: a.threshold, n: a.shares, progress: a.pending.verify.progress };
  }

  async verify(key: unknown, nonce: unknown): Promise<Record<string, unknown>> {
    const a = this.attempt;
    if (!a?.pending) throw new InvalidRequestError('no rekey verification in progress');
    if (nonce !== a.pending.verifyNonce) throw new InvalidRequestError(`incorrect nonce supplied; nonce for this verify operation is ${a.pending.verifyNonce}`);
    a.pending.verify.add(decodeShare(key, a.shares), { rejectDuplicate: 'given key has already been provided during this verify operation' });
    if (a.pending.verify.progress < a.threshold) return this.verifyStatus();
    const shares = a.pending.verify.take();
    let candidate: Uint8Array;
    try {
      candidate = a.shares === 1 ? shares[0]! : combine(shares);
    } catch {
      throw new InvalidRequestError('failed to verify the new keys: invalid key');
    }
    if (Buffer.compare(Buffer.from(candidate), Buffer.from(a.pending.rootKey)) !== 0) {
      throw new InvalidRequestError('failed to verify the new keys: invalid key');
    }
    const verifyNonce = a.pending.verifyNonce;
    await this.commit(a, a.pending.rootKey);
    return { nonce: verifyNonce, complete: true };
  }

  async backup(): Promise<Record<string, unknown> | null> {
    const raw = await this.barrier.get('core/unseal-keys-backup');
    return raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as Record<string, unknown>) : null;
  }

  async deleteBackup(): Promise<void> {
    await this.barrier.delete('core/unseal-keys-backup');
  }

  private async commit(a: RekeyAttempt, newRoot: Uint8Array): Promise<void> {
    await this.barrier.rekey(newRoot);
    const cfg = await this.sealConfig();
    await writeSealConfig(this.storage, {
      type: 'shamir',
      secret_shares: a.shares,
      secret_threshold: a.threshold,
      pgp_keys: a.pgpKeys.length ? a.pgpKeys : undefined,
      nonce: cfg?.nonce ?? randomUUID(),
      backup: a.backup,
    });
    this.attempt = null;
  }

  private async storeBackup(a: RekeyAttempt, keys: string[]): Promise<void> {
    // Fingerprints are hex (never an inherited name), so a plain object is safe here.
    const byFingerprint: Record<string, string[]> = {};
    for (let i = 0; i < keys.length; i++) (byFingerprint[a.pgpFingerprints[i]!] ??= []).push(keys[i]!);
    await this.barrier.put('core/unseal-keys-backup', Buffer.from(JSON.stringify({ nonce: a.nonce, keys: byFingerprint })));
  }
}

/**
 * Each key's fingerprint, once a probe was encrypted to it. Vault refuses a key it cannot use at init: found only
 * at the last share of `rekey/update`, it would cost the operators a whole round of shares.
 */
async function usableKeyFingerprints(pgpKeys: readonly string[]): Promise<string[]> {
  const fingerprints: string[] = [];
  for (const key of pgpKeys) {
    try {
      fingerprints.push((await pgpEncryptHex(key, Buffer.from('probe'))).fingerprint);
    } catch (err) {
      // Whatever fails here is the client's key: unparsable, or with no key that can encrypt.
      const reason = err instanceof BarrierError ? err.message : 'the key cannot encrypt';
      throw new InvalidRequestError(`failed to get PGP key fingerprints: ${reason}`);
    }
  }
  return fingerprints;
}
