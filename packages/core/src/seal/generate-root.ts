import { randomInt, randomUUID } from 'node:crypto';
import { BarrierError, combine, pgpEncryptHex, type SecurityBarrier } from '@strongroom/barrier';
import { InvalidRequestError } from '../errors.js';
import { decodeShare, ShareCollector } from './share-collector.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Length of a root token (`hvs.` + 24 base62), and so of the OTP it is XORed with. */
export const ROOT_TOKEN_LENGTH = 28;

export function generateOTP(length = ROOT_TOKEN_LENGTH): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BASE62[randomInt(BASE62.length)];
  return s;
}

/** Vault's decode: raw-base64 decode, then XOR with the OTP's bytes. */
export function decodeRootToken(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const o = Buffer.from(otp);
  if (bytes.length !== o.length) throw new InvalidRequestError('encoded token and OTP lengths differ');
  return Buffer.from(bytes.map((b, i) => b ^ o[i]!)).toString('utf8');
}

interface Attempt {
  nonce: string;
  otp?: string;
  pgpKey?: string;
  pgpFingerprint: string;
  encoded?: string;
}

/** The shares generate-root takes: unseal shares checked against the root key, or recovery shares against the recovery key. */
export interface ShareCheck {
  config(): Promise<{ secret_shares: number; secret_threshold: number } | null>;
  verify(key: Uint8Array): Promise<boolean>;
}

/** `sys/generate-root/*`: a new root token from a quorum of unseal (or recovery) shares, handed out XORed with an OTP or PGP-encrypted. */
export class GenerateRoot {
  private attempt: Attempt | null = null;
  private readonly shares = new ShareCollector();

  constructor(
    private readonly barrier: SecurityBarrier,
    private readonly shareCheck: ShareCheck,
    private readonly createRootToken: () => Promise<string>,
  ) {}

  async status(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const cfg = await this.shareCheck.config();
    const a = this.attempt;
    return {
      started: a !== null,
      nonce: a?.nonce ?? '',
      progress: this.shares.progress,
      required: cfg?.secret_threshold ?? 0,
      complete: a?.encoded !== undefined,
      encoded_token: a?.encoded ?? '',
      encoded_root_token: '',
      pgp_fingerprint: a?.pgpFingerprint ?? '',
      otp: '',
      otp_length: ROOT_TOKEN_LENGTH,
      ...extra,
    };
  }

  async start(p: { otp?: string; pgp_key?: string }): Promise<Record<string, unknown>> {
    if (this.barrier.isSealed()) throw new InvalidRequestError('Vault is sealed');
    if (this.attempt && this.attempt.encoded === undefined) throw new InvalidRequestError('root generation already in progress');
    if (p.otp && p.pgp_key) throw new InvalidRequestError('only one of "otp" and "pgp_key" may be given');
    let otp = p.otp;
    let generated = '';
    let fingerprint = '';
    if (p.pgp_key) {
      fingerprint = (await pgpEncryptHex(p.pgp_key, Buffer.from('probe'))).fingerprint;
    } else if (otp) {
      if (otp.length !== ROOT_TOKEN_LENGTH) throw new InvalidRequestError(`OTP string is wrong length (should be ${ROOT_TOKEN_LENGTH})`);
    } else {
      otp = generateOTP();
      generated = otp;
    }
    this.shares.reset();
    this.attempt = { nonce: randomUUID(), otp, pgpKey: p.pgp_key, pgpFingerprint: fingerprint };
    return this.status({ otp: generated });
  }

  cancel(): void {
    this.attempt = null;
    this.shares.reset();
  }

  async update(key: unknown, nonce: unknown): Promise<Record<string, unknown>> {
    const a = this.attempt;
    if (!a) throw new InvalidRequestError('no root generation in progress');
    if (nonce !== a.nonce) throw new InvalidRequestError(`incorrect nonce supplied; nonce for this root generation operation is ${a.nonce}`);
    const cfg = await this.shareCheck.config();
    if (!cfg) throw new InvalidRequestError('Vault is not initialized');
    this.shares.add(decodeShare(key, cfg.secret_shares), { rejectDuplicate: 'given key has already been provided during this generation operation' });
    if (this.shares.progress < cfg.secret_threshold) return this.status();
    const shares = this.shares.take();
    let rootKey: Uint8Array;
    try {
      rootKey = cfg.secret_shares === 1 ? shares[0]! : combine(shares);
    } catch (err) {
      if (err instanceof BarrierError) throw new InvalidRequestError('unable to authenticate: invalid key');
      throw err;
    }
    if (!(await this.shareCheck.verify(rootKey))) throw new InvalidRequestError('unable to authenticate: invalid key');
    const token = await this.createRootToken();
    if (a.pgpKey) {
      const { hex } = await pgpEncryptHex(a.pgpKey, Buffer.from(token));
      a.encoded = Buffer.from(hex, 'hex').toString('base64');
    } else {
      const o = Buffer.from(a.otp!);
      a.encoded = Buffer.from(Buffer.from(token).map((b, i) => b ^ o[i]!)).toString('base64').replace(/=+$/, '');
    }
    const out = await this.status({ complete: true, encoded_token: a.encoded, encoded_root_token: a.encoded });
    this.attempt = null;
    return out;
  }
}
