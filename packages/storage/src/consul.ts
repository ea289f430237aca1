import type { HABackend, Lock, TxnOp } from './backend.js';
import { ConsulClient, type ConsulClientOptions, type ConsulTxnOp } from './consul-api.js';
import { ConsulFence } from './consul-fence.js';
import { ConsulLock, type ConsulLockTiming } from './consul-lock.js';
import { FencedError, TooManyOperationsError, TransactionFailedError, ValueTooLargeError } from './errors.js';
import { validateKey, validatePrefix } from './keys.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConsulBackendOptions extends ConsulClientOptions, Partial<ConsulLockTiming> {
  /** Key prefix in Consul's KV; default `strongroom/`. */
  path?: string;
  /** Injected client, for sharing one connection pool. */
  client?: ConsulClient;
}

/** Consul's `txn_max_req_len` is 512 KiB for the whole JSON body, and values travel in it as base64. */
export const CONSUL_MAX_VALUE_BYTES = 384 * 1024 - 1024;
/** Consul refuses a transaction of more than 128 operations; one is kept for the fencing check. */
export const CONSUL_MAX_TXN_OPS = 127;

export const DEFAULT_LOCK_TIMING: ConsulLockTiming = {
  sessionTtl: '15s',
  lockDelay: '1s',
  checkTtl: '3s',
  lockWaitTime: '15s',
};

/**
 * Keys under a prefix in Consul's KV. Every write is a transaction, so that once this handle has held the HA
 * lock its writes begin with `check-session` on the lock key: a deposed holder can never write again.
 */
export class ConsulBackend implements HABackend {
  readonly type = 'consul';
  readonly haEnabled = true as const;
  readonly client: ConsulClient;
  readonly path: string;
  readonly timing: ConsulLockTiming;
  private readonly ownsClient: boolean;
  /** Set by a lock of this backend once held: the lock key and the session writes must prove. */
  private readonly fence = new ConsulFence();

  constructor(options: ConsulBackendOptions = {}) {
    this.client = options.client ?? new ConsulClient(options);
    this.ownsClient = !options.client;
    let p = options.path ?? 'strongroom/';
    if (p.startsWith('/')) p = p.slice(1);
    if (p !== '' && !p.endsWith('/')) p += '/';
    this.path = p;
    this.timing = {
      sessionTtl: options.sessionTtl ?? DEFAULT_LOCK_TIMING.sessionTtl,
      lockDelay: options.lockDelay ?? DEFAULT_LOCK_TIMING.lockDelay,
      checkTtl: options.checkTtl ?? DEFAULT_LOCK_TIMING.checkTtl,
      lockWaitTime: options.lockWaitTime ?? DEFAULT_LOCK_TIMING.lockWaitTime,
    };
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateKey(key);
    // Consistent: a newly elected Consul leader may answer a default read from state older than what it committed.
    const { pair } = await this.client.kvGet(this.path + key, { consistent: true });
    return pair ? new Uint8Array(pair.value) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.transaction([{ op: 'put', key, value }]);
  }

  async delete(key: string): Promise<void> {
    await this.transaction([{ op: 'delete', key }]);
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const full = this.path + prefix;
    const keys = await this.client.kvKeys(full, { consistent: true });
    const out = new Set<string>();
    for (const k of keys) {
      if (!k.startsWith(full)) continue;
      const rest = k.slice(full.length);
      if (rest !== '') out.add(rest);
    }
    return [...out].sort();
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    if (ops.length === 0) return;
    if (ops.length > CONSUL_MAX_TXN_OPS) throw new TooManyOperationsError(ops.length, CONSUL_MAX_TXN_OPS);
    const txn: ConsulTxnOp[] = [];
    for (const o of ops) {
      validateKey(o.key);
      if (o.op === 'put') {
        if (o.value.byteLength > CONSUL_MAX_VALUE_BYTES) {
          throw new ValueTooLargeError(o.key, o.value.byteLength, CONSUL_MAX_VALUE_BYTES);
        }
        txn.push({ Verb: 'set', Key: this.path + o.key, Value: Buffer.from(o.value).toString('base64') });
      } else {
        txn.push({ Verb: 'delete', Key: this.path + o.key });
      }
    }
    const fence = this.fence.current();
    if (fence) {
      if (fence.session === null) throw new FencedError();
      txn.unshift({ Verb: 'check-session', Key: this.path + fence.key, Session: fence.session });
    }
    try {
      await this.client.txn(txn);
    } catch (err) {
      if (fence && err instanceof TransactionFailedError && err.failedOps.includes(0)) {
        throw new FencedError(`write refused: this node no longer holds the HA lock (${fence.key})`);
      }
      throw err;
    }
  }

  lock(key: string, value: string): Lock {
    validateKey(key);
    return new ConsulLock({ client: this.client, prefix: this.path, fence: this.fence }, key, value, this.timing);
  }

  async watchLock(key: string, lastValue: string | null, signal: AbortSignal): Promise<void> {
    let index: number | undefined;
    while (!signal.aborted) {
      let res;
      try {
        res = await this.client.kvGet(this.path + key, { index, wait: '30s', signal });
      } catch {
        if (signal.aborted) return;
        await sleep(500);
        continue;
      }
      const current = res.pair?.session ? res.pair.value.toString('utf8') : null;
      if (current !== lastValue) return;
      index = res.index > (index ?? 0) ? res.index : undefined;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }
}
