import { Mutex, type Backend, type TxnOp } from '@strongroom/storage';
import { decryptValue, encryptValue, frameTerm } from './encrypt-value.js';
import {
  AlreadyInitializedError,
  DecryptFailedError,
  BarrierInvalidInputError,
  BarrierInvalidKeyError,
  NotInitializedError,
  BarrierSealedError,
} from './errors.js';
import { KEY_BYTES, generateKey, keysEqual, zero } from './key.js';
import { Keyring, MIN_MAX_OPERATIONS, MIN_ROTATION_INTERVAL_MS, type RotationConfig } from './keyring.js';
import { shouldRotate } from './rotation.js';

export const KEYRING_PATH = 'core/keyring';
/** The root key encrypted under the oldest term, so an unsealed standby can follow a rekey made by the active. */
export const ROOT_KEY_PATH = 'core/root-key';
/** Frames under the root key carry term 0: no keyring term can open them. */
const ROOT_TERM = 0;
/** Encryption counts are persisted this often, so a restart loses at most this many from the estimate. */
const PERSIST_COUNT_EVERY = 100_000;

export interface KeyStatus {
  term: number;
  installTime: Date;
  encryptions: number;
}

/** The barrier as the core uses it: a `Backend` that encrypts, plus the key lifecycle. */
export interface SecurityBarrier extends Backend {
  isSealed(): boolean;
  initialized(): Promise<boolean>;
  initialize(rootKey: Uint8Array): Promise<void>;
  unseal(rootKey: Uint8Array): Promise<void>;
  seal(): void;
  verifyRootKey(key: Uint8Array): Promise<boolean>;
  rotate(): Promise<number>;
  rekey(newRootKey: Uint8Array): Promise<void>;
  keyStatus(): KeyStatus;
  rotationConfig(): RotationConfig;
  setRotationConfig(config: RotationConfig): Promise<void>;
}

export interface BarrierOptions {
  now?: () => Date;
}

/**
 * AES-256-GCM over untrusted storage. Every value is framed with its keyring term and bound to its storage path;
 * the keyring itself is stored under the root key, which only the seal can supply.
 */
export class AESGCMBarrier implements SecurityBarrier {
  readonly type: string;
  private keyring: Keyring | null = null;
  private readonly keyringLock = new Mutex();
  private readonly now: () => Date;
  private rotating: Promise<unknown> | null = null;
  private sinceCountPersist = 0;

  constructor(
    private readonly physical: Backend,
    o: BarrierOptions = {},
  ) {
    this.type = physical.type;
    this.now = o.now ?? (() => new Date());
  }

  isSealed(): boolean {
    return this.keyring === null;
  }

  async initialized(): Promise<boolean> {
    return (await this.physical.get(KEYRING_PATH)) !== null;
  }

  /** Creates the keyring (term 1) under `rootKey`. The barrier stays sealed. */
  async initialize(rootKey: Uint8Array): Promise<void> {
    checkKey(rootKey);
    if (await this.initialized()) throw new AlreadyInitializedError();
    const first = generateKey();
    const keyring = Keyring.create(rootKey, first, this.now());
    zero(first);
    await this.physical.put(KEYRING_PATH, this.encryptKeyring(keyring));
  }

  /** Opens the keyring with `rootKey`; a wrong key is `BarrierInvalidKeyError`, never a crash. */
  async unseal(rootKey: Uint8Array): Promise<void> {
    checkKey(rootKey);
    if (this.keyring) return;
    const frame = await this.physical.get(KEYRING_PATH);
    if (!frame) throw new NotInitializedError();
    this.keyring = openKeyring(rootKey, frame);
    this.sinceCountPersist = 0;
  }

  /** Forgets and zeroes every key. */
  seal(): void {
    this.keyring?.zero();
    this.keyring = null;
  }

