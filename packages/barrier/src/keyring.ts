import { DecryptFailedError } from './errors.js';
import { KEY_BYTES, zero } from './key.js';

/** One term of the keyring: the AES-256 key that encrypts while it is the newest term. */
export interface TermKey {
  readonly term: number;
  /** The key's format version, always 1 (Vault's `Key.Version`); not the framing version. */
  readonly version: number;
  readonly value: Uint8Array;
  readonly installTime: Date;
  /** Values encrypted with this key; mutable so that keyrings sharing this term share the count. */
  encryptions: number;
}

export interface RotationConfig {
  /** Encryptions of the active term after which a new term is added. */
  maxOperations: number;
  /** Age of the active term (ms) after which a new term is added; 0 = never. */
  interval: number;
  enabled: boolean;
}

/** ≈ 0.9 × 2^32, NIST SP 800-38D's bound for random 96-bit GCM nonces (Vault's default). */
export const DEFAULT_MAX_OPERATIONS = 3_865_470_566;
export const MIN_MAX_OPERATIONS = 1_000_000;
export const MIN_ROTATION_INTERVAL_MS = 24 * 60 * 60 * 1000;

export function defaultRotationConfig(): RotationConfig {
  return { maxOperations: DEFAULT_MAX_OPERATIONS, interval: 0, enabled: true };
}

/** Vault's `EncodedKeyring` JSON; `Interval` is a Go duration in nanoseconds. */
interface EncodedKeyring {
  MasterKey: string;
  Keys: { Term: number; Version: number; Value: string; InstallTime: string; encryptions: number }[];
  RotationConfig?: { Disabled: boolean; MaxOperations: number; Interval: number };
}

const NS_PER_MS = 1_000_000;

/**
 * The root key and the term keys. Immutable except for the encryption counters: a change yields a new keyring that
 * shares the unchanged `TermKey` objects, so counts made against the old one while a change was persisted are kept.
 */
export class Keyring {
  private constructor(
    readonly rootKey: Uint8Array,
    private readonly keys: ReadonlyMap<number, TermKey>,
    readonly activeTerm: number,
    readonly rotation: Readonly<RotationConfig>,
  ) {}

  /** A keyring with term 1; copies the keys it is given. */
  static create(rootKey: Uint8Array, firstKey: Uint8Array, now: Date): Keyring {
    const first: TermKey = { term: 1, version: 1, value: new Uint8Array(firstKey), installTime: now, encryptions: 0 };
    return new Keyring(new Uint8Array(rootKey), new Map([[1, first]]), 1, defaultRotationConfig());
  }

  get active(): TermKey {
    return this.keys.get(this.activeTerm)!;
  }

  key(term: number): TermKey | undefined {
    return this.keys.get(term);
  }

  terms(): TermKey[] {
    return [...this.keys.values()].sort((a, b) => a.term - b.term);
  }

  /** Adds the next term, which becomes the active one. */
  withNewTerm(value: Uint8Array, now: Date): Keyring {
    const term = this.activeTerm + 1;
    const keys = new Map(this.keys);
    keys.set(term, { term, version: 1, value: new Uint8Array(value), installTime: now, encryptions: 0 });
    return new Keyring(this.rootKey, keys, term, this.rotation);
  }

  /** Same terms under another root key (rekey). The caller zeroes the old root key once the new one is in use. */
  withRootKey(rootKey: Uint8Array): Keyring {
    return new Keyring(new Uint8Array(rootKey), this.keys, this.activeTerm, this.rotation);
  }

  withRotation(rotation: RotationConfig): Keyring {
    return new Keyring(this.rootKey, this.keys, this.activeTerm, { ...rotation });
  }

  /** Zeroes the root key and every term key. */
  zero(): void {
    zero(this.rootKey, ...[...this.keys.values()].map((k) => k.value));
  }

  /** The JSON bytes to persist; the caller zeroes them after encrypting. */
  serialize(): Uint8Array {
    const encoded: EncodedKeyring = {
      MasterKey: Buffer.from(this.rootKey).toString('base64'),
      Keys: this.terms().map((k) => ({
        Term: k.term,
        Version: k.version,
        Value: Buffer.from(k.value).toString('base64'),
        InstallTime: k.installTime.toISOString(),
        encryptions: k.encryptions,
      })),
      RotationConfig: {
        Disabled: !this.rotation.enabled,
        MaxOperations: this.rotation.maxOperations,
        Interval: this.rotation.interval * NS_PER_MS,
      },
    };
    return new Uint8Array(Buffer.from(JSON.stringify(encoded), 'utf8'));
  }

  /** Parses decrypted keyring JSON; anything malformed means the stored keyring is corrupt. */
  static parse(bytes: Uint8Array): Keyring {
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (err) {
      throw corrupt('not JSON', err);
    }
    if (!isObject(raw) || !Array.isArray(raw.Keys) || raw.Keys.length === 0) throw corrupt('no keys');
    const rootKey = decodeKey(raw.MasterKey, 'MasterKey');
    const keys = new Map<number, TermKey>();
    for (const k of raw.Keys as unknown[]) {
      if (!isObject(k)) throw corrupt('a key is not an object');
      const term = k.Term;
      if (typeof term !== 'number' || !Number.isInteger(term) || term < 1 || term > 0xffff_ffff) throw corrupt('bad term');
      if (keys.has(term)) throw corrupt(`duplicate term ${term}`);
      const installTime = new Date(typeof k.InstallTime === 'string' ? k.InstallTime : NaN);
      if (Number.isNaN(installTime.getTime())) throw corrupt(`bad install time of term ${term}`);
      const encryptions = k.encryptions ?? 0;
      if (typeof encryptions !== 'number' || !Number.isSafeInteger(encryptions) || encryptions < 0) {
        throw corrupt(`bad encryption count of term ${term}`);
      }
      const version = typeof k.Version === 'number' ? k.Version : 1;
      keys.set(term, { term, version, value: decodeKey(k.Value, `term ${term}`), installTime, encryptions });
    }
    const rotation = parseRotation(raw.RotationConfig);
    return new Keyring(rootKey, keys, Math.max(...keys.keys()), rotation);
  }
}

function parseRotation(raw: unknown): RotationConfig {
  const out = defaultRotationConfig();
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) throw corrupt('bad rotation config');
  if (typeof raw.Disabled === 'boolean') out.enabled = !raw.Disabled;
  // Vault treats a zero MaxOperations as "the default".
  if (typeof raw.MaxOperations === 'number' && raw.MaxOperations > 0) out.maxOperations = raw.MaxOperations;
  if (typeof raw.Interval === 'number' && raw.Interval > 0) out.interval = Math.round(raw.Interval / NS_PER_MS);
  return out;
}

function decodeKey(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string') throw corrupt(`${what} missing`);
  const b = new Uint8Array(Buffer.from(v, 'base64'));
  if (b.length !== KEY_BYTES) throw corrupt(`${what} has ${b.length} bytes`);
  return b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function corrupt(why: string, cause?: unknown): DecryptFailedError {
  return new DecryptFailedError(`the stored keyring is corrupt: ${why}`, { cause });
}
