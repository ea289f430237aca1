/** One write of a transaction. */
export type TxnOp =
  | { op: 'put'; key: string; value: Uint8Array }
  | { op: 'delete'; key: string };

/** Untrusted durable bytes. Keys are `/`-separated and validated by every implementation. */
export interface Backend {
  readonly type: string;
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys one level below `prefix` (which is empty or ends in `/`); folders end in `/`; sorted. */
  list(prefix: string): Promise<string[]>;
  /** All or nothing. */
  transaction(ops: TxnOp[]): Promise<void>;
  close?(): Promise<void>;
}

export interface LockHolder {
  held: boolean;
  value: string | null;
}

/** A distributed lock. `acquire` resolves once held with a signal that aborts when the lock is lost. */
export interface Lock {
  acquire(abort?: AbortSignal): Promise<AbortSignal>;
  release(): Promise<void>;
  holder(): Promise<LockHolder>;
}

export interface HABackend extends Backend {
  readonly haEnabled: true;
  lock(key: string, value: string): Lock;
  /** Waits until the holder of `key` may have changed (a blocking query where the backend has one). */
  watchLock?(key: string, lastValue: string | null, signal: AbortSignal): Promise<void>;
}

export function isHABackend(b: Backend): b is HABackend {
  return (b as Partial<HABackend>).haEnabled === true;
}
