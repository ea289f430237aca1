import type { Backend } from '@strongroom/storage';
import type { Clock } from '../clock.js';
import type { Logger } from '../util/logger.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError } from '../errors.js';
import type { Response, Secret } from '../logical/request.js';
import { randomBase62 } from '../token/token-id.js';
import { calculateTTL, type TTLLimits } from './calculate-ttl.js';
import { authLeaseId, ID_PREFIX, leaseInfo, leaseKey, leasePrefixKey, renewProblem, type LeaseEntry, type LeaseInfo } from './lease-entry.js';
import { LeaseStore } from './lease-store.js';
import { LeaseTimers, nodeTimerHost, type TimerHost } from './lease-timers.js';

/** How the manager reaches the backends that issued leases (the core wires these to its router and token store). */
export interface ExpirationRouter {
  revokeSecret(path: string, secret: Secret): Promise<void>;
  /** Null: the backend accepts the renewal as asked. */
  renewSecret(path: string, secret: Secret, increment: number): Promise<Response | null>;
  revokeToken(tokenId: string): Promise<void>;
  /** Whether the token a secret was obtained with still exists; tidy revokes leases whose token is gone. */
  tokenExists?(tokenId: string): Promise<boolean>;
}

export interface RevokeRetry {
  attempts: number;
  /** Delay before the first retry; doubles each time. */
  baseMs: number;
}

export interface ExpirationManagerOptions {
  /** A view at `sys/expire/`. */
  storage: Backend;
  clock: Clock;
  logger: Logger;
  router: ExpirationRouter;
  /** System TTL limits; default 768 h for both. */
  limits?: TTLLimits;
  timers?: TimerHost;
  /** Vault's schedule: 6 attempts, 10 s base. */
  revokeRetry?: RevokeRetry;
}

/** A token lease as the token store registers it. Times in unix ms; `expireTimeMs` 0 = never. */
export interface AuthLease {
  path: string;
  tokenId: string;
  tokenHash: string;
  issueTimeMs: number;
  expireTimeMs: number;
  lastRenewalMs?: number;
  renewable: boolean;
}

const DEFAULT_TTL = 768 * 3600;
const RESTORE_CONCURRENCY = 8;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Every lease lives at `id/<lease-id>` with a timer that revokes it at expiry; secret leases are also indexed by
 * the token that obtained them (`token/<token-hash>/<lease-hash>`) so that revoking a token revokes its secrets.
 * Failed revocations are retried with backoff, then the lease is kept and marked irrevocable.
 */
export class ExpirationManager {
  private readonly timers: LeaseTimers;
  private readonly locks = new KeyedLock();
  private readonly inflight = new Set<Promise<void>>();
  private readonly limits: TTLLimits;
  private readonly retry: RevokeRetry;
  private readonly store: LeaseStore;
  /** False between `stop()` and `restore()`: no timer is armed and failures are left for the next active node. */
  private running = true;
  /** Bumped by every restore and stop, so a restore still loading leases stops when it is superseded. */
  private restoreGen = 0;

  constructor(private readonly o: ExpirationManagerOptions) {
    this.store = new LeaseStore(o.storage);
    this.timers = new LeaseTimers(o.timers ?? nodeTimerHost, o.clock);
    this.limits = o.limits ?? { defaultLeaseTTL: () => DEFAULT_TTL, maxLeaseTTL: () => DEFAULT_TTL };
    this.retry = o.revokeRetry ?? { attempts: 6, baseMs: 10_000 };
  }

  // --- lifecycle

