import type { Logger } from './logger.js';

/**
 * A set of callbacks for one event. Adding returns the way to remove, so whoever subscribes can undo it without
 * knowing who else listens; a failing listener is logged and never stops the others.
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(value: T): void {
    for (const l of this.set) {
      try {
        l(value);
      } catch (err) {
        this.logger.warn('event listener failed', { event: this.name, error: (err as Error).message });
      }
    }
  }
}
