import { randomUUID } from 'node:crypto';
import { AESGCMBarrier, BarrierView } from '@strongroom/barrier';
import { CachedBackend, isHABackend, type Backend, type HABackend } from '@strongroom/storage';
import { ActiveDuties } from './active-duties.js';
import { AuditBroker, AuditTable, fileAuditFactory, type AuditDeviceFactory } from './audit/index.js';
import { systemClock, type Clock } from './clock.js';
import { approleFactory } from './credential/approle.js';
import { githubFactory } from './credential/github.js';
import { userpassFactory } from './credential/userpass.js';
import { cubbyholeFactory, destroyCubbyhole, kvFactory } from './engines/index.js';
import { transitFactory } from './engines/transit.js';
import { ExpirationManager } from './expiration/expiration-manager.js';
import type { BackendFactory, SystemView } from './logical/backend.js';
import type { Request, Response } from './logical/request.js';
import { MountTable } from './mounts/mount-table.js';
import { storagePrefix } from './mounts/mount-entry.js';
import { Router } from './mounts/router.js';
import { leaseRouter } from './mounts/lease-router.js';
import { handleRequest } from './pipeline.js';
import { PolicyStore } from './policy/index.js';
import { GenerateRoot } from './seal/generate-root.js';
import { Rekey } from './seal/rekey.js';
import { SealLifecycle, checkInitKeys, type InitParams, type InitResult, type SealStatus } from './seal/seal-lifecycle.js';
import { StateLock } from './state-lock.js';
import { systemBackend } from './sys/system-backend.js';
import { localSystemBackend } from './sys/local-paths.js';
import { readClusterInfo } from './cluster-info.js';
import type { LogicalBackend } from './logical/backend.js';
import { TokenStore } from './token/token-store.js';
import { Wrapping } from './wrapping/wrapping.js';
import { HAManager, type HAStatus } from './ha/ha-manager.js';
import { silentLogger, type Logger } from './util/logger.js';

export interface CoreOptions {
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
}

const DEFAULT_TTL = 768 * 3600;

/**
 * One Strongroom node. Built from its dependencies (no globals), so several run in one process in tests.
 * States: uninitialized -> sealed -> unsealed (standby | active).
 */
export class Core {
  readonly id = randomUUID();
  readonly logger: Logger;
  readonly clock: Clock;
  readonly storage: CachedBackend;
  readonly haStorage?: HABackend;
  readonly barrier: AESGCMBarrier;
  readonly sealLifecycle: SealLifecycle;
  readonly rekey: Rekey;
  readonly generateRoot: GenerateRoot;
  readonly router = new Router();
  readonly policies: PolicyStore;
  readonly tokens: TokenStore;
  readonly expiration: ExpirationManager;
  readonly audit: AuditBroker;
  readonly auditTable: AuditTable;
  readonly mounts: MountTable;
  readonly authMounts: MountTable;
  readonly wrapping: Wrapping;
  readonly stateLock = new StateLock();
  readonly system: SystemView;
  readonly ha: HAManager | null;
  /** What every node answers for itself (init, seal status, unseal, health, leader). */
  readonly localSys: LogicalBackend;
  /** Standby-to-active link health for `sys/health` and `sys/leader`; the server's forwarding layer replaces it. */
  forwardingHealth: () => Record<string, unknown> = () => ({});
  readonly options: CoreOptions;
  /** Shared by every node of the cluster once loaded from the barrier (`core/cluster/local/info`). */
  clusterName: string;
  clusterId = '';
  private readonly duties: ActiveDuties;
  private readonly stateListeners = new Set<() => void>();
  private knownInitialized = false;
  private activeSince: Date | null = null;
  private activeAbort: AbortController | null = null;

