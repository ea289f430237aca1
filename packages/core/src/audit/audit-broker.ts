import { type Clock, systemClock } from '../clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { AuditFailedError, InvalidRequestError } from '../errors.js';
import type { AuditDevice, AuditEntry } from './audit-device.js';
import { type AuditInput, type EntryFormat, type HashMemo, formatRequestEntry, formatResponseEntry } from './audit-entry.js';
import type { FormatOptions } from './audit-options.js';
import { hashWithSalt, saltKey } from './salt.js';
import { withTimeout } from './with-timeout.js';

export interface AuditBrokerOptions {
  logger?: Logger;
  clock?: Clock;
  /** How long one device may take to accept an entry before it counts as failed. */
  timeoutMs?: number;
}

/** What the broker needs to format entries for one device. */
export interface AuditRegistration extends Partial<FormatOptions> {
  salt: string;
}

interface Registered {
  device: AuditDevice;
  format: EntryFormat;
  /** By token key (AuditInput.tokenKey): the HMACs of that token and of its accessor, as this device writes them. */
  tokens: Map<string, [token: string | undefined, accessor: string | undefined]>;
}

/** Tokens whose HMACs a device remembers; beyond it the oldest are forgotten. */
const MAX_REMEMBERED_TOKENS = 10_000;

export const DEFAULT_AUDIT_TIMEOUT_MS = 5000;

function withSlash(path: string): string {
  return path.endsWith('/') ? path : path + '/';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Fans an audit entry out to every enabled device. Fails closed: with devices enabled, a request is refused
 * (`AuditFailedError`) unless at least one device accepted its entry within the timeout.
 */
export class AuditBroker {
  private readonly devices = new Map<string, Registered>();
  /** Per request, each device's HMACs so far: its response entry hashes mostly what its request entry did. */
  private readonly memos = new WeakMap<object, Map<EntryFormat, HashMemo>>();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(opts: AuditBrokerOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS;
  }

  register(path: string, device: AuditDevice, opts: AuditRegistration): void {
    this.devices.set(withSlash(path), {
      device,
      format: {
        salt: opts.salt,
        saltKey: saltKey(opts.salt),
        logRaw: opts.logRaw ?? false,
        hmacAccessor: opts.hmacAccessor ?? true,
        elideListResponses: opts.elideListResponses ?? false,
      },
      tokens: new Map(),
    });
  }

  /** Forgets the device (the caller closes it); false when nothing was registered at `path`. */
  deregister(path: string): boolean {
    return this.devices.delete(withSlash(path));
  }

  hasDevices(): boolean {
    return this.devices.size > 0;
  }

  isRegistered(path: string): boolean {
    return this.devices.has(withSlash(path));
  }

  logRequest(input: AuditInput): Promise<void> {
    return this.devices.size === 0 ? Promise.resolve() : this.log('request', input);
  }

  logResponse(input: AuditInput): Promise<void> {
    return this.devices.size === 0 ? Promise.resolve() : this.log('response', input);
  }

  /** `sys/audit-hash`: the device's HMAC of `input`, the same one its entries carry (log_raw does not apply). */
  hash(path: string, input: string): string {
    const reg = this.devices.get(withSlash(path));
    if (!reg) throw new InvalidRequestError(`unknown audit backend "${withSlash(path)}"`);
    return hashWithSalt(reg.format.salt, input);
  }

  /** SIGHUP: every device reopens its output. A failure is logged; the device retries on its next entry. */
  async reloadAll(): Promise<void> {
    await Promise.all(
      [...this.devices].map(async ([path, reg]) => {
        try {
          await this.bounded(reg.device.reload(), path);
        } catch (err) {
          this.logger.error('audit device failed to reload', { path, error: message(err) });
        }
      }),
    );
  }

  private async log(kind: 'request' | 'response', input: AuditInput): Promise<void> {
    if (this.devices.size === 0) return;
    const now = this.clock.now();
    const format = kind === 'request' ? formatRequestEntry : formatResponseEntry;
    const memos = this.memosOf(input.request);
    const errors: Error[] = [];
    let ok = 0;
    await Promise.all(
      [...this.devices].map(async ([path, reg]) => {
        try {
          let memo = memos.get(reg.format);
          if (!memo) memos.set(reg.format, (memo = this.recall(reg, input)));
          const entry: AuditEntry = format(input, reg.format, now, memo);
          this.remember(reg, input, memo);
          await this.bounded(kind === 'request' ? reg.device.logRequest(entry) : reg.device.logResponse(entry), path);
          ok++;
        } catch (err) {
          errors.push(err instanceof Error ? err : new Error(message(err)));
          this.logger.error(`audit device failed to log the ${kind}`, { path, request_id: input.request.id, error: message(err) });
        }
      }),
    );
    if (ok === 0) {
      this.logger.error(`no audit device succeeded in logging the ${kind}`, { request_id: input.request.id });
      throw new AuditFailedError({ cause: new AggregateError(errors, `no audit device succeeded in logging the ${kind}`) });
    }
  }

  /** A request's first memo for a device: what the device already knows of the request's token. */
  private recall(reg: Registered, input: AuditInput): HashMemo {
    const memo: HashMemo = new Map();
    const auth = input.auth ?? input.request.auth;
    const known = input.tokenKey !== undefined && auth ? reg.tokens.get(input.tokenKey) : undefined;
    if (known && auth) {
      if (known[0] !== undefined && auth.clientToken) memo.set(auth.clientToken, known[0]);
      if (known[1] !== undefined && auth.accessor) memo.set(auth.accessor, known[1]);
    }
    return memo;
  }

  private remember(reg: Registered, input: AuditInput, memo: HashMemo): void {
    const auth = input.auth ?? input.request.auth;
    if (input.tokenKey === undefined || !auth || reg.tokens.has(input.tokenKey)) return;
    const token = auth.clientToken ? memo.get(auth.clientToken) : undefined;
    const accessor = auth.accessor ? memo.get(auth.accessor) : undefined;
    if (token === undefined && accessor === undefined) return;
    reg.tokens.set(input.tokenKey, [token, accessor]);
    if (reg.tokens.size > MAX_REMEMBERED_TOKENS) {
      const oldest = reg.tokens.keys().next();
      if (!oldest.done) reg.tokens.delete(oldest.value);
    }
  }

  private memosOf(request: object): Map<EntryFormat, HashMemo> {
    let m = this.memos.get(request);
    if (!m) this.memos.set(request, (m = new Map()));
    return m;
  }

  /** A device that hangs must not hold the request forever. */
  private bounded(p: Promise<void>, path: string): Promise<void> {
    return withTimeout(p, this.timeoutMs, `audit device ${path}`);
  }
}
