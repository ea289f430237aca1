import type { HABackend, Lock } from '@strongroom/storage';
import type { Core } from '../core.js';

export interface HAStatus {
  enabled: boolean;
  isSelf: boolean;
  leaderAddress: string;
  leaderClusterAddress: string;
  activeTime?: string;
}

export interface LeaderAdvertisement {
  api_addr: string;
  cluster_addr: string;
  active_time: string;
  [extra: string]: unknown;
}

const LOCK_KEY = 'core/lock';

/**
 * Races for the HA lock while the node is unsealed. The holder runs the active duties; the others are standbys
 * that learn the leader from the lock's value and the advertisement the active writes through the barrier.
 */
export class HAManager {
  running = false;
  private lock: Lock | null = null;
  private loopAbort: AbortController | null = null;
  private stepDownUntil = 0;
  private leader: { id: string; ad: LeaderAdvertisement } | null = null;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Extra fields the active publishes (cluster certificate); set by the server's cluster layer. */
  advertiseExtra: () => Promise<Record<string, unknown>> = async () => ({});
  /** Called whenever the known leader changes (standbys reconnect forwarding). */
  onLeaderChange: (ad: LeaderAdvertisement | null) => void = () => {};

  constructor(
    private readonly core: Core,
    private readonly backend: HABackend,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopAbort = new AbortController();
    this.loopDone = this.loop(this.loopAbort.signal);
    void this.watchLeader(this.loopAbort.signal);
  }

  /** Leaves the race for good (seal, shutdown): releases the lock if held and stops active duties. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.loopAbort?.abort();
    this.wake?.();
    await this.releaseAndStandby('sealing');
    await this.loopDone?.catch(() => undefined);
  }

  /** Releases the lock, becomes standby, and stays out of the race for the configured while. */
  async stepDown(): Promise<void> {
    if (!this.core.isActive()) return;
    this.stepDownUntil = Date.now() + (this.core.options.stepDownWaitMs ?? 10_000);
    await this.releaseAndStandby('step-down');
  }

  status(): HAStatus {
    if (this.core.isActive()) {
      return {
        enabled: true,
        isSelf: true,
        leaderAddress: this.core.options.apiAddr ?? '',
        leaderClusterAddress: this.core.options.clusterAddr ?? '',
        activeTime: this.core.activeTime?.toISOString(),
      };
    }
    return {
      enabled: true,
      isSelf: false,
      leaderAddress: this.leader?.ad.api_addr ?? '',
      leaderClusterAddress: this.leader?.ad.cluster_addr ?? '',
      activeTime: this.leader?.ad.active_time,
    };
  }

  /** The active's advertisement as last read (standbys). */
  currentLeader(): LeaderAdvertisement | null {
    return this.core.isActive() ? null : (this.leader?.ad ?? null);
  }

  private async releaseAndStandby(reason: string): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    if (this.core.isActive()) {
      await this.core.barrier.delete(`core/leader/${this.core.id}`).catch(() => undefined);
      await this.core.becomeStandby(reason);
    }
    await lock?.release().catch(() => undefined);
    this.wake?.();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const wait = this.stepDownUntil - Date.now();
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      const lock = this.backend.lock(LOCK_KEY, this.core.id);
      let lost: AbortSignal;
      try {
        lost = await lock.acquire(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.core.logger.warn('HA lock acquisition failed; retrying', { error: (err as Error).message });
        await sleep(1000, signal);
        continue;
      }
      if (signal.aborted || this.core.isSealed()) {
        await lock.release().catch(() => undefined);
        return;
      }
      this.lock = lock;
      try {
        await this.core.becomeActive();
        const ad: LeaderAdvertisement = {
          api_addr: this.core.options.apiAddr ?? '',
          cluster_addr: this.core.options.clusterAddr ?? '',
          active_time: (this.core.activeTime ?? new Date()).toISOString(),
          ...(await this.advertiseExtra()),
        };
        await this.core.barrier.put(`core/leader/${this.core.id}`, Buffer.from(JSON.stringify(ad)));
        this.leader = null;
        this.onLeaderChange(null);
      } catch (err) {
        this.core.logger.error('failed to become active; releasing the lock', { error: (err as Error).message });
        await this.releaseAndStandby('setup failed');
        await sleep(1000, signal);
        continue;
      }
      // Serve until the lock is lost, or until step-down / seal releases it.
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (lost.aborted) resolve();
        lost.addEventListener('abort', () => resolve(), { once: true });
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.wake = null;
      if (this.lock === lock) {
        // The lock was lost under us (not released by us): stop serving at once.
        this.core.logger.warn('HA lock lost; becoming standby');
        this.lock = null;
        await this.core.becomeStandby('lock lost');
        await lock.release().catch(() => undefined);
      }
    }
  }

  /** Standbys follow the lock's value to know the active and its advertisement. */
  private async watchLeader(signal: AbortSignal): Promise<void> {
    let last: string | null = null;
    while (!signal.aborted) {
      try {
        const holder = await this.backend.lock(LOCK_KEY, this.core.id).holder();
        const id = holder.held ? holder.value : null;
        if (id !== last || (id && !this.leader && id !== this.core.id)) {
          last = id;
          await this.refreshLeader(id);
        }
        if (this.backend.watchLock) await this.backend.watchLock(LOCK_KEY, last, signal);
        else await sleep(500, signal);
      } catch {
        await sleep(500, signal);
      }
    }
  }

  private async refreshLeader(id: string | null): Promise<void> {
    if (!id || id === this.core.id) {
      this.leader = null;
      if (!id) this.onLeaderChange(null);
      return;
    }
    for (let i = 0; i < 20; i++) {
      const raw = await this.core.barrier.get(`core/leader/${id}`).catch(() => null);
      if (raw) {
        this.leader = { id, ad: JSON.parse(Buffer.from(raw).toString('utf8')) as LeaderAdvertisement };
        this.onLeaderChange(this.leader.ad);
        return;
      }
      await sleep(100);
    }
    this.leader = null;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
