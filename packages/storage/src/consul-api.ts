import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import Consul from 'consul';
import { StorageUnavailableError, TransactionFailedError, ValueTooLargeError } from './errors.js';

export interface ConsulClientOptions {
  /** `host:port`, default `127.0.0.1:8500`. */
  address?: string;
  scheme?: 'http' | 'https';
  token?: string;
  tlsCaFile?: string;
  tlsCa?: Buffer;
  tlsCert?: Buffer;
  tlsKey?: Buffer;
  tlsSkipVerify?: boolean;
  /** Deadline of one request (not of a blocking query's wait); default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export interface KVPair {
  key: string;
  value: Buffer;
  session: string | null;
  modifyIndex: number;
}

export type ConsulTxnOp =
  | { Verb: 'set'; Key: string; Value: string }
  | { Verb: 'delete'; Key: string }
  | { Verb: 'get'; Key: string }
  | { Verb: 'check-session'; Key: string; Session: string }
  | { Verb: 'check-not-exists'; Key: string };

interface RawKV {
  Key: string;
  Value: Buffer | null;
  Session?: string;
  ModifyIndex: number;
}

interface ResponseErrorShape {
  message?: string;
  response?: { statusCode?: number; body?: unknown };
}

/**
 * A typed facade over the `consul` npm client: its bundled types are loose, binary values need `buffer: true`,
 * and blocking queries need the response headers. Everything Strongroom asks of Consul goes through here.
 */
export class ConsulClient {
  private readonly consul: Consul;
  private readonly agent: http.Agent;

