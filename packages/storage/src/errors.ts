import { CodedError } from './coded-error.js';

/** Stable codes of every error the storage layer throws; the server maps each to an HTTP status. */
export type StorageErrorCode =
  | 'storage_invalid_key'
  | 'storage_value_too_large'
  | 'storage_too_many_operations'
  | 'storage_transaction_failed'
  | 'storage_fenced'
  | 'storage_unavailable'
  | 'storage_lock_lost';

export class StorageError extends CodedError<StorageErrorCode> {
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

export class StorageInvalidKeyError extends StorageError {
  constructor(key: string, reason: string) {
    super('storage_invalid_key', `invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'StorageInvalidKeyError';
  }
}

export class ValueTooLargeError extends StorageError {
  constructor(key: string, size: number, limit: number) {
    super('storage_value_too_large', `value for ${JSON.stringify(key)} is ${size} bytes; the limit is ${limit}`);
    this.name = 'ValueTooLargeError';
  }
}

export class TooManyOperationsError extends StorageError {
  constructor(count: number, limit: number) {
    super('storage_too_many_operations', `transaction has ${count} operations; the limit is ${limit}`);
    this.name = 'TooManyOperationsError';
  }
}

/** A transaction that was refused as a whole; nothing of it was applied. */
export class TransactionFailedError extends StorageError {
  constructor(
    message: string,
    /** Indexes of the operations the store reported as failing. */
    readonly failedOps: number[] = [],
    options?: { cause?: unknown },
  ) {
    super('storage_transaction_failed', message, options);
    this.name = 'TransactionFailedError';
  }
}

/** A write refused because this node no longer holds the HA lock it fences its writes with. */
export class FencedError extends StorageError {
  constructor(message = 'write refused: this node no longer holds the HA lock') {
    super('storage_fenced', message);
    this.name = 'FencedError';
  }
}

export class StorageUnavailableError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_unavailable', message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Stable code of the duration parser's error; bad input from a client or a config file, not a storage failure. */
export type DurationErrorCode = 'duration_invalid';

/** Text that is not a duration (see duration.ts); callers that know the field usually say which one. */
export class InvalidDurationError extends CodedError<DurationErrorCode> {
  constructor(readonly text: string) {
    super('duration_invalid', `invalid duration ${JSON.stringify(text)}`);
    this.name = 'InvalidDurationError';
  }
}
