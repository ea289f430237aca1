import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Backend, HABackend, Lock } from '@strongroom/storage';
import type { Logger } from '../util/logger.js';
import { Listeners } from '../util/listeners.js';

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

/** The part of a node the HA manager drives: it only asks about and changes the node's role. */
export interface HARole {
  isSealed(): boolean;
  isActive(): boolean;
  /** When the node last became active; null while it is not. */
  readonly activeTime: Date | null;
  becomeActive(): Promise<void>;
  becomeStandby(reason: string): Promise<void>;
}

export interface HAManagerOptions {
  role: HARole;
  /** Holds the lock. */
  backend: HABackend;
  /** The barrier: advertisements are written and read through it, so only unsealed nodes can read them. */
  barrier: Backend;
  nodeId: string;
  apiAddr: string;
  clusterAddr: string;
  /** How long a node that stepped down waits before contending again (ms). */
  stepDownWaitMs: number;
  logger: Logger;
}

/** A standby the active heard from through its heartbeats, as `sys/ha-status` lists it. */
export interface HAPeer {
  nodeId: string;
  hostname: string;
  apiAddress: string;
  clusterAddress: string;
  version: string;
  lastEcho: Date;
  /** Round trip of the standby's heartbeat, and the active's clock minus the standby's (ms). */
  echoDurationMs: number;
  clockSkewMs: number;
}

/** Extra fields for the active's advertisement (the cluster certificate), made each time the node becomes active. */
export type AdvertisementContributor = () => Promise<Record<string, unknown>>;

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
  private readonly contributors = new Set<AdvertisementContributor>();
  private readonly linkReports = new Set<() => Record<string, unknown>>();
  private readonly linkChecks = new Set<() => boolean>();
  private readonly peerSources = new Set<() => readonly HAPeer[]>();
  private readonly leaderChanged: Listeners<LeaderAdvertisement | null>;
  private readonly role: HARole;
  private readonly backend: HABackend;

  constructor(private readonly o: HAManagerOptions) {
    this.role = o.role;
    this.backend = o.backend;
    this.leaderChanged = new Listeners('leader-changed', o.logger);
  }

  /** Called whenever the known active changes: its advertisement on a standby, null when none or this node. */
  onLeaderChange(listener: (ad: LeaderAdvertisement | null) => void): () => void {
    return this.leaderChanged.add(listener);
  }

  /** Adds fields to the advertisement this node publishes each time it becomes active. */
  contributeAdvertisement(contributor: AdvertisementContributor): () => void {
    this.contributors.add(contributor);
    return () => this.contributors.delete(contributor);
  }

  /** Adds fields (the standby's link to the active) to `sys/health` and `sys/leader`. */
  contributeLinkHealth(report: () => Record<string, unknown>): () => void {
    this.linkReports.add(report);
    return () => this.linkReports.delete(report);
  }

  linkHealth(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.linkReports) Object.assign(out, r());
    return out;
  }

  /**
   * Adds a check that the standby's link to the active has gone quiet: heartbeats started and none succeeded
   * within the allowed window. `sys/health` then answers `haunhealthycode`.
   */
  contributeLinkCheck(unhealthy: () => boolean): () => void {
    this.linkChecks.add(unhealthy);
    return () => this.linkChecks.delete(unhealthy);
  }

  linkUnhealthy(): boolean {
    for (const c of this.linkChecks) if (c()) return true;
    return false;
  }

  /** Adds the standbys the active heard from (the cluster listener's heartbeats), for `sys/ha-status`. */
  contributePeers(source: () => readonly HAPeer[]): () => void {
    this.peerSources.add(source);
    return () => this.peerSources.delete(source);
  }

  /** The standbys heard from recently, while this node is active; none otherwise. */
  peers(): HAPeer[] {
    if (!this.role.isActive()) return [];
    return [...this.peerSources].flatMap((s) => s());
  }

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
    if (!this.role.isActive()) return;
    this.stepDownUntil = Date.now() + (this.o.stepDownWaitMs);
    await this.releaseAndStandby('step-down');
  }

  status(): HAStatus {
    if (this.role.isActive()) {
      return {
        enabled: true,
        isSelf: true,
        leaderAddress: this.o.apiAddr,
        leaderClusterAddress: this.o.clusterAddr,
        activeTime: this.role.activeTime?.toISOString(),
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
    return this.role.isActive() ? null : (this.leader?.ad ?? null);
  }

  private async releaseAndStandby(reason: string): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    if (this.role.isActive()) {
      await this.o.barrier.delete(`core/leader/${this.o.nodeId}`).catch(() => undefined);
      await this.role.becomeStandby(reason);
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
      const lock = this.backend.lock(LOCK_KEY, this.o.nodeId);
      let lost: AbortSignal;
      try {
        lost = await lock.acquire(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.o.logger.warn('HA lock acquisition failed; retrying', { error: (err as Error).message });
        await sleep(1000, signal);
        continue;
      }
      if (signal.aborted || this.role.isSealed()) {
        await lock.release().catch(() => undefined);
        return;
      }
      this.lock = lock;
      try {
        await this.role.becomeActive();
        const ad: LeaderAdvertisement = {
          api_addr: this.o.apiAddr,
          cluster_addr: this.o.clusterAddr,
          active_time: (this.role.activeTime ?? new Date()).toISOString(),
        };
        for (const c of this.contributors) Object.assign(ad, await c());
        await this.o.barrier.put(`core/leader/${this.o.nodeId}`, Buffer.from(JSON.stringify(ad)));
        this.leader = null;
        this.leaderChanged.emit(null);
      } catch (err) {
        this.o.logger.error('failed to become active; releasing the lock', { error: (err as Error).message });
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
        this.o.logger.warn('HA lock lost; becoming standby');
        this.lock = null;
        await this.role.becomeStandby('lock lost');
        await lock.release().catch(() => undefined);
      }
    }
  }

  /** Standbys follow the lock's value to know the active and its advertisement. */
  private async watchLeader(signal: AbortSignal): Promise<void> {
    let last: string | null = null;
    while (!signal.aborted) {
      try {
        const holder = await this.backend.lock(LOCK_KEY, this.o.nodeId).holder();
        const id = holder.held ? holder.value : null;
        if (id !== last || (id && !this.leader && id !== this.o.nodeId)) {
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
    if (!id || id === this.o.nodeId) {
      this.leader = null;
      if (!id) this.leaderChanged.emit(null);
      return;
    }
    for (let i = 0; i < 20; i++) {
      const raw = await this.o.barrier.get(`core/leader/${id}`).catch(() => null);
      if (raw) {
        this.leader = { id, ad: JSON.parse(Buffer.from(raw).toString('utf8')) as LeaderAdvertisement };
        this.leaderChanged.emit(this.leader.ad);
        return;
      }
      await sleep(100);
    }
    this.leader = null;
  }
}

/** Waits, or less when the signal aborts; never throws. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, { signal }).catch(() => undefined);
}