  constructor(readonly options: ConsulClientOptions = {}) {
    const [host = '127.0.0.1', portText = '8500'] = (options.address ?? '127.0.0.1:8500').split(':');
    const secure = options.scheme === 'https';
    this.agent = secure
      ? new https.Agent({
          keepAlive: true,
          ca: options.tlsCa,
          cert: options.tlsCert,
          key: options.tlsKey,
          rejectUnauthorized: !options.tlsSkipVerify,
        })
      : new http.Agent({ keepAlive: true });
    this.consul = new Consul({
      host,
      port: Number(portText),
      secure,
      agent: this.agent,
      // No call may hang on an unreachable agent: blocking queries get their wait plus slack instead.
      defaults: { ...(options.token ? { token: options.token } : {}), timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    } as ConstructorParameters<typeof Consul>[0]);
  }

  close(): void {
    this.agent.destroy();
  }

  async kvGet(key: string, opts: { index?: number; wait?: string; signal?: AbortSignal; consistent?: boolean } = {}): Promise<{ pair: KVPair | null; index: number }> {
    const ctx = abortContext(opts.signal);
    const q: Record<string, unknown> = { key, buffer: true, ctx };
    if (opts.consistent) q.consistent = true;
    if (opts.index !== undefined) {
      q.index = opts.index;
      q.wait = opts.wait ?? '30s';
      q.timeout = 60_000;
    }
    try {
      const [res, body] = (await this.call(() => this.consul.kv.get(q as never))) as unknown as [
        { headers: Record<string, string> },
        RawKV | undefined,
      ];
      const index = Number(res?.headers?.['x-consul-index'] ?? 0);
      if (!body) return { pair: null, index };
      return {
        pair: {
          key: body.Key,
          value: body.Value ?? Buffer.alloc(0),
          session: body.Session ?? null,
          modifyIndex: body.ModifyIndex,
        },
        index,
      };
    } finally {
      ctx.cleanup();
    }
  }

  async kvKeys(prefix: string, opts: { consistent?: boolean } = {}): Promise<string[]> {
    try {
      const keys = (await this.consul.kv.keys({ key: prefix, separator: '/', ...(opts.consistent ? { consistent: true } : {}) } as never)) as unknown;
      return Array.isArray(keys) ? (keys as string[]) : [];
    } catch (err) {
      if ((err as ResponseErrorShape).response?.statusCode === 404) return [];
      throw unavailable(err);
    }
  }

  async kvAcquire(key: string, value: Buffer, session: string): Promise<boolean> {
    return (await this.call(() => this.consul.kv.set({ key, value, acquire: session } as never))) as unknown as boolean;
  }

  async kvRelease(key: string, session: string): Promise<boolean> {
    return (await this.call(() =>
      this.consul.kv.set({ key, value: '', release: session } as never),
    )) as unknown as boolean;
  }

  /** All-or-nothing; a refused transaction throws `TransactionFailedError` carrying Consul's reasons. */
  async txn(ops: ConsulTxnOp[]): Promise<void> {
    try {
      await this.consul.transaction.create(ops.map((KV) => ({ KV })) as never);
    } catch (err) {
      const e = err as ResponseErrorShape;
      const status = e.response?.statusCode;
      if (status === 409) {
        const errors = (e.response?.body as { Errors?: { OpIndex: number; What: string }[] } | undefined)?.Errors ?? [];
        throw new TransactionFailedError(
          `consul transaction refused: ${errors.map((x) => `op ${x.OpIndex}: ${x.What}`).join('; ')}`,
          errors.map((x) => x.OpIndex),
          { cause: err },
        );
      }
      if (status === 413) throw new ValueTooLargeError('(transaction)', 0, 512 * 1024);
      throw unavailable(err);
    }
  }

  async sessionCreate(body: { name: string; ttl: string; lockDelay: string; checks: string[]; behavior: 'release' | 'delete' }): Promise<string> {
    const res = (await this.call(() =>
      this.consul.session.create({
        name: body.name,
        ttl: body.ttl,
        lockdelay: body.lockDelay,
        checks: body.checks,
        behavior: body.behavior,
      } as never),
    )) as unknown as { ID: string };
    return res.ID;
  }

  /** Returns false when the session no longer exists. */
  async sessionRenew(id: string): Promise<boolean> {
    try {
      const res = (await this.consul.session.renew({ id } as never)) as unknown;
      return Array.isArray(res) ? res.length > 0 : Boolean(res);
    } catch (err) {
      if ((err as ResponseErrorShape).response?.statusCode === 404) return false;
      throw unavailable(err);
    }
  }

  async sessionDestroy(id: string): Promise<void> {
    await this.call(() => this.consul.session.destroy({ id } as never));
  }

  async checkRegister(check: { id: string; name: string; ttl: string; notes?: string }): Promise<void> {
    await this.call(() =>
      this.consul.agent.check.register({ id: check.id, name: check.name, ttl: check.ttl, notes: check.notes } as never),
    );
  }

  async checkPass(id: string, note?: string): Promise<void> {
    await this.call(() => this.consul.agent.check.pass({ id, note } as never));
  }

  async checkFail(id: string, note?: string): Promise<void> {
    await this.call(() => this.consul.agent.check.fail({ id, note } as never));
  }

  async checkDeregister(id: string): Promise<void> {
    await this.call(() => this.consul.agent.check.deregister({ id } as never));
  }

  async serviceRegister(svc: {
    name: string;
    id: string;
    tags: string[];
    address?: string;
    port?: number;
    meta?: Record<string, string>;
    check: { id: string; name: string; ttl: string; status: 'passing' | 'critical'; deregisterAfter?: string };
  }): Promise<void> {
    await this.call(() =>
      this.consul.agent.service.register({
        name: svc.name,
        id: svc.id,
        tags: svc.tags,
        address: svc.address,
        port: svc.port,
        meta: svc.meta,
        // Inside a service definition Consul names the field CheckID (the client maps `checkid` to it).
        check: {
          checkid: svc.check.id,
          name: svc.check.name,
          ttl: svc.check.ttl,
          status: svc.check.status,
          deregistercriticalserviceafter: svc.check.deregisterAfter,
        },
      } as never),
    );
  }

  async serviceDeregister(id: string): Promise<void> {
    await this.call(() => this.consul.agent.service.deregister({ id } as never));
  }

  async healthService(name: string, opts: { tag?: string; passing?: boolean } = {}): Promise<{ id: string; tags: string[]; address: string; port: number }[]> {
    const rows = (await this.call(() =>
      this.consul.health.service({ service: name, tag: opts.tag, passing: opts.passing } as never),
    )) as unknown as { Service: { ID: string; Tags: string[]; Address: string; Port: number } }[];
    return rows.map((r) => ({ id: r.Service.ID, tags: r.Service.Tags, address: r.Service.Address, port: r.Service.Port }));
  }

  async statusLeader(): Promise<string> {
    return (await this.call(() => this.consul.status.leader())) as unknown as string;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function unavailable(err: unknown): Error {
  if (err instanceof StorageUnavailableError || err instanceof TransactionFailedError) return err;
  const e = err as ResponseErrorShape;
  const status = e.response?.statusCode;
  const body = typeof e.response?.body === 'string' ? `: ${e.response.body}` : '';
  return new StorageUnavailableError(`consul request failed${status ? ` (${status})` : ''}: ${e.message ?? String(err)}${body}`, {
    cause: err,
  });
}

/** The consul client aborts a request when its `ctx` emitter emits `cancel`. */
function abortContext(signal?: AbortSignal): EventEmitter & { includeResponse: true; cleanup(): void } {
  const ctx = Object.assign(new EventEmitter(), { includeResponse: true as const, cleanup: () => {} });
  if (signal) {
    const onAbort = (): void => {
      ctx.emit('cancel');
    };
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
    ctx.cleanup = () => signal.removeEventListener('abort', onAbort);
  }
  return ctx;
}
