import type { BarrierErrorCode } from '@strongroom/barrier';
import type { CoreErrorCode } from '@strongroom/core';
import { CodedError, type DurationErrorCode, type StorageErrorCode } from '@strongroom/storage';
import type { ClusterErrorCode } from '../cluster/errors.js';
import type { ConfigErrorCode } from '../config/errors.js';
import type { HttpErrorCode } from './http-error.js';

export type ErrorCode =
  | CoreErrorCode
  | BarrierErrorCode
  | StorageErrorCode
  | DurationErrorCode
  | ConfigErrorCode
  | ClusterErrorCode
  | HttpErrorCode;

/**
 * The one table from error code to HTTP status. Typed as a Record over the union of every package's codes, so a
 * code added anywhere fails to compile here until it is given a status.
 */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  // core
  invalid_request: 400,
  permission_denied: 403,
  unsupported_path: 404,
  unsupported_operation: 405,
  not_found: 404,
  sealed: 503,
  // Vault treats an uninitialized node like a sealed one.
  not_initialized: 503,
  standby: 503,
  no_active_node: 503,
  audit_failed: 500,
  rate_limited: 429,
  internal: 500,
  // barrier
  barrier_sealed: 503,
  barrier_invalid_key: 400,
  barrier_not_initialized: 400,
  barrier_already_initialized: 400,
  barrier_decrypt_failed: 500,
  barrier_invalid_path: 400,
  barrier_invalid_input: 400,
  // The auto-unseal seal (another cluster's transit key) could not be reached: the node stays sealed and retries.
  barrier_seal_unavailable: 503,
  // storage
  storage_invalid_key: 400,
  storage_value_too_large: 413,
  storage_too_many_operations: 400,
  storage_transaction_failed: 500,
  // A deposed active or a lost lock: another node serves, the client retries (Go's client retries 503).
  storage_fenced: 503,
  storage_unavailable: 503,
  storage_lock_lost: 503,
  // duration parser (callers usually rethrow it as their own error naming the field)
  duration_invalid: 400,
  // config (only at start-up; never expected inside a request)
  config_invalid: 500,
  // cluster
  cluster_identity_invalid: 500,
  // The active could not be reached or answered nothing: no active node to serve this, as Vault's 503.
  cluster_forwarding_failed: 503,
  // http
  http_malformed_body: 400,
  http_invalid_path: 400,
  http_invalid_header: 400,
  http_invalid_query: 400,
  http_body_too_large: 413,
  http_unsupported_media_type: 415,
  http_method_not_allowed: 405,
  http_not_found: 404,
  http_metrics_disabled: 400,
  http_unsupported_format: 400,
};

/**
 * The stable code of a typed error of any package, or null for anything else (which becomes a 500). A CodedError
 * whose code has no row (possible only through a cast) is null too; sendError then logs it with its code.
 */
export function errorCode(err: unknown): ErrorCode | null {
  return err instanceof CodedError && isMapped(err.code) ? err.code : null;
}

function isMapped(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** The HTTP status an error maps to: its code's row in the table, 500 for an untyped throw. */
export function statusForError(err: unknown): number {
  const code = errorCode(err);
  return code === null ? 500 : ERROR_STATUS[code];
}
