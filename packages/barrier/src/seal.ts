/** Where the root key comes from: operators' shares, or a seal that wraps it and finds it again in storage. */
export type SealType = 'shamir' | 'static' | 'transit';
export type AutoSealType = Exclude<SealType, 'shamir'>;

/** A value wrapped by an auto-unseal seal, as stored (JSON) next to the barrier. */
export interface WrappedKey {
  /** The seal type that wrapped it. */
  type: AutoSealType;
  /** Which of the seal's keys wrapped it: the static seal's key id, or the transit key's name and version. */
  key_id: string;
  /** Base64 (static) or the transit engine's `vault:vN:...` text. */
  ciphertext: string;
}

/** Reports of a seal's background work (token renewal); never given a secret. */
export interface SealLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/**
 * A seal that wraps the root key so the node can unseal itself: the static key or another cluster's transit key.
 * A wrong or missing key is `DecryptFailedError`; an unreachable or failing key service is `SealUnavailableError`.
 */
export interface AutoSeal {
  readonly type: AutoSealType;
  wrap(plain: Uint8Array): Promise<WrappedKey>;
  /** `stale` when the value was wrapped by a key that is no longer the current one: rewrap it. */
  unwrap(wrapped: WrappedKey): Promise<{ plain: Uint8Array; stale: boolean }>;
  /** Starts background work (token renewal). */
  start?(): void;
  /** Stops it and forgets key material. */
  stop?(): void;
  /** What `sys/seal-backend-status` and logs may show. */
  describe(): Record<string, unknown>;
}
