import { CodedError } from '@strongroom/storage';

/** Stable codes of every error the barrier throws; the server maps each to an HTTP status. */
export type BarrierErrorCode =
  | 'barrier_sealed'
  | 'barrier_invalid_key'
  | 'barrier_not_initialized'
  | 'barrier_already_initialized'
  | 'barrier_decrypt_failed'
  | 'barrier_invalid_path'
  | 'barrier_invalid_input'
  | 'barrier_seal_unavailable';

export class BarrierError extends CodedError<BarrierErrorCode> {
  constructor(code: BarrierErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'BarrierError';
  }
}

/** Any data operation while the barrier holds no keys. The message is Vault's. */
export class BarrierSealedError extends BarrierError {
  constructor() {
    super('barrier_sealed', 'Vault is sealed');
    this.name = 'BarrierSealedError';
  }
}

/** A root key that does not open the keyring (or has the wrong size). */
export class BarrierInvalidKeyError extends BarrierError {
  constructor(message = 'invalid key', options?: { cause?: unknown }) {
    super('barrier_invalid_key', message, options);
    this.name = 'BarrierInvalidKeyError';
  }
}

export class NotInitializedError extends BarrierError {
  constructor() {
    super('barrier_not_initialized', 'Vault is not initialized');
    this.name = 'NotInitializedError';
  }
}

export class AlreadyInitializedError extends BarrierError {
  constructor() {
    super('barrier_already_initialized', 'Vault is already initialized');
    this.name = 'AlreadyInitializedError';
  }
}

/** A stored value that fails authentication: tampered, moved to another path, or of an unknown term. */
export class DecryptFailedError extends BarrierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('barrier_decrypt_failed', message, options);
    this.name = 'DecryptFailedError';
  }
}

export class InvalidPathError extends BarrierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('barrier_invalid_path', message, options);
    this.name = 'InvalidPathError';
  }
}

export class BarrierInvalidInputError extends BarrierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('barrier_invalid_input', message, options);
    this.name = 'BarrierInvalidInputError';
  }
}

/** An auto-unseal seal that cannot be reached or refused to wrap or unwrap (the node stays sealed and retries). */
export class SealUnavailableError extends BarrierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('barrier_seal_unavailable', message, options);
    this.name = 'SealUnavailableError';
  }
}
