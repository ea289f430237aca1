import type { SealType } from '@strongroom/barrier';
import type { ClusterInfo } from '../cluster-info.js';
import { InvalidRequestError, SealedError } from '../errors.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { FieldData } from '../framework/field.js';
import type { Response } from '../logical/request.js';
import type { HAStatus } from '../ha/ha-manager.js';
import { VERSION, type InitParams, type InitResult, type SealStatus } from '../seal/seal-lifecycle.js';

/** The `sys/` paths every node answers for itself, sealed or standby, without a token. */
export const LOCAL_PATHS: ReadonlySet<string> = new Set(['sys/init', 'sys/seal-status', 'sys/unseal', 'sys/health', 'sys/leader']);

/** Whether a request path (below `/v1/`, trailing slashes allowed) is one of `LOCAL_PATHS`. */
export function isLocalPath(path: string): boolean {
  return path.startsWith('sys/') && LOCAL_PATHS.has(path.replace(/\/+$/, ''));
}

/** What the local paths read and drive: the node's seal state and role. */
export interface LocalPathsDeps {
  node: {
    initialized(): Promise<boolean>;
    initialize(p: InitParams): Promise<InitResult>;
    /** `shamir`, or the auto-unseal seal that holds the root key. */
    sealType(): SealType;
    unseal(key: unknown): Promise<SealStatus>;
    resetUnseal(): void;
    sealStatus(): Promise<SealStatus>;
    isSealed(): boolean;
    isActive(): boolean;
    haStatus(): HAStatus;
  };
  cluster: Pick<ClusterInfo, 'name' | 'id'>;
  /** The standby's link to the active, for `sys/health` and `sys/leader`. */
  linkHealth(): Record<string, unknown>;
  /** Whether the standby's heartbeats to the active have stopped succeeding (Vault's `haunhealthycode`). */
  linkUnhealthy(): boolean;
}

const RECOVERY_FIELDS = ['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'] as const;

/** Whether a field was sent with a value other than its Go zero value (0, empty list). */
function givenNonZero(d: FieldData, name: string): boolean {
  if (!d.has(name)) return false;
  const v = d.get(name);
  return Array.isArray(v) ? v.length > 0 : v !== 0;
}

const HEALTH_CODES = ['activecode', 'standbycode', 'sealedcode', 'uninitcode', 'drsecondarycode', 'performancestandbycode', 'haunhealthycode', 'removedcode'] as const;