  constructor(o: CoreOptions) {
    this.options = o;
    this.logger = o.logger ?? silentLogger;
    this.clock = o.clock ?? systemClock;
    // With the node's logger, so that an operator sees which audit device failed when requests get 500.
    this.audit = new AuditBroker({ logger: this.logger, clock: this.clock });
    this.clusterName = o.clusterName ?? `strongroom-cluster-${this.id.slice(0, 8)}`;
    this.storage = new CachedBackend(o.storage);
    this.haStorage = o.haStorage ?? (isHABackend(o.storage) ? o.storage : undefined);
    this.barrier = new AESGCMBarrier(this.storage);
    this.sealLifecycle = new SealLifecycle(this.storage, this.barrier);
    const sealConfig = () => this.sealLifecycle.config();
    this.rekey = new Rekey(this.storage, this.barrier, sealConfig);
    this.generateRoot = new GenerateRoot(this.barrier, sealConfig, async () => (await this.tokens.createRoot()).id);
    this.system = {
      defaultLeaseTTL: () => o.defaultLeaseTTL ?? DEFAULT_TTL,
      maxLeaseTTL: () => o.maxLeaseTTL ?? DEFAULT_TTL,
      now: () => this.clock.now(),
    };
    this.policies = new PolicyStore({ storage: new BarrierView(this.barrier, 'sys/policy/'), logger: this.logger });
    this.expiration = new ExpirationManager({
      limits: this.system,
      storage: new BarrierView(this.barrier, 'sys/expire/'),
      clock: this.clock,
      logger: this.logger,
      router: leaseRouter(this.router, (op, path, prefix) => this.backendRequest(op, path, prefix), (id) => this.tokens.revokeTree(id)),
    });
    this.tokens = new TokenStore({
      storage: new BarrierView(this.barrier, 'sys/token/'),
      clock: this.clock,
      logger: this.logger,
      expiration: this.expiration,
      systemView: this.system,
    });
    this.tokens.setAuthRenewer(async (path, auth) => {
      const r = this.router.match(path);
      return r?.backend.renewAuth ? r.backend.renewAuth(this.backendRequest('renew', path, r.prefix), auth) : null;
    });
    this.tokens.onRevoke(async (tokenId) => {
      const cubby = this.mounts.find('cubbyhole/');
      if (cubby) await destroyCubbyhole(new BarrierView(this.barrier, storagePrefix(cubby)), tokenId);
    });
    this.auditTable = new AuditTable({
      storage: this.barrier,
      broker: this.audit,
      factories: { file: fileAuditFactory, ...o.auditDevices },
      logger: this.logger,
    });
    const revokePrefix = (prefix: string) => this.expiration.revokePrefix(prefix, { force: true });
    const sys = systemBackend(this);
    this.mounts = new MountTable({
      name: 'mounts',
      storage: this.barrier,
      router: this.router,
      factories: { kv: kvFactory, cubbyhole: cubbyholeFactory, transit: transitFactory, ...o.secretEngines },
      builtins: { system: sys },
      system: this.system,
      logger: this.logger,
      revokePrefix,
    });
    this.authMounts = new MountTable({
      name: 'auth',
      storage: this.barrier,
      router: this.router,
      factories: { userpass: userpassFactory, approle: approleFactory, github: githubFactory, ...o.authMethods },
      builtins: { token: this.tokens.backend() },
      system: this.system,
      logger: this.logger,
      revokePrefix,
    });
    this.wrapping = new Wrapping(this);
    this.duties = new ActiveDuties(
      [
        { name: 'read-cache', setup: async () => this.storage.setEnabled(true), teardown: async () => this.storage.setEnabled(false) },
        { name: 'cluster-info', setup: () => this.loadClusterInfo(true), teardown: async () => undefined },
        { name: 'policies', setup: () => this.policies.setup(), teardown: async () => undefined },
        { name: 'tokens', setup: () => this.tokens.setup(), teardown: async () => this.tokens.teardown() },
        {
          name: 'mounts',
          setup: async () => {
            await this.mounts.load([
              { path: 'sys/', req: { type: 'system', description: 'system endpoints used for control, policy and debugging' } },
              { path: 'cubbyhole/', req: { type: 'cubbyhole', description: 'per-token private secret storage', local: true } },
            ]);
            await this.authMounts.load([{ path: 'token/', req: { type: 'token', description: 'token based credentials' } }]);
          },
          teardown: async () => {
            await this.authMounts.unload();
            await this.mounts.unload();
          },
        },
        {
          name: 'expiration',
          // Timers are rebuilt in the background, as Vault does: a node with many leases serves at once. Renew,
          // revoke and lookup read leases from storage, and a lease stored meanwhile is scheduled when registered.
          setup: async () => {
            void this.expiration.restore().catch((err: Error) => this.logger.error('lease restore failed', { error: err.message }));
          },
          teardown: async () => this.expiration.stop(),
        },
        { name: 'audit', setup: () => this.auditTable.load(), teardown: () => this.auditTable.unload() },
      ],
      this.logger,
    );
    this.ha = this.haStorage ? new HAManager(this, this.haStorage) : null;
    this.localSys = localSystemBackend(this);
  }

