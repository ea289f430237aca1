import type { AESGCMBarrier, SealType } from '@strongroom/barrier';
import type { HABackend } from '@strongroom/storage';
import type { ActiveDuties } from './active-duties.js';
import type { Clock } from './clock.js';
import type { ClusterInfo } from './cluster-info.js';
import { SealedError, StandbyError } from './errors.js';
import { HAManager, type HARole, type HAStatus } from './ha/ha-manager.js';
import { checkInitKeys, type InitParams, type InitResult, type SealLifecycle, type SealStatus } from './seal/seal-lifecycle.js';
import { StateLock } from './state-lock.js';
import { Listeners } from './util/listeners.js';
import type { Logger } from './util/logger.js';

/** What changed in a node's state; `change` fires after each of the others. */
export type NodeEvent = 'unsealed' | 'sealed' | 'active' | 'standby' | 'change';

export interface CoreDeps {
  id: string;
  logger: Logger;
  clock: Clock;
  barrier: AESGCMBarrier;
  sealLifecycle: SealLifecycle;
  /** What an active node runs, set up in order and torn down in reverse. */
  duties: ActiveDuties;
  cluster: ClusterInfo;
  /** Run during init with the barrier unsealed for a moment: prepares the token store and makes the root token. */
  createRootToken: () => Promise<string>;
  apiAddr: string;
  clusterAddr: string;
  /** Auto-unseal retry backoff (ms); default from 0.5 s doubling to 10 s. */
  autoUnsealRetry?: { baseMs: number; maxMs: number };
  /** With a lock backend the node races for the active role; without one it is active as soon as it is unsealed. */
  ha?: { backend: HABackend; stepDownWaitMs: number };
}

/**
 * The seal and role state machine of one node: uninitialized -> sealed -> unsealed (standby | active). It owns
 * the transitions and the state lock requests run under; what the node does in each state is handed in.
 */
export class Core implements HARole {
  readonly id: string;
  readonly ha: HAManager | null;
  private readonly stateLock = new StateLock();
  private readonly events = new Map<NodeEvent, Listeners<void>>();
  private knownInitialized = false;
  private activeSince: Date | null = null;
  private activeAbort: AbortController | null = null;
  private autoUnsealLoop: Promise<void> | null = null;
  private autoUnsealStop: AbortController | null = null;

  constructor(private readonly d: CoreDeps) {
    this.id = d.id;
    for (const e of ['unsealed', 'sealed', 'active', 'standby', 'change'] as const) this.events.set(e, new Listeners(e, d.logger));
    this.ha = d.ha
      ? new HAManager({
          role: this,
          backend: d.ha.backend,
          barrier: d.barrier,
          nodeId: d.id,
          apiAddr: d.apiAddr,
          clusterAddr: d.clusterAddr,
          stepDownWaitMs: d.ha.stepDownWaitMs,
          logger: d.logger,
        })
      : null;
  }

  // --- events

  /** Subscribes to one kind of state change; returns the way to unsubscribe. */
  on(event: NodeEvent, listener: () => void): () => void {
    return this.events.get(event)!.add(listener);
  }

  private emit(event: Exclude<NodeEvent, 'change'>): void {
    this.events.get(event)!.emit();
    this.events.get('change')!.emit();
  }

  // --- state

  isSealed(): boolean {
    return this.d.barrier.isSealed();
  }

  isActive(): boolean {
    return this.d.duties.running && this.activeSince !== null;
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
    return this.ha ? this.ha.status() : { enabled: false, isSelf: this.isActive(), leaderAddress: this.d.apiAddr, leaderClusterAddress: this.d.clusterAddr };
  }

  async initialized(): Promise<boolean> {
    // Once initialized, always initialized: answer from memory so health checks never wait on storage.
    if (this.knownInitialized) return true;
    this.knownInitialized = (await this.d.sealLifecycle.config()) !== null;
    return this.knownInitialized;
  }

  sealType(): SealType {
    return this.d.sealLifecycle.sealType;
  }

  sealStatus(): Promise<SealStatus> {
    return this.d.sealLifecycle.status({ clusterName: this.d.cluster.name, clusterId: this.d.cluster.id });
  }

