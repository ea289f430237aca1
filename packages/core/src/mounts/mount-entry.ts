export type MountTableName = 'mounts' | 'auth';

export interface MountConfig {
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  token_type?: string;
}

/** One row of a mount table, stored inside the barrier at `core/mounts` or `core/auth`. */
export interface MountEntry {
  table: MountTableName;
  /** Relative to `/v1/` (`secret/`) or to `/v1/auth/` (`userpass/`); always ends in `/`. */
  path: string;
  type: string;
  description: string;
  uuid: string;
  accessor: string;
  config: MountConfig;
  options: Record<string, string> | null;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
}

/** The full request-path prefix a mount answers: `secret/` or `auth/userpass/`. */
export function routePrefix(e: MountEntry): string {
  return e.table === 'auth' ? `auth/${e.path}` : e.path;
}

/** Where the mount's own data lives in the barrier. */
export function storagePrefix(e: MountEntry): string {
  return e.table === 'auth' ? `auth/${e.uuid}/` : `logical/${e.uuid}/`;
}

/** The entry as `sys/mounts` and `sys/auth` show it. */
export function describeMount(e: MountEntry): Record<string, unknown> {
  return {
    type: e.type,
    description: e.description,
    accessor: e.accessor,
    uuid: e.uuid,
    config: { ...e.config },
    options: e.options,
    local: e.local,
    seal_wrap: e.seal_wrap,
    external_entropy_access: e.external_entropy_access,
    plugin_version: '',
    running_plugin_version: `v0.1.0+builtin.strongroom`,
    running_sha256: '',
    deprecation_status: e.type === 'system' || e.type === 'token' || e.type === 'cubbyhole' ? undefined : 'supported',
  };
}