  // --- state

  /** Called after every change of seal or HA state (unseal, seal, active, standby); returns an unsubscribe. */
  onStateChange(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private stateChanged(): void {
    for (const l of this.stateListeners) {
      try {
        l();
      } catch (err) {
        this.logger.warn('state listener failed', { error: (err as Error).message });
      }
    }
  }

  isSealed(): boolean {
    return this.barrier.isSealed();
  }

  isActive(): boolean {
    return this.duties.running && this.activeSince !== null;
  }

  isStandby(): boolean {
    return !this.isSealed() && !this.isActive();
  }

  get activeTime(): Date | null {
    return this.activeSince;
  }

  /** Aborted when the node stops being active; in-flight work watches it. */
  get activeSignal(): AbortSignal | undefined {
    return this.activeAbort?.signal;
  }

  haStatus(): HAStatus {
    return this.ha ? this.ha.status() : { enabled: false, isSelf: this.isActive(), leaderAddress: this.options.apiAddr ?? '', leaderClusterAddress: this.options.clusterAddr ?? '' };
  }

  async initialized(): Promise<boolean> {
    // Once initialized, always initialized: answer from memory so health checks never wait on storage.
    if (this.knownInitialized) return true;
    this.knownInitialized = (await this.sealLifecycle.config()) !== null;
    return this.knownInitialized;
  }

  sealStatus(): Promise<SealStatus> {
    return this.sealLifecycle.status({ clusterName: this.clusterName, clusterId: this.clusterId });
  }

  // --- lifecycle

  /** Init: split the root key, and create the root token with the barrier briefly unsealed. The node stays sealed. */
  async initialize(p: InitParams): Promise<InitResult> {
    return this.stateLock.write(async () => {
      if (!(await this.initialized())) await checkInitKeys(p);
      const { result, rootKey } = await this.sealLifecycle.initialize(p);
      try {
        await this.barrier.unseal(rootKey);
        await this.policies.setup();
        await this.tokens.setup();
        const root = await this.tokens.createRoot();
        let rootToken = root.id;
        if (p.root_token_pgp_key) {
          const { pgpEncryptHex } = await import('@strongroom/barrier');
          rootToken = Buffer.from((await pgpEncryptHex(p.root_token_pgp_key, Buffer.from(root.id))).hex, 'hex').toString('base64');
        }
        return { ...result, root_token: rootToken };
      } finally {
        this.barrier.seal();
        Buffer.from(rootKey.buffer, rootKey.byteOffset, rootKey.byteLength).fill(0);
      }
    });
  }

  /** One unseal share; at the threshold the node unseals and becomes active or standby. */
  async unseal(key: unknown): Promise<SealStatus> {
    const outcome = await this.stateLock.write(() => this.sealLifecycle.submit(key));
    if (outcome === 'unsealed' && !this.isActive() && !this.ha?.running) await this.postUnseal();
    return this.sealStatus();
  }

  resetUnseal(): void {
    this.sealLifecycle.unsealShares.reset();
  }

  private async postUnseal(): Promise<void> {
    this.logger.info('node unsealed');
    await this.loadClusterInfo(false).catch((err: Error) => this.logger.warn('cluster info not readable yet', { error: err.message }));
    this.stateChanged();
    if (this.ha) {
      this.ha.start();
      return;
    }
    try {
      await this.becomeActive();
    } catch (err) {
      // A node that cannot take up its duties must not stay unsealed and idle: seal again, as Vault does.
      this.logger.error('activation failed; sealing', { error: (err as Error).message });
      this.barrier.seal();
      this.sealLifecycle.unsealShares.reset();
      this.stateChanged();
      throw err;
    }
  }

  /** The cluster's name and id, made by the first active node and shared through the barrier. */
  private async loadClusterInfo(create: boolean): Promise<void> {
    const info = await readClusterInfo(this.barrier, create ? (this.options.clusterName ?? null) : undefined);
    if (info) ({ name: this.clusterName, id: this.clusterId } = info);
  }


  /** Runs the active duties; called directly without HA, or by the HA manager once it holds the lock. */
  async becomeActive(): Promise<void> {
    await this.stateLock.write(async () => {
      this.activeAbort = new AbortController();
      await this.duties.setup();
      this.activeSince = this.clock.now();
    });
    this.logger.info('node is active');
    this.stateChanged();
  }

  /** Stops serving as active at once (lock lost or step-down); the barrier stays unsealed. */
  async becomeStandby(reason: string): Promise<void> {
    // Stop claiming to be active at once: in-flight requests may hold the state lock for a while (a write stuck
    // on an unreachable Consul agent), and new requests must not wait behind them nor be served meanwhile.
    this.activeSince = null;
    this.activeAbort?.abort(new Error(reason));
    this.stateChanged();
    await this.stateLock.write(async () => {
      await this.duties.teardown();
    });
    this.logger.info('node is standby', { reason });
    this.stateChanged();
  }

  /** Seal: hand over (HA), stop the active duties, zero the keys. */
  async seal(): Promise<void> {
    if (this.ha) await this.ha.stop();
    this.activeAbort?.abort(new Error('sealed'));
    await this.stateLock.write(async () => {
      this.activeSince = null;
      await this.duties.teardown();
      this.barrier.seal();
      this.sealLifecycle.unsealShares.reset();
    });
    this.logger.info('node sealed');
    this.stateChanged();
  }

  async stepDown(): Promise<void> {
    if (this.ha) await this.ha.stepDown();
  }

  /** Dev mode: init with one share, unseal, mount `secret/` as kv v2, optionally pin the root token's id. */
  async devSetup(o: { rootTokenId?: string } = {}): Promise<{ rootToken: string; unsealKey: string }> {
    const init = await this.initialize({ secret_shares: 1, secret_threshold: 1 });
    await this.unseal(init.keys_base64[0]);
    await this.waitActive();
    let rootToken = init.root_token;
    if (o.rootTokenId) {
      await this.tokens.createRoot({ id: o.rootTokenId });
      await this.tokens.revokeTree(init.root_token);
      rootToken = o.rootTokenId;
    }
    await this.mounts.enable('secret/', { type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
    return { rootToken, unsealKey: init.keys_base64[0]! };
  }

  async waitActive(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isActive()) {
      if (Date.now() > deadline) throw new Error('node did not become active in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async reloadAudit(): Promise<void> {
    await this.audit.reloadAll();
  }

  async shutdown(): Promise<void> {
    if (this.ha) await this.ha.stop();
    if (this.isActive()) await this.becomeStandby('shutdown');
    this.barrier.seal();
    await this.storage.close();
  }

  // --- requests

  handleRequest(req: Request): Promise<Response> {
    return handleRequest(this, req);
  }

  /** A request the core makes on a backend's behalf (lease revoke/renew). */
  backendRequest(operation: Request['operation'], path: string, prefix: string): Request {
    return { id: randomUUID(), operation, path: path.slice(prefix.length), data: {}, clientToken: '', headers: {}, mountPoint: prefix };
  }
}

/**
 * Init's parameters, PGP keys included, are checked before anything is stored: a failure once the barrier is
 * initialized would leave a node whose unseal keys and root token nobody ever received.
 */
