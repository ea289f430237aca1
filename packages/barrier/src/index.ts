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