  /**
   * Runs a request's work on the active node under the shared state lock, so seal and step-down wait for it.
   * The signal aborts when the node stops being active meanwhile.
   */
  async whileActive<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    if (this.isSealed()) throw new SealedError();
    if (!this.isActive()) throw new StandbyError();
    return this.stateLock.read(async () => {
      if (!this.isActive()) throw new StandbyError();
      return work(this.activeSignal);
    });
  }

  // --- transitions

  /** Init: split the root key, and create the root token with the barrier briefly unsealed. The node stays sealed. */
  async initialize(p: InitParams): Promise<InitResult> {
    const result = await this.stateLock.write(async () => {
      if (!(await this.initialized())) await checkInitKeys(p, this.d.sealLifecycle.auto !== null);
      const { result, rootKey } = await this.d.sealLifecycle.initialize(p);
      try {
        await this.d.barrier.unseal(rootKey);
        const root = await this.d.createRootToken();
        let rootToken = root;
        if (p.root_token_pgp_key) {
          const { pgpEncryptHex } = await import('@strongroom/barrier');
          rootToken = Buffer.from((await pgpEncryptHex(p.root_token_pgp_key, Buffer.from(root))).hex, 'hex').toString('base64');
        }
        return { ...result, root_token: rootToken };
      } finally {
        this.d.barrier.seal();
        Buffer.from(rootKey.buffer, rootKey.byteOffset, rootKey.byteLength).fill(0);
      }
    });
    // An auto-unseal seal unseals the node right away, as Vault does; the init result stands even if that fails
    // (the retry loop, or a restart, unseals it later).
    if (this.d.sealLifecycle.auto) await this.unsealWithSeal().catch((err: Error) => this.d.logger.warn('unseal after init failed', { error: err.message }));
    return result;
  }

  /** Unseals with the auto-unseal seal; then active or standby as after the last share. */
  async unsealWithSeal(): Promise<void> {
    const outcome = await this.stateLock.write(() => this.d.sealLifecycle.unsealWithSeal());
    if (outcome === 'unsealed' && !this.isActive() && !this.ha?.running) await this.afterUnseal();
  }

  /**
   * Unattended start: with an auto-unseal seal, waits for the cluster to be initialized and unseals with the seal,
   * retrying with backoff while the seal (another cluster's transit key) cannot be reached. Stops once unsealed;
   * a node sealed by an operator afterwards stays sealed until restarted or given the recovery shares.
   */
  startAutoUnseal(): void {
    if (!this.d.sealLifecycle.auto || this.autoUnsealLoop) return;
    this.autoUnsealStop = new AbortController();
    this.autoUnsealLoop = this.runAutoUnseal(this.autoUnsealStop.signal).finally(() => (this.autoUnsealLoop = null));
  }

  private async runAutoUnseal(signal: AbortSignal): Promise<void> {
    const { baseMs, maxMs } = this.d.autoUnsealRetry ?? { baseMs: 500, maxMs: 10_000 };
    let delay = baseMs;
    while (!signal.aborted && this.isSealed()) {
      let initialized = false;
      try {
        initialized = await this.initialized();
      } catch (err) {
        this.d.logger.warn('auto-unseal: storage not readable; retrying', { error: (err as Error).message });
      }
      if (initialized) {
        try {
          await this.unsealWithSeal();
          return;
        } catch (err) {
          delay = Math.min(delay * 2, maxMs);
          this.d.logger.warn('auto-unseal failed; node stays sealed, retrying', { error: (err as Error).message, retry_in_ms: delay });
        }
      }
      await abortableSleep(initialized ? delay : baseMs, signal);
    }
  }

  /** One unseal share; at the threshold the node unseals and becomes active or standby. */
  async unseal(key: unknown): Promise<SealStatus> {
    const outcome = await this.stateLock.write(() => this.d.sealLifecycle.submit(key));
    if (outcome === 'unsealed' && !this.isActive() && !this.ha?.running) await this.afterUnseal();
    return this.sealStatus();
  }

  resetUnseal(): void {
    this.d.sealLifecycle.unsealShares.reset();
  }

  private async afterUnseal(): Promise<void> {
    this.d.logger.info('node unsealed');
    await this.d.cluster.load(false).catch((err: Error) => this.d.logger.warn('cluster info not readable yet', { error: err.message }));
    this.emit('unsealed');
    if (this.ha) {
      this.ha.start();
      return;
    }
    try {
      await this.becomeActive();
    } catch (err) {
      // A node that cannot take up its duties must not stay unsealed and idle: seal again, as Vault does.
      this.d.logger.error('activation failed; sealing', { error: (err as Error).message });
      this.d.barrier.seal();
      this.d.sealLifecycle.unsealShares.reset();
      this.emit('sealed');
      throw err;
    }
  }

  /** Runs the active duties; called directly without HA, or by the HA manager once it holds the lock. */
  async becomeActive(): Promise<void> {
    await this.stateLock.write(async () => {
      this.activeAbort = new AbortController();
      await this.d.duties.setup();
      this.activeSince = this.d.clock.now();
    });
    this.d.logger.info('node is active');
    this.emit('active');
  }

  /** Stops serving as active at once (lock lost or step-down); the barrier stays unsealed. */
  async becomeStandby(reason: string): Promise<void> {
    // Stop claiming to be active at once: in-flight requests may hold the state lock for a while (a write stuck
    // on an unreachable Consul agent), and new requests must not wait behind them nor be served meanwhile.
    this.activeSince = null;
    this.activeAbort?.abort(new Error(reason));
    this.emit('standby');
    await this.stateLock.write(() => this.d.duties.teardown());
    this.d.logger.info('node is standby', { reason });
    this.events.get('change')!.emit();
  }

  /** Seal: hand over (HA), stop the active duties, zero the keys. */
  async seal(): Promise<void> {
    if (this.ha) await this.ha.stop();
    this.activeAbort?.abort(new Error('sealed'));
    await this.stateLock.write(async () => {
      this.activeSince = null;
      await this.d.duties.teardown();
      this.d.barrier.seal();
      this.d.sealLifecycle.unsealShares.reset();
    });
    this.d.logger.info('node sealed');
    this.emit('sealed');
  }

  async stepDown(): Promise<void> {
    if (this.ha) await this.ha.stepDown();
  }

  async waitActive(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isActive()) {
      if (Date.now() > deadline) throw new Error('node did not become active in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Leaves the cluster and zeroes the keys; the storage stays open for its owner to close. */
  async shutdown(): Promise<void> {
    this.autoUnsealStop?.abort();
    await this.autoUnsealLoop;
    if (this.ha) await this.ha.stop();
    if (this.isActive()) await this.becomeStandby('shutdown');
    this.d.barrier.seal();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
