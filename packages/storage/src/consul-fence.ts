/**
 * What every write of a Consul backend must prove once its HA lock has been held: the lock key and the session
 * holding it. The lock sets it when acquired and clears the session when released; the backend reads it on each
 * write. Shared by the two as an object of its own, so neither reaches into the other.
 */
export class ConsulFence {
  private state: { key: string; session: string | null } | null = null;

  /** From now on writes must prove `session` on `key`. */
  hold(key: string, session: string): void {
    this.state = { key, session };
  }

  /** The lock was released: every write is refused until it is held again. */
  drop(key: string): void {
    this.state = { key, session: null };
  }

  /** Null until a lock was first held: no proof needed. */
  current(): { key: string; session: string | null } | null {
    return this.state;
  }
}
