import { randomUUID } from 'node:crypto';
import type { Lock, LockHolder } from './backend.js';
import type { ConsulClient } from './consul-api.js';
import type { ConsulFence } from './consul-fence.js';
import { parseDurationMs } from './duration.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConsulLockTiming {
  /** Session TTL; Consul may take up to twice this to invalidate an unrenewed session. */
  sessionTtl: string;
  /** Consul's lock-delay after an invalidation. Short is safe because every write is fenced. */
  lockDelay: string;
  /** TTL of the health check the holder refreshes; a dead or frozen holder loses the lock this long after its last refresh. */
  checkTtl: string;
  /** How long one blocking query waits for the holder to change. */
  lockWaitTime: string;
}

/**
 * Consul session lock. The session is tied to a TTL check on the local agent that this process refreshes,
 * so a crashed or frozen holder loses the lock `checkTtl` after its last refresh rather than after 2x the
 * session TTL plus the lock-delay.
 */
export class ConsulLock implements Lock {
  private session: string | null = null;
  private checkId: string | null = null;
  private controller: AbortController | null = null;
  private timers: NodeJS.Timeout[] = [];
  private monitorAbort: AbortController | null = null;
  private lastRefreshOk = 0;
  /** The timings this process acts on, read once: a bad one throws here rather than inside a timer. */
  private readonly ms: { sessionTtl: number; lockDelay: number; checkTtl: number };

  constructor(
    /** The backend's client, key prefix and write fence. */
    private readonly backend: { client: ConsulClient; prefix: string; fence: ConsulFence },
    private readonly key: string,
    private readonly value: string,
    private readonly timing: ConsulLockTiming,
  ) {
    this.ms = {
      sessionTtl: parseDurationMs(timing.sessionTtl),
      lockDelay: parseDurationMs(timing.lockDelay),
      checkTtl: parseDurationMs(timing.checkTtl),
    };
  }

  private get fullKey(): string {
    return this.backend.prefix + this.key;
  }

  async acquire(abort?: AbortSignal): Promise<AbortSignal> {
    const client = this.backend.client;
    let index: number | undefined;
    for (;;) {
      abort?.throwIfAborted();
      if (!this.session) await this.createSession();
      const ok = await client.kvAcquire(this.fullKey, Buffer.from(this.value), this.session as string);
      if (ok) {
        this.controller = new AbortController();
        this.backend.fence.hold(this.key, this.session as string);
        this.monitor();
        return this.controller.signal;
      }
      // Held by another session, or free but inside the lock-delay: wait for a change, then try again.
      const res = await client.kvGet(this.fullKey, { index, wait: this.timing.lockWaitTime, signal: abort }).catch(() => null);
      abort?.throwIfAborted();
      if (!res) {
        await sleep(500);
        continue;
      }
      if (!res.pair?.session) {
        await sleep(Math.min(250, this.ms.lockDelay || 250));
        index = undefined;
      } else {
        index = res.index;
      }
    }
  }

  async release(): Promise<void> {
    const session = this.session;
    this.stop();
    this.backend.fence.drop(this.key);
    this.controller?.abort(new Error('lock released'));
    this.controller = null;
    if (session) {
      await this.backend.client.kvRelease(this.fullKey, session).catch(() => false);
      await this.backend.client.sessionDestroy(session).catch(() => undefined);
    }
    await this.dropCheck();
  }

  async holder(): Promise<LockHolder> {
    const { pair } = await this.backend.client.kvGet(this.fullKey);
    if (!pair?.session) return { held: false, value: null };
    return { held: true, value: pair.value.toString('utf8') };
  }

  private async createSession(): Promise<void> {
    const client = this.backend.client;
    this.checkId = `strongroom-lock-${randomUUID()}`;
    await client.checkRegister({ id: this.checkId, name: 'Strongroom HA lock holder alive', ttl: this.timing.checkTtl });
    await client.checkPass(this.checkId);
    this.lastRefreshOk = Date.now();
    this.session = await client.sessionCreate({
      name: 'Strongroom Lock',
      ttl: this.timing.sessionTtl,
      lockDelay: this.timing.lockDelay,
      checks: ['serfHealth', this.checkId],
      behavior: 'release',
    });
    const checkEvery = Math.max(200, this.ms.checkTtl / 3);
    const renewEvery = Math.max(1000, this.ms.sessionTtl / 2);
    this.timers.push(setInterval(() => void this.refreshCheck(), checkEvery));
    // Independent of any answer: a request to an unreachable agent may hang rather than fail.
    this.timers.push(setInterval(() => this.watchdog(), Math.max(100, checkEvery / 2)));
    this.timers.push(setInterval(() => void this.renewSession(), renewEvery));
  }

  private async refreshCheck(): Promise<void> {
    if (!this.checkId) return;
    const started = Date.now();
    try {
      await this.backend.client.checkPass(this.checkId);
      // Count from when the refresh was sent: that is the latest moment Consul can have seen us alive.
      this.lastRefreshOk = Math.max(this.lastRefreshOk, started);
    } catch {
      this.watchdog();
    }
  }

  /**
   * Cut off from Consul (partition, dead agent): once the check may have lapsed the session may be gone and another
   * node may hold the lock, so stop believing we hold it, counting from the last refresh Consul acknowledged.
   */
  private watchdog(): void {
    if (this.controller && Date.now() - this.lastRefreshOk >= this.ms.checkTtl) this.lose();
  }

  private async renewSession(): Promise<void> {
    if (!this.session) return;
    const alive = await this.backend.client.sessionRenew(this.session).catch(() => true);
    if (!alive) this.lose();
  }

  /** Watches the lock key: once it no longer carries our session the lock is lost. */
  private monitor(): void {
    const ac = new AbortController();
    this.monitorAbort = ac;
    const session = this.session;
    void (async () => {
      let index: number | undefined;
      while (!ac.signal.aborted) {
        const res = await this.backend.client
          .kvGet(this.fullKey, { index, wait: '10s', signal: ac.signal })
          .catch(() => null);
        if (ac.signal.aborted) return;
        if (!res) {
          await sleep(250);
          continue;
        }
        if (res.pair?.session !== session) {
          this.lose();
          return;
        }
        index = res.index;
      }
    })();
  }

  private lose(): void {
    const session = this.session;
    this.stop();
    this.controller?.abort(new Error('lock lost'));
    this.controller = null;
    // The fence keeps the old session: Consul refuses any write that still tries it.
    if (session) void this.backend.client.sessionDestroy(session).catch(() => undefined);
    void this.dropCheck();
  }

  private stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.monitorAbort?.abort();
    this.monitorAbort = null;
    this.session = null;
  }

  private async dropCheck(): Promise<void> {
    const id = this.checkId;
    this.checkId = null;
    if (id) await this.backend.client.checkDeregister(id).catch(() => undefined);
  }
}
