export type { Backend, HABackend, Lock, LockHolder, TxnOp } from './backend.js';
export { isHABackend } from './backend.js';
export { CodedError } from './coded-error.js';
export {
  StorageError,
  StorageInvalidKeyError,
  ValueTooLargeError,
  TooManyOperationsError,
  TransactionFailedError,
  FencedError,
  StorageUnavailableError,
  InvalidDurationError,
  type StorageErrorCode,
  type DurationErrorCode,
} from './errors.js';
export { parseDurationMs, parseDurationSeconds, MAX_DURATION_SECONDS } from './duration.js';
export { validateKey, validatePrefix } from './keys.js';
export { InmemBackend, InmemStore } from './inmem.js';
export { FileBackend } from './file.js';
export { ConsulClient, type ConsulClientOptions } from './consul-api.js';
export {
  ConsulBackend,
  type ConsulBackendOptions,
  CONSUL_MAX_VALUE_BYTES,
  CONSUL_MAX_TXN_OPS,
  DEFAULT_LOCK_TIMING,
} from './consul.js';
export type { ConsulLockTiming } from './consul-lock.js';
export { CachedBackend } from './cache.js';
export { migrate } from './migrate.js';
export { Mutex } from './mutex.js';