  async verifyRootKey(key: Uint8Array): Promise<boolean> {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) return false;
    if (this.keyring) return keysEqual(key, this.keyring.rootKey);
    const frame = await this.physical.get(KEYRING_PATH);
    if (!frame) return false;
    try {
      openKeyring(key, frame).zero();
      return true;
    } catch {
      return false;
    }
  }

  /** Adds a term that encrypts from now on; older terms still decrypt. */
  async rotate(): Promise<number> {
    return this.keyringLock.run(async () => {
      const current = this.unsealedKeyring();
      const value = generateKey();
      const next = current.withNewTerm(value, this.now());
      zero(value);
      await this.persistKeyring(next);
      this.keyring = next;
      return next.activeTerm;
    });
  }

  /** Replaces the root key; the terms (and so every stored value) are untouched. */
  async rekey(newRootKey: Uint8Array): Promise<void> {
    checkKey(newRootKey);
    await this.keyringLock.run(async () => {
      const current = this.unsealedKeyring();
      const next = current.withRootKey(newRootKey);
      await this.persistKeyring(next);
      zero(current.rootKey);
      this.keyring = next;
    });
  }

  keyStatus(): KeyStatus {
    const active = this.unsealedKeyring().active;
    return { term: active.term, installTime: active.installTime, encryptions: active.encryptions };
  }

  rotationConfig(): RotationConfig {
    return { ...this.unsealedKeyring().rotation };
  }

  async setRotationConfig(config: RotationConfig): Promise<void> {
    if (!Number.isSafeInteger(config.maxOperations) || config.maxOperations < MIN_MAX_OPERATIONS) {
      throw new BarrierInvalidInputError(`max_operations must be at least ${MIN_MAX_OPERATIONS}`);
    }
    if (!Number.isFinite(config.interval) || (config.interval !== 0 && config.interval < MIN_ROTATION_INTERVAL_MS)) {
      throw new BarrierInvalidInputError('interval must be at least 24h, or 0 to disable');
    }
    await this.keyringLock.run(async () => {
      const next = this.unsealedKeyring().withRotation(config);
      await this.persistKeyring(next);
      this.keyring = next;
    });
  }

  // --- Backend

  async get(key: string): Promise<Uint8Array | null> {
    this.unsealedKeyring();
    const frame = await this.physical.get(key);
    if (!frame) return null;
    return this.decrypt(key, frame);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    const frame = this.encrypt(key, value);
    await this.physical.put(key, frame);
  }

  async delete(key: string): Promise<void> {
    this.unsealedKeyring();
    await this.physical.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    this.unsealedKeyring();
    return this.physical.list(prefix);
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    const sealedOps = ops.map((op) => (op.op === 'put' ? { ...op, value: this.encrypt(op.key, op.value) } : op));
    await this.physical.transaction(sealedOps);
  }

  async close(): Promise<void> {
    this.seal();
    await this.physical.close?.();
  }

  // --- internals

  private unsealedKeyring(): Keyring {
    if (!this.keyring) throw new BarrierSealedError();
    return this.keyring;
  }

  private encrypt(key: string, value: Uint8Array): Uint8Array {
    const keyring = this.unsealedKeyring();
    const active = keyring.active;
    const frame = encryptValue(active.value, active.term, key, value);
    active.encryptions++;
    this.afterEncrypt(keyring);
    return frame;
  }

  private async decrypt(key: string, frame: Uint8Array): Promise<Uint8Array> {
    const term = frameTerm(key, frame);
    let termKey = this.unsealedKeyring().key(term);
    // A term we do not know was added by the active node after we unsealed: reload the keyring once.
    if (!termKey) {
      await this.reloadKeyring();
      termKey = this.unsealedKeyring().key(term);
      if (!termKey) throw new DecryptFailedError(`no key for term ${term} of the value at ${JSON.stringify(key)}`);
    }
    return decryptValue(termKey.value, key, frame);
  }

  /** Re-reads the keyring written by another node (rotate); follows a rekey through `core/root-key`. */
  async reloadKeyring(): Promise<void> {
    await this.keyringLock.run(async () => {
      const current = this.unsealedKeyring();
      const frame = await this.physical.get(KEYRING_PATH);
      if (!frame) throw new NotInitializedError();
      let next: Keyring;
      try {
        next = openKeyring(current.rootKey, frame);
      } catch {
        const rootFrame = await this.physical.get(ROOT_KEY_PATH);
        if (!rootFrame) throw new BarrierInvalidKeyError('the keyring no longer opens with this node\'s root key');
        const term = current.key(frameTerm(ROOT_KEY_PATH, rootFrame));
        if (!term) throw new BarrierInvalidKeyError('the root key was re-encrypted under an unknown term');
        const rootKey = decryptValue(term.value, ROOT_KEY_PATH, rootFrame);
        next = openKeyring(rootKey, frame);
        zero(rootKey);
      }
      // Keep our own counts where they are ahead of what was stored.
      for (const t of next.terms()) {
        const mine = current.key(t.term);
        if (mine && mine.encryptions > t.encryptions) t.encryptions = mine.encryptions;
      }
      current.zero();
      this.keyring = next;
    });
  }

  private afterEncrypt(keyring: Keyring): void {
    this.sinceCountPersist++;
    if (this.rotating) return;
    if (shouldRotate(keyring.active, keyring.rotation, this.now())) {
      this.rotating = this.rotate()
        .catch(() => undefined)
        .finally(() => (this.rotating = null));
    } else if (this.sinceCountPersist >= PERSIST_COUNT_EVERY) {
      this.sinceCountPersist = 0;
      this.rotating = this.keyringLock
        .run(async () => {
          if (this.keyring) await this.persistKeyring(this.keyring);
        })
        .catch(() => undefined)
        .finally(() => (this.rotating = null));
    }
  }

  /** Waits for a rotation or count write started in the background by an encryption. */
  async settled(): Promise<void> {
    while (this.rotating) await this.rotating;
  }

  private encryptKeyring(keyring: Keyring): Uint8Array {
    const plain = keyring.serialize();
    const frame = encryptValue(keyring.rootKey, ROOT_TERM, KEYRING_PATH, plain);
    zero(plain);
    return frame;
  }

  private async persistKeyring(keyring: Keyring): Promise<void> {
    const ops: TxnOp[] = [{ op: 'put', key: KEYRING_PATH, value: this.encryptKeyring(keyring) }];
    // Under the oldest term, which every node that ever unsealed holds, so a standby can always follow a rekey.
    const oldest = keyring.terms()[0]!;
    ops.push({ op: 'put', key: ROOT_KEY_PATH, value: encryptValue(oldest.value, oldest.term, ROOT_KEY_PATH, keyring.rootKey) });
    await this.physical.transaction(ops);
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new BarrierInvalidKeyError(`key must be ${KEY_BYTES} bytes`);
  }
}

function openKeyring(rootKey: Uint8Array, frame: Uint8Array): Keyring {
  let plain: Uint8Array;
  try {
    plain = decryptValue(rootKey, KEYRING_PATH, frame);
  } catch (err) {
    throw new BarrierInvalidKeyError('invalid key', { cause: err });
  }
  try {
    return Keyring.parse(plain);
  } finally {
    zero(plain);
  }
}