  /** On becoming active: arms a timer for every stored lease; leases already past expiry are revoked now. */
  async restore(): Promise<void> {
    this.timers.clear();
    this.running = true;
    const gen = ++this.restoreGen;
    const ids = await this.store.leaseIdsUnder(ID_PREFIX);
    let expired = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length && gen === this.restoreGen) {
        const id = ids[next++]!;
        let e: LeaseEntry | null;
        try {
          e = await this.store.load(id);
        } catch (err) {
          this.o.logger.error('could not load a lease', { lease_id: id, error: message(err) });
          continue;
        }
        if (!e || e.revokeErr || !e.expireTime) continue;
        if (e.expireTime <= this.nowMs()) {
          expired++;
          this.track(this.revokeWithRetry(e.leaseId, 0, true));
        } else {
          this.schedule(e);
        }
      }
    };
    await Promise.all(Array.from({ length: RESTORE_CONCURRENCY }, worker));
    this.o.logger.info('lease timers restored', { leases: ids.length, expired });
  }

  /** Clears every timer without revoking anything (seal, step-down). */
  stop(): void {
    this.running = false;
    this.restoreGen++;
    this.timers.clear();
    this.store.reset();
  }

  /** Resolves once no background revocation is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  // --- registration

  /** Gives a backend's secret a lease id `<path>/<random>` and stores the lease; the TTL defaults to the system's. */
  async register(req: { path: string; clientToken: string }, resp: Response): Promise<void> {
    const secret = resp.secret;
    if (!secret) return;
    const path = req.path.replace(/\/+$/, '');
    const leaseId = `${path}/${randomBase62(24)}`;
    const key = leaseKey(leaseId);
    if (!key) throw new InvalidRequestError(`cannot register a lease for path "${req.path}"`);
    const now = this.nowMs();
    const ttl = secret.ttl > 0 ? secret.ttl : this.limits.defaultLeaseTTL();
    const e: LeaseEntry = {
      leaseId,
      kind: 'secret',
      path,
      clientToken: req.clientToken,
      secret: { ...secret, leaseId, ttl },
      renewable: secret.renewable,
      issueTime: now,
      expireTime: now + ttl * 1000,
      lastRenewalTime: 0,
    };
    await this.store.insert(e);
    secret.leaseId = leaseId;
    secret.ttl = ttl;
    this.schedule(e);
  }

  /** Creates or updates (on renewal) a token's lease; at expiry the manager asks the router to revoke the token. */
  async registerAuth(a: AuthLease): Promise<string> {
    const leaseId = authLeaseId(a.path, a.tokenHash);
    const key = leaseKey(leaseId);
    if (!key) throw new InvalidRequestError(`cannot register a lease for path "${a.path}"`);
    const e: LeaseEntry = {
      leaseId,
      kind: 'auth',
      path: a.path,
      clientToken: a.tokenId,
      renewable: a.renewable,
      issueTime: a.issueTimeMs,
      expireTime: a.expireTimeMs,
      lastRenewalTime: a.lastRenewalMs ?? 0,
    };
    await this.store.save(e);
    this.schedule(e);
    return leaseId;
  }

  /** Drops a lease without calling its backend: the token store does this for a token it revoked itself. */
  async forget(leaseId: string): Promise<void> {
    const e = await this.store.load(leaseId);
    this.timers.disarm(leaseId);
    if (e) await this.store.remove(e);
  }

  // --- queries

  async lookup(leaseId: string): Promise<LeaseInfo | null> {
    const e = await this.store.load(leaseId);
    return e ? leaseInfo(e, this.nowMs()) : null;
  }

  /** One level of lease ids under `prefix` (`sys/leases/lookup/<prefix>`): id suffixes and sub-prefixes ending in `/`. */
  async listPrefix(prefix: string): Promise<string[]> {
    const key = leasePrefixKey(prefix);
    if (key === null) throw new InvalidRequestError('invalid prefix');
    return this.store.list(key);
  }

  // --- renewal

  /** Renews a secret lease by `increment` seconds from now (0 = the backend's TTL), within its max TTL. */
  async renew(leaseId: string, increment: number): Promise<Response> {
    return this.locks.run(leaseId, async () => {
      const e = await this.store.load(leaseId);
      if (!e) throw new InvalidRequestError('lease not found');
      if (e.kind === 'auth' || !e.secret) throw new InvalidRequestError('tokens cannot be renewed through this endpoint');
      const now = this.nowMs();
      const problem = renewProblem(e, now);
      if (problem) throw new InvalidRequestError(problem);
      const current = e.secret;
      const resp = await this.o.router.renewSecret(e.path, { ...current, leaseId }, increment);
      const granted = resp?.secret ?? current;
      const { ttl, warnings } = calculateTTL({
        limits: this.limits,
        increment,
        backendTTL: granted.ttl,
        period: 0,
        backendMaxTTL: granted.maxTTL ?? current.maxTTL ?? 0,
        explicitMaxTTL: 0,
        startMs: e.issueTime,
        nowMs: now,
      });
      e.secret = { ...current, ...granted, leaseId, ttl, internalData: granted.internalData ?? current.internalData };
      e.renewable = e.secret.renewable;
      e.expireTime = now + ttl * 1000;
      e.lastRenewalTime = now;
      await this.store.save(e);
      this.schedule(e);
      const out: Response = { secret: { leaseId, ttl, renewable: e.renewable } };
      if (resp?.data) out.data = resp.data;
      const allWarnings = [...(resp?.warnings ?? []), ...warnings];
      if (allWarnings.length) out.warnings = allWarnings;
      return out;
    });
  }

  // --- revocation

  /** Revokes one lease (a token lease revokes the token tree). Unknown ids are a no-op. `sync: false` returns at once. */
  async revoke(leaseId: string, o: { sync?: boolean } = {}): Promise<void> {
    if (o.sync === false) {
      this.track(this.revokeWithRetry(leaseId, 0));
      return;
    }
    await this.revokeLease(leaseId, {});
  }

  /**
   * Revokes every lease under `prefix` (a mount, a role, a login path). A prefix without a trailing `/` that names
   * a lease revokes just that lease. `force` ignores backend errors and deletes the leases anyway.
   */
  async revokePrefix(prefix: string, o: { force?: boolean; sync?: boolean } = {}): Promise<void> {
    let p = prefix;
    if (p !== '' && !p.endsWith('/')) {
      if (await this.store.load(p)) {
        if (o.sync === false && !o.force) return this.revoke(p, { sync: false });
        return this.revokeLease(p, { force: o.force });
      }
      p += '/';
    }
    const base = leasePrefixKey(p);
    if (base === null) throw new InvalidRequestError('invalid prefix');
    const ids = await this.store.leaseIdsUnder(base);
    if (o.sync === false && !o.force) {
      for (const id of ids) this.track(this.revokeWithRetry(id, 0));
      return;
    }
    for (const id of ids) await this.revokeLease(id, { force: o.force });
    this.o.logger.info('revoked leases by prefix', { prefix: p, count: ids.length, force: o.force === true });
  }

  /** Revokes every secret lease obtained with `tokenId`; a backend that fails is retried in the background. */
  async revokeByToken(tokenId: string): Promise<void> {
    for (const { key, leaseId } of await this.store.byToken(tokenId)) {
      try {
        await this.revokeLease(leaseId, {});
      } catch (err) {
        this.o.logger.warn('lease revocation failed while revoking its token; retrying later', { lease_id: leaseId, error: message(err) });
        this.retryLater(leaseId, 1);
        continue;
      }
      await this.store.deleteKey(key);
    }
  }

  /**
   * Vault's lease tidy: revokes secret leases whose token is gone (the token's revocation missed them), then
   * removes token-index entries whose lease is gone. Returns how many index entries it removed.
   */
  async tidy(): Promise<number> {
    let orphaned = 0;
    const exists = this.o.router.tokenExists?.bind(this.o.router);
    if (exists) {
      for (const id of await this.store.leaseIdsUnder(ID_PREFIX)) {
        const e = await this.store.load(id).catch(() => null);
        if (!e || e.kind !== 'secret' || !e.clientToken || (await exists(e.clientToken))) continue;
        orphaned++;
        this.track(this.revokeWithRetry(id, 0));
      }
    }
    const removed = await this.store.tidyTokenIndex();
    this.o.logger.info('lease tidy finished', { revoked_orphaned_leases: orphaned, removed_index_entries: removed });
    return removed;
  }

  /** Starts `tidy` in the background. */
  startTidy(): void {
    this.track(this.tidy().then(() => undefined));
  }

  // --- internals

  private nowMs(): number {
    return this.o.clock.now().getTime();
  }

  private async deleteLease(e: LeaseEntry): Promise<void> {
    this.timers.disarm(e.leaseId);
    await this.store.remove(e);
  }

  private schedule(e: LeaseEntry): void {
    if (!this.running || e.revokeErr || !e.expireTime) {
      this.timers.disarm(e.leaseId);
      return;
    }
    this.timers.arm(e.leaseId, e.expireTime, () => this.track(this.revokeWithRetry(e.leaseId, 0, true)));
  }

  /** Revokes under the lease's lock; `ifExpired` re-checks expiry so that a renewal that won the race keeps its lease. */
  private revokeLease(leaseId: string, o: { force?: boolean; ifExpired?: boolean }): Promise<void> {
    return this.locks.run(leaseId, async () => {
      const e = await this.store.load(leaseId);
      if (!e) return;
      if (o.ifExpired && (!e.expireTime || e.expireTime > this.nowMs())) {
        this.schedule(e);
        return;
      }
      try {
        if (e.kind === 'auth') await this.o.router.revokeToken(e.clientToken);
        else await this.o.router.revokeSecret(e.path, { ...(e.secret ?? { ttl: 0, renewable: false }), leaseId });
      } catch (err) {
        if (!o.force) throw err;
        this.o.logger.warn('forced revocation ignored a backend error', { lease_id: leaseId, error: message(err) });
      }
      await this.deleteLease(e);
    });
  }

  private async revokeWithRetry(leaseId: string, attempt: number, ifExpired = false): Promise<void> {
    try {
      await this.revokeLease(leaseId, { ifExpired });
    } catch (err) {
      if (!this.running) return;
      const next = attempt + 1;
      if (next >= this.retry.attempts) {
        await this.markIrrevocable(leaseId, err);
        return;
      }
      this.o.logger.warn('lease revocation failed; retrying', { lease_id: leaseId, attempt: next, error: message(err) });
      this.retryLater(leaseId, next);
    }
  }

  private retryLater(leaseId: string, attempt: number): void {
    if (!this.running) return;
    if (attempt >= this.retry.attempts) {
      this.track(this.markIrrevocable(leaseId, new Error('revocation failed')));
      return;
    }
    const delay = this.retry.baseMs * 2 ** (attempt - 1);
    this.timers.after(leaseId, delay, () => this.track(this.revokeWithRetry(leaseId, attempt)));
  }

  private markIrrevocable(leaseId: string, err: unknown): Promise<void> {
    return this.locks.run(leaseId, async () => {
      const e = await this.store.load(leaseId);
      if (!e) return;
      e.revokeErr = message(err);
      await this.store.save(e);
      this.timers.disarm(leaseId);
      this.o.logger.error('lease could not be revoked and is now irrevocable', { lease_id: leaseId, error: e.revokeErr });
    });
  }

  /** Background work: never an unhandled rejection. */
  private track(p: Promise<void>): void {
    const t = p.catch((err: unknown) => this.o.logger.error('background lease work failed', { error: message(err) }));
    this.inflight.add(t);
    void t.finally(() => this.inflight.delete(t));
  }
}
