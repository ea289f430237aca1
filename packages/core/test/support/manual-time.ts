// Virtual time for tests of lease and token timers: a clock and a TimerHost that fire only when told to.
import type { TimerHost } from '../../src/expiration/lease-timers.js';

/** Lets the promise chains a fired timer started run to their end. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Virtual time shared by the clock and the timers; records every delay asked for. */
export class ManualTime implements TimerHost {
  now = Date.UTC(2024, 0, 1);
  readonly delays: number[] = [];
  private seq = 0;
  private readonly items = new Map<number, { at: number; fn: () => void }>();
  readonly clock = { now: () => new Date(this.now) };

  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.delays.push(ms);
    this.items.set(id, { at: this.now + ms, fn });
    return id;
  }

  clear(handle: unknown): void {
    this.items.delete(handle as number);
  }

  get pending(): number {
    return this.items.size;
  }

  /** Moves time forward, firing due timers in order (including ones they set). */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      const due = [...this.items.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.items.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await flush();
    }
    this.now = target;
    await flush();
  }
}
