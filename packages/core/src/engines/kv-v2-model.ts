import { formatDuration } from '../framework/duration.js';
import type { Request, Response } from '../logical/request.js';
import { rfc3339Nano } from '../util/rfc3339-nano.js';

/** Vault keeps this many versions when neither the mount nor the key says otherwise. */
export const DEFAULT_MAX_VERSIONS = 10;
/** `delete_version_after` below zero on the mount config switches the feature off for every key. */
export const DELETE_VERSION_AFTER_DISABLED = -1;

export interface KvConfig {
  /** 0 means the default of 10. */
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 unset, -1 disabled. */
  deleteVersionAfter: number;
}

export interface VersionMeta {
  /** Epoch milliseconds. */
  created: number;
  /** Epoch milliseconds; set by a soft delete or ahead of time by `delete_version_after`. */
  deletion: number | null;
  destroyed: boolean;
}

export interface KeyMetadata {
  key: string;
  versions: Record<string, VersionMeta>;
  currentVersion: number;
  /** Vault starts this at 0 and moves it only when versions are trimmed; clients see that value. */
  oldestVersion: number;
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 unset. */
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
  created: number | null;
  updated: number | null;
}

export interface StoredVersion {
  data: Record<string, unknown>;
  created: number;
}

export const EMPTY_CONFIG: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

export function newKeyMetadata(key: string): KeyMetadata {
  return {
    key,
    versions: {},
    currentVersion: 0,
    oldestVersion: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: null,
    created: null,
    updated: null,
  };
}

/** A stored time as kv v2 shows it: Go's RFC 3339 with nanoseconds, or '' for none. */
export function kvTime(ms: number | null): string {
  return ms === null ? '' : rfc3339Nano(new Date(ms));
}

/** Go's `time.Duration.String()` for whole seconds: `0s`, `1m30s`, `768h0m0s`, `-1s`. */
export function goDuration(seconds: number): string {
  return seconds < 0 ? `-${formatDuration(-seconds)}` : formatDuration(seconds);
}

/** When a version created at `created` expires: the smaller non-zero of the mount's and the key's setting. */
export function deletionTime(created: number, config: KvConfig, meta: KeyMetadata): number | null {
  if (config.deleteVersionAfter === DELETE_VERSION_AFTER_DISABLED || config.deleteVersionAfter < 0) return null;
  const mount = config.deleteVersionAfter;
  const key = meta.deleteVersionAfter;
  if (mount === 0 && key === 0) return null;
  let min = key;
  if ((mount !== 0 && mount < min) || min === 0) min = mount;
  return created + min * 1000;
}

/**
 * A version reads as deleted once its deletion time has come. Vault compares with `Before(now)` at nanosecond
 * resolution; at millisecond resolution a read in the same millisecond as the delete must already see it deleted.
 */
export function isDeleted(vm: VersionMeta, now: number): boolean {
  return vm.deletion !== null && vm.deletion <= now;
}

/**
 * Records a new version and slides the window of kept versions, as Vault's `KeyMetadata.AddVersion`.
 * Returns the new version's number and the version numbers whose stored data must go.
 */
export function addVersion(
  meta: KeyMetadata,
  created: number,
  deletion: number | null,
  configMaxVersions: number,
): { version: number; trimmed: number[] } {
  meta.currentVersion += 1;
  const version = meta.currentVersion;
  meta.versions[String(version)] = { created, deletion, destroyed: false };
  meta.updated = created;
  meta.created ??= created;

  const configured = Math.max(meta.maxVersions, configMaxVersions);
  const maxVersions = configured > 0 ? configured : DEFAULT_MAX_VERSIONS;
  const trimmed: number[] = [];
  if (meta.currentVersion - meta.oldestVersion >= maxVersions) {
    const last = meta.currentVersion - maxVersions;
    for (let i = meta.oldestVersion; i <= last; i++) {
      delete meta.versions[String(i)];
      if (i > 0) trimmed.push(i);
    }
    meta.oldestVersion = last + 1;
  }
  return { version, trimmed };
}

/** The per-version metadata block of data, patch and subkeys responses. */
export function versionView(meta: KeyMetadata, version: number, vm: VersionMeta): Record<string, unknown> {
  return {
    created_time: kvTime(vm.created),
    custom_metadata: meta.customMetadata,
    deletion_time: kvTime(vm.deletion),
    destroyed: vm.destroyed,
    version,
  };
}

/**
 * Vault's `logical.RespondWithStatusCode`: the whole response envelope as a raw body with another status,
 * which is how kv v2 reports a deleted or destroyed version (404 that still carries the metadata).
 */
export function rawEnvelope(req: Request, status: number, data: Record<string, unknown> | null, warnings?: string[]): Response {
  return {
    raw: {
      status,
      contentType: 'application/json',
      body: {
        request_id: req.id,
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data,
        wrap_info: null,
        warnings: warnings ?? null,
        auth: null,
      },
    },
  };
}
