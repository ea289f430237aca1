/**
 * Readers-writer lock over the node's state: requests hold it shared; seal and step-down take it exclusively,
 * so they wait for in-flight requests and no request starts while the state changes.
 */
export class StateLock {
  private readers = 0;
  private writer = false;
  private queue: { write: boolean; resolve: () => void }[] = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.release(false);
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.release(true);
    }
  }

  private acquire(write: boolean): Promise<void> {
    if (!this.writer && (write ? this.readers === 0 : !this.queue.some((q) => q.write)) && (write ? this.queue.length === 0 : true)) {
      if (write) this.writer = true;
      else this.readers++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ write, resolve }));
  }

  private release(write: boolean): void {
    if (write) this.writer = false;
    else this.readers--;
    while (this.queue.length > 0 && !this.writer) {
      const next = this.queue[0]!;
      if (next.write) {
        if (this.readers > 0) break;
        this.queue.shift();
        this.writer = true;
        next.resolve();
        break;
      }
      this.queue.shift();
      this.readers++;
      next.resolve();
    }
  }
}
