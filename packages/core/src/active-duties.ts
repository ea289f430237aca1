import type { Logger } from './util/logger.js';

export interface Duty {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * The duties of an active node as one ordered list: set up in order, torn down in reverse, so that every
 * subsystem sees its dependencies alive for its whole life. A failed setup tears down what was already up.
 */
export class ActiveDuties {
  private done: Duty[] = [];

  constructor(
    private readonly duties: Duty[],
    private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.done.length > 0;
  }

  async setup(): Promise<void> {
    for (const d of this.duties) {
      try {
        await d.setup();
      } catch (err) {
        this.logger.error('active duty failed to start', { duty: d.name, error: (err as Error).message });
        await this.teardown();
        throw err;
      }
      this.done.push(d);
    }
  }

  async teardown(): Promise<void> {
    while (this.done.length > 0) {
      const d = this.done.pop()!;
      try {
        await d.teardown();
      } catch (err) {
        this.logger.error('active duty failed to stop', { duty: d.name, error: (err as Error).message });
      }
    }
  }
}
