import { RateLimitedError } from '../errors.js';

/**
 * Runs at most `concurrency` tasks at once and lets at most `maxWaiting` wait; beyond that a task is refused at
 * once (429). For costly work a client can trigger without credentials, such as password hashing at login: a
 * flood then waits or is turned away instead of queueing without bound.
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new RateLimitedError('too many requests in progress; retry later');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so `running` never drops below what is actually running.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
