// The response envelope every logical call returns, and its JSON form as the Go client's api.Secret marshals it.

export interface SecretAuth {
  client_token?: string;
  accessor?: string;
  policies?: string[] | null;
  token_policies?: string[] | null;
  identity_policies?: string[] | null;
  metadata?: Record<string, unknown> | null;
  orphan?: boolean;
  entity_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  mfa_requirement?: unknown;
  token_type?: string;
  num_uses?: number;
}

export interface WrapInfo {
  token?: string;
  accessor?: string;
  ttl?: number;
  creation_time?: string;
  creation_path?: string;
  wrapped_accessor?: string;
}

export interface Secret {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: SecretAuth | null;
  wrap_info?: WrapInfo | null;
  mount_type?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A response body as a Secret, or null when it is not a JSON object. */
export function parseSecret(body: unknown): Secret | null {
  return isRecord(body) ? (body as Secret) : null;
}

/** `secret.data` as a record (empty when absent or not an object). */
export function dataOf(secret: Secret | null | undefined): Record<string, unknown> {
  return isRecord(secret?.data) ? secret.data : {};
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return isRecord(v) ? v : null;
}

function authJson(auth: SecretAuth): Map<string, unknown> {
  return new Map<string, unknown>([
    ['client_token', auth.client_token ?? ''],
    ['accessor', auth.accessor ?? ''],
    ['policies', auth.policies ?? null],
    ['token_policies', auth.token_policies ?? null],
    ['identity_policies', auth.identity_policies ?? null],
    ['metadata', auth.metadata ?? null],
    ['orphan', auth.orphan ?? false],
    ['entity_id', auth.entity_id ?? ''],
    ['lease_duration', auth.lease_duration ?? 0],
    ['renewable', auth.renewable ?? false],
    ['mfa_requirement', auth.mfa_requirement ?? null],
  ]);
}

function wrapInfoJson(w: WrapInfo): Map<string, unknown> {
  return new Map<string, unknown>([
    ['token', w.token ?? ''],
    ['accessor', w.accessor ?? ''],
    ['ttl', w.ttl ?? 0],
    ['creation_time', w.creation_time ?? '0001-01-01T00:00:00Z'],
    ['creation_path', w.creation_path ?? ''],
    ['wrapped_accessor', w.wrapped_accessor ?? ''],
  ]);
}

/** The envelope in the Go client's field order, zero values filled in and empty optional parts left out. */
export function secretJson(s: Secret): Map<string, unknown> {
  return new Map<string, unknown>([
    ['request_id', s.request_id ?? ''],
    ['lease_id', s.lease_id ?? ''],
    ['lease_duration', s.lease_duration ?? 0],
    ['renewable', s.renewable ?? false],
    ['data', s.data ?? null],
    ['warnings', s.warnings ?? null],
    ['auth', s.auth ? authJson(s.auth) : undefined],
    ['wrap_info', s.wrap_info ? wrapInfoJson(s.wrap_info) : undefined],
    ['mount_type', s.mount_type ? s.mount_type : undefined],
  ]);
}
