import type { Core } from '../core.js';
import { InvalidRequestError, SealedError } from '../errors.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { FieldData } from '../framework/field.js';
import type { Response } from '../logical/request.js';
import { VERSION } from '../seal/seal-lifecycle.js';

const HEALTH_CODES = ['activecode', 'standbycode', 'sealedcode', 'uninitcode', 'drsecondarycode', 'performancestandbycode', 'haunhealthycode', 'removedcode'] as const;

/** What a node answers for itself whatever its state: init, seal status, unseal, health, leader. */
export function localSystemBackend(core: Core): FrameworkBackend {
  return new FrameworkBackend({
    class: 'system',
    help: 'Endpoints every node serves itself, sealed or standby.',
    paths: [
      {
        pattern: 'init',
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
          read: async () => ({ raw: { status: 200, body: { initialized: await core.initialized() } } }),
          update: async (_req, d: FieldData) => {
            if (d.has('recovery_shares') || d.has('recovery_threshold') || d.has('recovery_pgp_keys')) {
              throw new InvalidRequestError('parameters recovery_shares,recovery_threshold not applicable to seal type shamir');
            }
            if (!d.has('secret_shares') || !d.has('secret_threshold')) {
              throw new InvalidRequestError('secret_shares and secret_threshold are required');
            }
            const result = await core.initialize({
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
        operations: { read: async () => ({ raw: { status: 200, body: await core.sealStatus() } }) },
        helpSynopsis: 'Seal status of this node.',
      },
      {
        pattern: 'unseal',
        fields: { key: { type: 'raw' }, reset: { type: 'bool' }, migrate: { type: 'bool' } },
        operations: {
          update: async (_req, d) => {
            if (!(await core.initialized())) throw new InvalidRequestError('Vault is not initialized');
            if (d.getBool('reset')) {
              if (!core.isSealed()) throw new InvalidRequestError('vault is unsealed');
              core.resetUnseal();
              return { raw: { status: 200, body: await core.sealStatus() } };
            }
            if (!d.has('key')) throw new InvalidRequestError("'key' must be specified in request body as JSON, or 'reset' set to true");
            return { raw: { status: 200, body: await core.unseal(d.get('key')) } };
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
        operations: { read: async (_req, d) => health(core, d) },
        helpSynopsis: 'Health for load balancers, with configurable status codes.',
      },
      {
        pattern: 'leader',
        operations: {
          read: async () => {
            if (core.isSealed()) throw new SealedError();
            const ha = core.haStatus();
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
                  ...core.forwardingHealth(),
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

async function health(core: Core, d: FieldData): Promise<Response> {
  const code = (name: (typeof HEALTH_CODES)[number], dflt: number): number => {
    if (!d.has(name)) return dflt;
    const v = d.getInt(name);
    if (v < 1 || v > 999) throw new InvalidRequestError(`invalid ${name} ${v}`);
    return v;
  };
  const initialized = await core.initialized();
  const sealed = core.isSealed();
  const standby = !sealed && !core.isActive();
  let status: number;
  if (!initialized) status = code('uninitcode', 501);
  else if (sealed) status = code('sealedcode', 503);
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
    body.cluster_name = core.clusterName;
    body.cluster_id = core.clusterId;
  }
  if (standby) Object.assign(body, core.forwardingHealth());
  return { raw: { status, body } };
}
