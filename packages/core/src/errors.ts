import { CodedError } from '@strongroom/storage';

/** Stable codes of the errors the core throws; the server's one table maps each to an HTTP status. */
export type CoreErrorCode =
  | 'invalid_request'
  | 'permission_denied'
  | 'unsupported_path'
  | 'unsupported_operation'
  | 'not_found'
  | 'sealed'
  | 'not_initialized'
  | 'standby'
  | 'no_active_node'
  | 'audit_failed'
  | 'rate_limited'
  | 'internal';

export class CoreError extends CodedError<CoreErrorCode> {
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CoreError';
  }
}

/** Bad input: 400 with the message shown to the client. */
export class InvalidRequestError extends CoreError {
  constructor(message: string) {
    super('invalid_request', message);
    this.name = 'InvalidRequestError';
  }
}

/** Too much costly work queued (e.g. logins); the client retries later (Vault's 429). */
export class RateLimitedError extends CoreError {
  constructor(message: string) {
    super('rate_limited', message);
    this.name = 'RateLimitedError';
  }
}

export class PermissionDeniedError extends CoreError {
  constructor(message = 'permission denied') {
    super('permission_denied', message);
    this.name = 'PermissionDeniedError';
  }
}

export class UnsupportedPathError extends CoreError {
  constructor(path: string) {
    super('unsupported_path', `no handler for route "${path}". route entry not found.`);
    this.name = 'UnsupportedPathError';
  }
}

export class UnsupportedOperationError extends CoreError {
  constructor(message = 'unsupported operation') {
    super('unsupported_operation', message);
    this.name = 'UnsupportedOperationError';
  }
}

/** Nothing at the path. Vault answers a missing key with 404 and an empty `errors` list, hence the empty message. */
export class NotFoundError extends CoreError {
  constructor(message = '') {
    super('not_found', message);
    this.name = 'NotFoundError';
  }
}

export class SealedError extends CoreError {
  constructor() {
    super('sealed', 'Vault is sealed');
    this.name = 'SealedError';
  }
}

export class StandbyError extends CoreError {
  constructor(message = 'node is in standby mode') {
    super('standby', message);
    this.name = 'StandbyError';
  }
}

export class NoActiveNodeError extends CoreError {
  constructor() {
    super('no_active_node', 'no active node found');
    this.name = 'NoActiveNodeError';
  }
}

/** The request could not be audited, so it was not served. */
export class AuditFailedError extends CoreError {
  constructor(options?: { cause?: unknown }) {
    super('audit_failed', 'internal error', options);
    this.name = 'AuditFailedError';
  }
}
