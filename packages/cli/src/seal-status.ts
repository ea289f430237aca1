// The node status `status` and `operator unseal` print: sys/seal-status joined with sys/leader, as Vault shows it.
import type { Client } from './client.js';
import { toApiError } from './client.js';
import { tableOutput } from './format/columns.js';
import { asRecord } from './secret.js';
import type { Output } from './output.js';

export type SealStatus = Record<string, unknown>;

const ZERO_TIME = '0001-01-01T00:00:00Z';

export async function fetchSealStatus(client: Client): Promise<SealStatus> {
  return asRecord(await client.request('GET', 'sys/seal-status')) ?? {};
}

/** sys/leader; a sealed node answers 503, which reads as "HA enabled, leader unknown" as Vault's CLI reads it. */
export async function fetchLeader(client: Client): Promise<Record<string, unknown>> {
  const res = await client.raw('GET', 'sys/leader');
  if (res.status === 503) return { ha_enabled: true };
  if (res.status >= 400) throw toApiError(res);
  try {
    return asRecord(JSON.parse(res.body)) ?? {};
  } catch {
    return {};
  }
}

/** The JSON `status -format=json` prints: the seal status, then the leader fields Vault adds to it. */
export function statusJson(seal: SealStatus, leader: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>(Object.entries(seal));
  const optional = (key: string): void => {
    const v = leader[key];
    if (v !== undefined && v !== null && v !== '' && v !== false && v !== 0) out.set(key, v);
  };
  out.set('ha_enabled', leader.ha_enabled === true);
  optional('is_self');
  out.set('active_time', typeof leader.active_time === 'string' && leader.active_time ? leader.active_time : ZERO_TIME);
  for (const key of [
    'leader_address',
    'leader_cluster_address',
    'performance_standby',
    'performance_standby_last_remote_wal',
    'last_wal',
    'raft_committed_index',
    'raft_applied_index',
  ]) {
    optional(key);
  }
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

/** The Key/Value rows of `status`, in Vault's order and wording. */
export function statusTable(seal: SealStatus, leader: Record<string, unknown>): string {
  const prefix = seal.recovery_seal === true ? 'Recovery ' : '';
  const sealed = seal.sealed === true;
  const out = ['Key | Value'];
  out.push(`${prefix}Seal Type | ${str(seal.type)}`);
  out.push(`Initialized | ${seal.initialized === true}`);
  out.push(`Sealed | ${sealed}`);
  out.push(`Total ${prefix}Shares | ${num(seal.n)}`);
  out.push(`Threshold | ${num(seal.t)}`);
  if (sealed) {
    out.push(`Unseal Progress | ${num(seal.progress)}/${num(seal.t)}`);
    out.push(`Unseal Nonce | ${str(seal.nonce)}`);
  }
  if (seal.migration === true) out.push('Seal Migration in Progress | true');
  out.push(`Version | ${str(seal.version)}`);
  out.push(`Build Date | ${str(seal.build_date)}`);
  out.push(`Storage Type | ${str(seal.storage_type)}`);
  if (str(seal.cluster_name) && str(seal.cluster_id)) {
    out.push(`Cluster Name | ${str(seal.cluster_name)}`);
    out.push(`Cluster ID | ${str(seal.cluster_id)}`);
  }
  const haEnabled = leader.ha_enabled === true;
  out.push(`HA Enabled | ${haEnabled}`);
  if (haEnabled && !sealed) {
    out.push(`HA Cluster | ${str(leader.leader_cluster_address)}`);
    const isSelf = leader.is_self === true;
    out.push(`HA Mode | ${isSelf ? 'active' : 'standby'}`);
    const activeTime = str(leader.active_time);
    if (isSelf && activeTime && activeTime !== ZERO_TIME) out.push(`Active Since | ${activeTime}`);
    if (!isSelf) out.push(`Active Node Address | ${str(leader.leader_address) || '<none>'}`);
  }
  if (num(leader.raft_committed_index) > 0) out.push(`Raft Committed Index | ${num(leader.raft_committed_index)}`);
  if (num(leader.raft_applied_index) > 0) out.push(`Raft Applied Index | ${num(leader.raft_applied_index)}`);
  if (num(leader.last_wal) > 0) out.push(`Last WAL | ${num(leader.last_wal)}`);
  const warnings = Array.isArray(seal.warnings) ? seal.warnings : [];
  if (warnings.length > 0) out.push(`Warnings | [${warnings.join(' ')}]`);
  return tableOutput(out);
}

/** Prints the status after fetching the leader; returns the exit code of the printing (leader errors raise). */
export async function printSealStatus(out: Output, client: Client, seal: SealStatus): Promise<number> {
  const leader = await fetchLeader(client);
  if (!out.isTable) return out.json(statusJson(seal, leader));
  out.info(statusTable(seal, leader));
  return 0;
}

