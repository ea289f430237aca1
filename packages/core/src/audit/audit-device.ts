import type { Backend } from '@strongroom/storage';

/** Vault's audit entry, field for field; optional fields are left out when empty, as Go's `omitempty` does. */
export interface AuditPolicyInfo {
  name: string;
  namespace_id?: string;
  type: string;
}

export interface AuditAuth {
  client_token?: string;
  accessor?: string;
  display_name?: string;
  policies?: string[];
  token_policies?: string[];
  no_default_policy?: boolean;
  policy_results?: { allowed: boolean; granting_policies?: AuditPolicyInfo[] };
  metadata?: Record<string, string>;
  num_uses?: number;
  remaining_uses?: number;
  entity_id?: string;
  token_type?: string;
  token_ttl?: number;
  token_issue_time?: string;
}

export interface AuditRequest {
  id?: string;
  operation?: string;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  client_token?: string;
  client_token_accessor?: string;
  namespace?: { id?: string; path?: string };
  path?: string;
  data?: Record<string, unknown>;
  remote_address?: string;
  remote_port?: number;
  wrap_ttl?: number;
  headers?: Record<string, string[]>;
}

export interface AuditWrapInfo {
  ttl?: number;
  token?: string;
  accessor?: string;
  creation_time?: string;
  creation_path?: string;
  wrapped_accessor?: string;
}

export interface AuditResponse {
  auth?: AuditAuth;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  secret?: { lease_id?: string };
  data?: Record<string, unknown>;
  warnings?: string[];
  wrap_info?: AuditWrapInfo;
}

export interface AuditEntry {
  time?: string;
  type: 'request' | 'response';
  auth?: AuditAuth;
  request?: AuditRequest;
  response?: AuditResponse;
  error?: string;
  /** Request entries of a request a standby forwarded. */
  forwarded_from?: string;
  /** Response entries of a request a standby forwarded. */
  forwarded?: boolean;
}

/** A sink for audit entries. Every method throws when the entry did not land, so the broker can fail closed. */
export interface AuditDevice {
  readonly type: string;
  logRequest(entry: AuditEntry): Promise<void>;
  logResponse(entry: AuditEntry): Promise<void>;
  /** SIGHUP: reopen the file (log rotation). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Builds a device from its mount entry; throws `InvalidRequestError` on bad options. */
export type AuditDeviceFactory = (opts: {
  path: string;
  options: Record<string, string>;
  salt: string;
  /** The device's own storage view (`audit/<uuid>/`). */
  storage: Backend;
}) => Promise<AuditDevice>;
