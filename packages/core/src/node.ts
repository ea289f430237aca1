import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AESGCMBarrier, BarrierView, type AutoSeal } from '@strongroom/barrier';
import { CachedBackend, isHABackend, type Backend, type HABackend } from '@strongroom/storage';
import { ActiveDuties } from './active-duties.js';
import { AuditBroker, AuditTable, fileAuditFactory, type AuditDeviceFactory } from './audit/index.js';
import { systemClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './util/logger.js';
import { ClusterInfo } from './cluster-info.js';
import { Core, type NodeEvent } from './core.js';
import { approleFactory } from './credential/approle.js';
import { githubFactory } from './credential/github.js';
import { userpassFactory } from './credential/userpass.js';
import { cubbyholeFactory, destroyCubbyhole, kvFactory } from './engines/index.js';
import { databaseFactory } from './engines/database.js';
import { transitFactory } from './engines/transit.js';
import { ExpirationManager } from './expiration/expiration-manager.js';
import type { HAManager, HAStatus } from './ha/ha-manager.js';
import type { BackendFactory, LogicalBackend, SystemView } from './logical/backend.js';
import { internalRequest, type Request, type Response } from './logical/request.js';
import { leaseRouter } from './mounts/lease-router.js';
import { storagePrefix } from './mounts/mount-entry.js';
import { MountTable } from './mounts/mount-table.js';
import { Router } from './mounts/router.js';
import { PolicyStore } from './policy/index.js';
import { RequestLifecycle } from './request-lifecycle.js';
import { AutoUnsealKeys } from './seal/auto-unseal.js';
import { GenerateRoot } from './seal/generate-root.js';
import { Rekey } from './seal/rekey.js';
import { BUILD_DATE, SealLifecycle, VERSION, type InitParams, type InitResult, type SealStatus } from './seal/seal-lifecycle.js';
import { localSystemBackend } from './sys/local-paths.js';
import type { ServerView } from './sys/server-view.js';
import { systemBackend } from './sys/system-backend.js';
import { VersionHistory } from './sys/version-history.js';
import { tokenBackend } from './token/token-paths.js';
import { TokenStore } from './token/token-store.js';
import { Wrapping } from './wrapping/wrapping.js';

export interface NodeOptions {
  storage: Backend;
  /** The lock backend; defaults to `storage` when it can lock. */
  haStorage?: HABackend;
  logger?: Logger;
  clock?: Clock;
  apiAddr?: string;
  clusterAddr?: string;
  clusterName?: string;
  /** Seconds; default 768 h. */
  defaultLeaseTTL?: number;
  maxLeaseTTL?: number;
  secretEngines?: Record<string, BackendFactory>;
  authMethods?: Record<string, BackendFactory>;
  auditDevices?: Record<string, AuditDeviceFactory>;
  /** How long a node that stepped down waits before contending again (ms). */
  stepDownWaitMs?: number;
  /** How often a failed lease revocation is tried again; default Vault's, 6 attempts from 10 s doubling. */
  revokeRetry?: { attempts: number; baseMs: number };
  /** An auto-unseal seal (static, transit) that holds the root key; without one, operators' Shamir shares do. */
  seal?: AutoSeal;
  /** Auto-unseal retry backoff (ms) while the seal cannot be reached. */
  autoUnsealRetry?: { baseMs: number; maxMs: number };
  /** What the server knows of itself, for `sys/loggers`, `sys/in-flight-req`, `sys/host-info`, `sys/config/state`. */
  server?: ServerView;
}

const DEFAULT_TTL = 768 * 3600;

/**
 * One Strongroom node, composed from its parts in dependency order: storage and barrier, then the stores, the
 * mount tables and their backends, the duties of an active node, the state machine, and the request lifecycle.
 * Each part is handed only what it uses. No globals, so a test can run several nodes in one process.
 */
export class Node {
  readonly id = randomUUID();
  readonly options: NodeOptions;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The storage with the read cache the active node keeps. */
  readonly storage: CachedBackend;
  readonly barrier: AESGCMBarrier;
  readonly system: SystemView;
  readonly cluster: ClusterInfo;
  readonly router = new Router();
  readonly policies: PolicyStore;
  readonly expiration: ExpirationManager;
  readonly tokens: TokenStore;
  readonly audit: AuditBroker;
  readonly auditTable: AuditTable;
  readonly mounts: MountTable;
  readonly authMounts: MountTable;
  readonly wrapping: Wrapping;
  readonly rekey: Rekey;
  readonly generateRoot: GenerateRoot;
  /** The seal and role state machine. */
  readonly core: Core;
  /** Racing for the active role; null without a lock backend. */
  readonly ha: HAManager | null;
  private readonly lifecycle: RequestLifecycle;

  constructor(o: NodeOptions) {
    this.options = o;
    const logger = (this.logger = o.logger ?? silentLogger);
    const clock = (this.clock = o.clock ?? systemClock);
    const router = this.router;

    // Storage and the barrier over it.
    const storage = (this.storage = new CachedBackend(o.storage));
    const haStorage = o.haStorage ?? (isHABackend(o.storage) ? o.storage : undefined);
    const barrier = (this.barrier = new AESGCMBarrier(storage));
    const autoUnseal = o.seal ? new AutoUnsealKeys(storage, barrier, o.seal, logger) : null;
    const sealLifecycle = new SealLifecycle(storage, barrier, autoUnseal);
    const sealConfig = () => sealLifecycle.config();
    const system: SystemView = (this.system = {
      defaultLeaseTTL: () => o.defaultLeaseTTL ?? DEFAULT_TTL,
      maxLeaseTTL: () => o.maxLeaseTTL ?? DEFAULT_TTL,
      now: () => clock.now(),
    });
    const cluster = (this.cluster = new ClusterInfo(barrier, o.clusterName, `strongroom-cluster-${this.id.slice(0, 8)}`));

    // Stores. Leases and tokens refer to each other: the expiration manager revokes a token's lease through the
    // token store, which registers its leases with the manager. The first is bound by a closure over the second.
    const policies = (this.policies = new PolicyStore({ storage: new BarrierView(barrier, 'sys/policy/'), logger }));
    const expiration = (this.expiration = new ExpirationManager({
      limits: system,
      storage: new BarrierView(barrier, 'sys/expire/'),
      clock,
      logger,
      ...(o.revokeRetry ? { revokeRetry: o.revokeRetry } : {}),
      router: leaseRouter(router, {
        revokeToken: (tokenId) => tokens.revokeTree(tokenId),
        tokenExists: async (tokenId) => (await tokens.lookup(tokenId)) !== null,
      }),
    }));
    const tokens: TokenStore = (this.tokens = new TokenStore({
      storage: new BarrierView(barrier, 'sys/token/'),
      clock,
      logger,
      expiration,
      systemView: system,
      renewAuth: async (path, auth) => {
        const r = router.match(path);
        return r?.backend.renewAuth ? r.backend.renewAuth(internalRequest('renew', path, r.prefix), auth) : null;
      },
      // A revoked token's cubbyhole goes with it.
      onRevoke: async (tokenId) => {
        const cubby = router.match('cubbyhole/');
        if (cubby) await destroyCubbyhole(new BarrierView(barrier, storagePrefix(cubby.entry)), tokenId);
      },
    }));
    // With the node's logger, so that an operator sees which audit device failed when requests get 500.
    const audit = (this.audit = new AuditBroker({ logger, clock }));
    const auditTable = (this.auditTable = new AuditTable({ storage: barrier, broker: audit, factories: { file: fileAuditFactory, ...o.auditDevices }, logger }));

    // Mount tables. Their built-in backends are asked for at mount time, so `sys/`, which lists the tables, comes after.
    // Not forced: a lease whose backend cannot revoke it (its database down) keeps the mount, so nothing it issued
    // outlives its lease unnoticed.
    const revokePrefix = (prefix: string) => expiration.revokePrefix(prefix, {});
    const secretFactories: Record<string, BackendFactory> = { kv: kvFactory, cubbyhole: cubbyholeFactory, transit: transitFactory, database: databaseFactory, ...o.secretEngines };
    const authFactories: Record<string, BackendFactory> = { userpass: userpassFactory, approle: approleFactory, github: githubFactory, ...o.authMethods };
    const mounts = (this.mounts = new MountTable({
      name: 'mounts',
      storage: barrier,
      router,
      factories: secretFactories,
      builtins: { system: () => sys },
      system,
      logger,
      revokePrefix,
    }));
    const token = tokenBackend(tokens);
    const authMounts = (this.authMounts = new MountTable({
      name: 'auth',
      storage: barrier,
      router,
      factories: authFactories,
      builtins: { token: () => token },
      system,
      logger,
      revokePrefix,
    }));
    const wrapping = (this.wrapping = new Wrapping({ tokens, mounts, barrier, clock }));
    const rekey = (this.rekey = new Rekey(storage, barrier, sealConfig));
    const versions = new VersionHistory({ barrier, version: VERSION, buildDate: BUILD_DATE, now: () => clock.now() });
    // With an auto-unseal seal the root key is never handed out: root generation takes the recovery shares.
    const shareCheck = autoUnseal
      ? { config: () => autoUnseal.recoveryConfig(), verify: (k: Uint8Array) => autoUnseal.verifyRecoveryKey(k) }
      : { config: sealConfig, verify: (k: Uint8Array) => barrier.verifyRootKey(k) };
    const generateRoot = (this.generateRoot = new GenerateRoot(barrier, shareCheck, async () => (await tokens.createRoot()).id));

    // What an active node runs, in order; torn down in reverse when it stops being active.
    const duties = new ActiveDuties(
      [
        { name: 'read-cache', setup: async () => storage.setEnabled(true), teardown: async () => storage.setEnabled(false) },
        { name: 'cluster-info', setup: () => cluster.load(true), teardown: async () => undefined },
        { name: 'policies', setup: () => policies.setup(), teardown: async () => undefined },
        { name: 'tokens', setup: () => tokens.setup(), teardown: async () => tokens.teardown() },
        {
          name: 'mounts',
          setup: async () => {
            await mounts.load([
              { path: 'sys/', req: { type: 'system', description: 'system endpoints used for control, policy and debugging' } },
              { path: 'cubbyhole/', req: { type: 'cubbyhole', description: 'per-token private secret storage', local: true } },
            ]);
            await authMounts.load([{ path: 'token/', req: { type: 'token', description: 'token based credentials' } }]);
          },
          teardown: async () => {
            await authMounts.unload();
            await mounts.unload();
          },
        },
        {
          name: 'expiration',
          // Timers are rebuilt in the background, as Vault does: a node with many leases serves at once. Renew,
          // revoke and lookup read leases from storage, and a lease stored meanwhile is scheduled when registered.
          setup: async () => {
            void expiration.restore().catch((err: Error) => logger.error('lease restore failed', { error: err.message }));
          },
          teardown: async () => expiration.stop(),
        },
        { name: 'audit', setup: () => auditTable.load(), teardown: () => auditTable.unload() },
        { name: 'version-history', setup: () => versions.record(), teardown: async () => undefined },
      ],
      logger,
    );

    // The state machine, and the HA manager it drives when the storage can hold a lock.
    const core = (this.core = new Core({
      id: this.id,
      logger,
      clock,
      barrier,
      sealLifecycle,
      duties,
      cluster,
      createRootToken: async () => {
        await policies.setup();
        await tokens.setup();
        return (await tokens.createRoot()).id;
      },
      apiAddr: o.apiAddr ?? '',
      clusterAddr: o.clusterAddr ?? '',
      ...(o.autoUnsealRetry ? { autoUnsealRetry: o.autoUnsealRetry } : {}),
      ...(haStorage ? { ha: { backend: haStorage, stepDownWaitMs: o.stepDownWaitMs ?? 10_000 } } : {}),
    }));
    const ha = (this.ha = core.ha);

    // The backends that act on the node itself, and the request lifecycle over everything.
    const sys: LogicalBackend = systemBackend({
      node: core,
      barrier,
      rekey,
      generateRoot,
      system,
      router,
      mounts,
      authMounts,
      policies,
      tokens,
      expiration,
      auditTable,
      wrapping,
      haMembers: {
        self: () => ({ hostname: hostname(), apiAddress: o.apiAddr ?? '', clusterAddress: o.clusterAddr ?? '', version: VERSION }),
        peers: () => ha?.peers() ?? [],
      },
      // The per-token cubbyhole is a singleton, not a catalog plugin, as in Vault.
      catalog: { secret: Object.keys(secretFactories).filter((t) => t !== 'cubbyhole'), auth: Object.keys(authFactories) },
      versions,
      ...(o.server ? { server: o.server } : {}),
    });
    const local = localSystemBackend({
      node: core,
      cluster,
      linkHealth: () => ha?.linkHealth() ?? {},
      linkUnhealthy: () => ha?.linkUnhealthy() ?? false,
    });
    this.lifecycle = new RequestLifecycle({ node: core, local, router, tokens, policies, audit, expiration, wrapping, system });
  }

  handleRequest(req: Request): Promise<Response> {
    return this.lifecycle.handle(req);
  }

  // --- the state machine's questions and transitions, for the server and for operators' tools

  isSealed(): boolean {
    return this.core.isSealed();
  }

  isActive(): boolean {
    return this.core.isActive();
  }

  /** Whether `sys/metrics` is a path of this node (the server handed it its metrics). */
  get hasServerMetrics(): boolean {
    return this.options.server?.metrics !== undefined;
  }

  isStandby(): boolean {
    return this.core.isStandby();
  }

  haStatus(): HAStatus {
    return this.core.haStatus();
  }

  initialized(): Promise<boolean> {
    return this.core.initialized();
  }

  sealStatus(): Promise<SealStatus> {
    return this.core.sealStatus();
  }

  initialize(p: InitParams): Promise<InitResult> {
    return this.core.initialize(p);
  }

  unseal(key: unknown): Promise<SealStatus> {
    return this.core.unseal(key);
  }

  seal(): Promise<void> {
    return this.core.seal();
  }

  /** With an auto-unseal seal: starts the seal's background work and unseals as soon as the seal answers. */
  startAutoUnseal(): void {
    if (!this.options.seal) return;
    this.options.seal.start?.();
    this.core.startAutoUnseal();
  }

  stepDown(): Promise<void> {
    return this.core.stepDown();
  }

  waitActive(timeoutMs?: number): Promise<void> {
    return this.core.waitActive(timeoutMs);
  }

  /** Subscribes to a change of seal or HA state; returns the way to unsubscribe. */
  on(event: NodeEvent, listener: () => void): () => void {
    return this.core.on(event, listener);
  }

  /** The standby's link to the active as `sys/health` reports it. */
  linkHealth(): Record<string, unknown> {
    return this.ha?.linkHealth() ?? {};
  }

  async reloadAudit(): Promise<void> {
    await this.audit.reloadAll();
  }

  /** Dev mode: init with one share, unseal, mount `secret/` as kv v2, optionally pin the root token's id. */
  async devSetup(o: { rootTokenId?: string } = {}): Promise<{ rootToken: string; unsealKey: string }> {
    const init = await this.core.initialize({ secret_shares: 1, secret_threshold: 1 });
    await this.core.unseal(init.keys_base64[0]);
    await this.core.waitActive();
    let rootToken = init.root_token;
    if (o.rootTokenId) {
      await this.tokens.createRoot({ id: o.rootTokenId });
      await this.tokens.revokeTree(init.root_token);
      rootToken = o.rootTokenId;
    }
    await this.mounts.enable('secret/', { type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
    return { rootToken, unsealKey: init.keys_base64[0]! };
  }

  /** Leaves the cluster, zeroes the keys and closes the storage. */
  async shutdown(): Promise<void> {
    await this.core.shutdown();
    this.options.seal?.stop?.();
    await this.storage.close();
  }
}
