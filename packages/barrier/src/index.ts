export {
  BarrierError,
  BarrierSealedError,
  BarrierInvalidKeyError,
  NotInitializedError,
  AlreadyInitializedError,
  DecryptFailedError,
  InvalidPathError,
  BarrierInvalidInputError,
  type BarrierErrorCode,
} from './errors.js';
export { AESGCMBarrier, KEYRING_PATH, ROOT_KEY_PATH, type SecurityBarrier, type KeyStatus, type BarrierOptions } from './barrier.js';
export { BarrierView } from './view.js';
export {
  Keyring,
  DEFAULT_MAX_OPERATIONS,
  MIN_MAX_OPERATIONS,
  MIN_ROTATION_INTERVAL_MS,
  defaultRotationConfig,
  type RotationConfig,
  type TermKey,
} from './keyring.js';
export { shouldRotate } from './rotation.js';
export { encryptValue, decryptValue, frameTerm, FRAME_OVERHEAD, FRAME_VERSION } from './encrypt-value.js';
export { KEY_BYTES, generateKey, keysEqual, zero } from './key.js';
export { split, combine, validateShamirParams, validateShare } from './shamir.js';
export { readSealConfig, writeSealConfig, SEAL_CONFIG_KEY, type SealConfig } from './seal-config.js';
export { pgpEncryptHex, readPublicKey } from './pgp.js';
export { SealUnavailableError } from './errors.js';
export type { SealType, AutoSealType, AutoSeal, WrappedKey, SealLogger } from './seal.js';
export { StaticSeal, type StaticSealKeys } from './static-seal.js';
export { TransitSeal, type TransitSealOptions } from './transit-seal.js';
export {
  WRAPPED_ROOT_KEY_PATH,
  WRAPPED_RECOVERY_KEY_PATH,
  RECOVERY_CONFIG_PATH,
  readWrappedKey,
  writeWrappedKey,
  readRecoveryConfig,
  writeRecoveryConfig,
  type RecoveryConfig,
} from './auto-seal-store.js';
