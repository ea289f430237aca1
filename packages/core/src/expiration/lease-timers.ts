import type { Clock } from '../clock.js';

/** How timers are set; tests pass a manual one. */
export interface TimerHost {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Node fires a timer longer than 2^31-1 ms at once; Vault's default lease is 768 h, so long waits are re-armed. */
export const MAX_TIMER_DELAY_MS = 24 * 24 * 3600 * 1000;

/** Real timers, unref'd so that pending lease timers never keep a process alive on their own. */
export const nodeTimerHost: TimerHost = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** One timer per key that fires at a wall-clock time, however far away, by re-arming in clamped steps. */
export class LeaseTimers {
  private readonly handles = new Map<string, unknown>();

  constructor(
    private readonly host: TimerHost,
    private readonly clock: Clock,
  ) {}

  /** Replaces any timer of `key`; `fire` runs once the clock reaches `dueMs`. */
  arm(key: string, dueMs: number, fire: () => void): void {
    this.disarm(key);
    const delay = Math.min(Math.max(0, dueMs - this.clock.now().getTime()), MAX_TIMER_DELAY_MS);
    const handle = this.host.set(() => {
      if (this.handles.get(key) !== handle) return;
      this.handles.delete(key);
      // Woken early (a clamped step, or a clock that lags the timer): wait for the rest.
      if (this.clock.now().getTime() < dueMs) this.arm(key, dueMs, fire);
      else fire();
    }, delay);
    this.handles.set(key, handle);
  }

  /** A plain delay (revocation retries), not tied to the wall clock. */
  after(key: string, ms: number, fire: () => void): void {
    this.disarm(key);
    const handle = this.host.set(() => {
      if (this.handles.get(key) !== handle) return;
      this.handles.delete(key);
      fire();
    }, Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS));
    this.handles.set(key, handle);
  }

  disarm(key: string): void {
    const h = this.handles.get(key);
    if (h === undefined) return;
    this.host.clear(h);
    this.handles.delete(key);
  }

  has(key: string): boolean {
    return this.handles.has(key);
  }

  get size(): number {
    return this.handles.size;
  }

  clear(): void {
    for (const h of this.handles.values()) this.host.clear(h);
    this.handles.clear();
  }
}