/** What a node answers for itself whatever its state: init, seal status, unseal, health, leader. */
export function localSystemBackend(deps: LocalPathsDeps): FrameworkBackend {
  const node = deps.node;
  return new FrameworkBackend({
    class: 'system',
    help: 'Endpoints every node serves itself, sealed or standby.',
    paths: [
      {
        pattern: 'init',
        goStructFields: true,
        fields: {
          secret_shares: { type: 'int' },
          secret_threshold: { type: 'int' },
          pgp_keys: { type: 'comma-string-slice' },
          root_token_pgp_key: { type: 'string' },
          stored_shares: { type: 'int' },
          recovery_shares: { type: 'int' },
          recovery_threshold: { type: 'int' },
          recovery_pgp_keys: { type: 'comma-string-slice' },
        },
        operations: {
          read: async () => ({ raw: { status: 200, body: { initialized: await node.initialized() } } }),
          update: async (_req, d: FieldData) => {
            const sealType = node.sealType();
            if (sealType !== 'shamir') {
              // Vault: with an auto-unseal seal the root key is not split (secret_* are ignored); operators get
              // recovery shares, 5 of threshold 3 unless asked otherwise.
              const result = await node.initialize({
                secret_shares: 1,
                secret_threshold: 1,
                recovery_shares: d.has('recovery_shares') ? d.getInt('recovery_shares') : 0,
                recovery_threshold: d.has('recovery_threshold') ? d.getInt('recovery_threshold') : 0,
                recovery_pgp_keys: d.getStrings('recovery_pgp_keys'),
                root_token_pgp_key: d.getString('root_token_pgp_key') || undefined,
              });
              return { raw: { status: 200, body: result } };
            }
            // Vault's clients send every field of their Go struct: a zero or an empty list there means "not given".
            const recovery = RECOVERY_FIELDS.filter((f) => givenNonZero(d, f));
            if (recovery.length > 0) {
              throw new InvalidRequestError(`parameters ${recovery.join(',')} not applicable to seal type shamir`);
            }
            if (!d.has('secret_shares') || !d.has('secret_threshold')) {
              throw new InvalidRequestError('secret_shares and secret_threshold are required');
            }
            const result = await node.initialize({
              secret_shares: d.getInt('secret_shares'),
              secret_threshold: d.getInt('secret_threshold'),
              pgp_keys: d.getStrings('pgp_keys'),
              root_token_pgp_key: d.getString('root_token_pgp_key') || undefined,
            });
            return { raw: { status: 200, body: result } };
          },
        },
        helpSynopsis: 'Initialize a new node.',
      },
      {
        pattern: 'seal-status',
        operations: { read: async () => ({ raw: { status: 200, body: await node.sealStatus() } }) },
        helpSynopsis: 'Seal status of this node.',
      },
      {
        pattern: 'unseal',
        goStructFields: true,
        fields: { key: { type: 'raw' }, reset: { type: 'bool' }, migrate: { type: 'bool' } },
        operations: {
          update: async (_req, d) => {
            if (!(await node.initialized())) throw new InvalidRequestError('Vault is not initialized');
            if (d.getBool('reset')) {
              if (!node.isSealed()) throw new InvalidRequestError('vault is unsealed');
              node.resetUnseal();
              return { raw: { status: 200, body: await node.sealStatus() } };
            }
            if (!d.has('key')) throw new InvalidRequestError("'key' must be specified in request body as JSON, or 'reset' set to true");
            return { raw: { status: 200, body: await node.unseal(d.get('key')) } };
          },
        },
        helpSynopsis: 'Submit an unseal key share.',
      },
      {
        pattern: 'health',
        fields: Object.fromEntries([
          ['standbyok', { type: 'bool' as const }],
          ['perfstandbyok', { type: 'bool' as const }],
          ...HEALTH_CODES.map((c) => [c, { type: 'int' as const }]),
        ]),
        operations: { read: async (_req, d) => health(deps, d) },
        helpSynopsis: 'Health for load balancers, with configurable status codes.',
      },
      {
        pattern: 'leader',
        operations: {
          read: async () => {
            if (node.isSealed()) throw new SealedError();
            const ha = node.haStatus();
            return {
              raw: {
                status: 200,
                body: {
                  ha_enabled: ha.enabled,
                  is_self: ha.isSelf,
                  active_time: ha.activeTime ?? '0001-01-01T00:00:00Z',
                  leader_address: ha.leaderAddress,
                  leader_cluster_address: ha.leaderClusterAddress,
                  performance_standby: false,
                  performance_standby_last_remote_wal: 0,
                  ...deps.linkHealth(),
                },
              },
            };
          },
        },
        helpSynopsis: 'The active node of the cluster.',
      },
    ],
  });
}

async function health(deps: LocalPathsDeps, d: FieldData): Promise<Response> {
  const node = deps.node;
  const code = (name: (typeof HEALTH_CODES)[number], dflt: number): number => {
    if (!d.has(name)) return dflt;
    const v = d.getInt(name);
    if (v < 1 || v > 999) throw new InvalidRequestError(`invalid ${name} ${v}`);
    return v;
  };
  const initialized = await node.initialized();
  const sealed = node.isSealed();
  const standby = !sealed && !node.isActive();
  let status: number;
  if (!initialized) status = code('uninitcode', 501);
  else if (sealed) status = code('sealedcode', 503);
  // As in Vault, ahead of the standby code and whatever `standbyok` says: a load balancer must not pick a
  // standby that cannot reach the active.
  else if (standby && deps.linkUnhealthy()) status = code('haunhealthycode', 474);
  else if (standby && !d.getBool('standbyok')) status = code('standbycode', 429);
  else status = code('activecode', 200);
  const body: Record<string, unknown> = {
    initialized,
    sealed,
    standby,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(Date.now() / 1000),
    version: VERSION,
    enterprise: false,
    echo_duration_ms: 0,
    clock_skew_ms: 0,
    replication_primary_canary_age_ms: 0,
  };
  if (!sealed) {
    body.cluster_name = deps.cluster.name;
    body.cluster_id = deps.cluster.id;
  }
  if (standby) Object.assign(body, deps.linkHealth());
  return { raw: { status, body } };
}
