import type { Backend } from '@strongroom/storage';
import type { Clock } from '../clock.js';
import type { Logger } from '../util/logger.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError } from '../errors.js';
import { calculateTTL } from '../expiration/calculate-ttl.js';
import type { ExpirationManager } from '../expiration/expiration-manager.js';
import { nodeTimerHost, type TimerHost } from '../expiration/lease-timers.js';
import type { SystemView } from '../logical/backend.js';
import type { Auth, Response } from '../logical/request.js';
import { authBlock, isLive, loginAuth, REVOCATION_PENDING, type TokenEntry } from './token-entry.js';
import { newAccessor, newServiceTokenId } from './token-id.js';
import { TokenIndex } from './token-index.js';
import { samePolicies, sanitizePolicies } from './token-policies.js';
import { TokenRevoker, type RevokeListener } from './token-revoker.js';
import { TokenRoles } from './token-roles.js';

export type { TokenEntry } from './token-entry.js';

export interface TokenStoreOptions {
  /** A view at `sys/token/`. */
  storage: Backend;
  clock: Clock;
  logger: Logger;
  expiration: ExpirationManager;
  systemView: SystemView;
  /** For the delayed revocation of a token whose last use was taken outside a request pipeline. */
  timers?: TimerHost;
  /** Re-validates a login on renewal through the auth method that issued it. */
  renewAuth?: AuthRenewer;
  /** Called for every revoked token (its cubbyhole is destroyed); a failure fails the revocation. */
  onRevoke?: RevokeListener;
}

/** Re-validates a login on renewal through the auth method that issued it; null accepts the renewal as asked. */
export type AuthRenewer = (path: string, auth: Auth) => Promise<Response | null>;
export type { RevokeListener } from './token-revoker.js';

/** A token to create, already validated by its caller (the token backend, a login, response wrapping). */
export interface CreateTokenParams {
  /** Client-chosen id (root/sudo only); otherwise a fresh `hvs.` id. */
  id?: string;
  policies: string[];
  path: string;
  /** Parent token id; '' or absent = orphan. */
  parent?: string;
  displayName?: string;
  meta?: Record<string, string> | null;
  /** Seconds; 0 = never expires. */
  ttl: number;
  explicitMaxTTL?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  role?: string;
  entityId?: string;
  maxTTL?: number;
  internalData?: Record<string, unknown>;
  boundCidrs?: string[];
  /** Register a lease (default true; the root token has none). */
  lease?: boolean;
}

/** How long a token whose last use was taken lives on for the request still using it, when no hook was given. */
const EXHAUSTED_REVOKE_DELAY_MS = 1000;
/** With a hook, a late safety net in case the request failed before running it. */
const EXHAUSTED_REVOKE_FALLBACK_MS = 30_000;

/**
 * Service tokens, stored by salted id (`id/<hash>`) with an accessor index (`accessor/<hash>`) and a parent index
 * (`parent/<parent-hash>/<child-hash>`); every token but the root has a lease in the expiration manager.
 */
export class TokenStore {
  readonly roles: TokenRoles;
  private readonly index: TokenIndex;
  private readonly revoker: TokenRevoker;
  private readonly locks = new KeyedLock();
  /** The salted id of each entry a lookup returned, so that re-reading it skips the HMAC. */
  private readonly hashes = new WeakMap<TokenEntry, string>();

  constructor(private readonly o: TokenStoreOptions) {
    this.roles = new TokenRoles(o.storage);
    this.index = new TokenIndex(o.storage);
    this.revoker = new TokenRevoker(this.index, o.expiration, this.locks, o.logger);
    if (o.onRevoke) this.revoker.onRevoke(o.onRevoke);
  }

  get system(): SystemView {
    return this.o.systemView;
  }

  /** Loads (or creates) the salt and starts caching token entries; call on becoming the active node. */
  async setup(): Promise<void> {
    await this.index.setup();
  }

  /** Drops cached token entries; call when the node stops being active or seals. */
  teardown(): void {
    this.index.teardown();
  }

  /** The salted id a token or accessor is stored under. */
  hashOf(value: string): string {
    return this.index.hashOf(value);
  }

  /** The salted id of a token this store looked up (without another HMAC when it remembers it). */
  keyOf(entry: TokenEntry): string {
    return this.hashes.get(entry) ?? this.hashOf(entry.id);
  }

  // --- creation

  /** A root token: policy `root`, no TTL, no parent, no lease. */
  async createRoot(o: { id?: string } = {}): Promise<TokenEntry> {
    return this.create({ id: o.id, policies: ['root'], path: 'auth/token/root', displayName: 'root', ttl: 0, renewable: false, lease: false });
  }

  async create(p: CreateTokenParams): Promise<TokenEntry> {
    const nowMs = this.nowMs();
    let id = p.id;
    if (id !== undefined) {
      if (id === '') throw new InvalidRequestError('token ID cannot be empty');
      if (await this.index.idTaken(id)) throw new InvalidRequestError('cannot create a token with a duplicate ID');
    } else {
      do id = newServiceTokenId();
      while (await this.index.idTaken(id));
    }
    let accessor: string;
    do accessor = newAccessor();
    while (await this.index.accessorTaken(accessor));

    const e: TokenEntry = {
      id,
      accessor,
      displayName: p.displayName ?? 'token',
      policies: p.policies,
      meta: p.meta && Object.keys(p.meta).length ? p.meta : null,
      ttl: p.ttl,
      creationTime: Math.floor(nowMs / 1000),
      numUses: p.numUses ?? 0,
      parent: p.parent ?? '',
      path: p.path,
      entityId: p.entityId ?? '',
      explicitMaxTTL: p.explicitMaxTTL ?? 0,
      period: p.period ?? 0,
      renewable: p.ttl > 0 && (p.renewable ?? true),
      type: 'service',
      expireTime: p.ttl > 0 ? nowMs + p.ttl * 1000 : 0,
      lastRenewalTime: 0,
    };
    if (p.role) e.role = p.role;
    if (p.maxTTL) e.maxTTL = p.maxTTL;
    if (p.internalData) e.internalData = p.internalData;
    if (p.boundCidrs?.length) e.boundCidrs = [...p.boundCidrs];

    const { hash, ops } = await this.index.insert(e);
    if (p.lease !== false) {
      try {
        await this.registerLease(e, hash, nowMs);
      } catch (err) {
        // A token without its lease would never expire: take it back.
        await this.index.undo(ops).catch(() => undefined);
        throw err;
      }
    }
    return e;
  }

  /** The token for a successful login of an auth method mounted at `mountPoint` (default: from `path`). */
  async createFromAuth(auth: Auth, path: string, mountPoint?: string): Promise<TokenEntry> {
    if (auth.tokenType === 'batch') throw new InvalidRequestError('batch tokens are not supported');
    let policies = sanitizePolicies(auth.policies ?? [], !auth.noDefaultPolicy);
    if (auth.noDefaultPolicy) policies = policies.filter((p) => p !== 'default');
    if (policies.includes('root')) throw new InvalidRequestError('auth methods cannot create root tokens');
    const nowMs = this.nowMs();
    const { ttl } = calculateTTL({
      limits: this.o.systemView,
      increment: 0,
      backendTTL: auth.ttl ?? 0,
      period: auth.period ?? 0,
      backendMaxTTL: auth.maxTTL ?? 0,
      explicitMaxTTL: auth.explicitMaxTTL ?? 0,
      startMs: nowMs,
      nowMs,
    });
    const mount = mountPoint ?? path.split('/').slice(0, 2).join('/') + '/';
    const source = mount.replace(/^auth\//, '').replace(/\//g, '-');
    return this.create({
      policies,
      path,
      displayName: (source + (auth.displayName ?? '')).replace(/-+$/, ''),
      meta: auth.metadata ?? null,
      ttl,
      explicitMaxTTL: auth.explicitMaxTTL ?? 0,
      period: auth.period ?? 0,
      numUses: auth.numUses ?? 0,
      renewable: auth.renewable ?? true,
      entityId: auth.entityId ?? '',
      maxTTL: auth.maxTTL ?? 0,
      internalData: auth.internalData,
      ...(auth.boundCidrs?.length ? { boundCidrs: auth.boundCidrs } : {}),
    });
  }

  // --- lookup

  /** The live token (not expired, not revoked, last use not taken), or null. */
  async lookup(token: string): Promise<TokenEntry | null> {
    if (!token) return null;
    const hash = this.hashOf(token);
    const hit = this.index.cached(hash, token);
    const e = hit !== undefined ? hit : await this.index.load(hash, token);
    if (!e) return null;
    this.hashes.set(e, hash);
    return isLive(e, this.nowMs()) ? e : null;
  }

  /** Like `lookup`, but also finds a token whose last use is being served (for that request's own handlers). */
  async lookupInFlight(token: string): Promise<TokenEntry | null> {
    const e = await this.lookupAny(token);
    if (!e || (e.expireTime && e.expireTime <= this.nowMs())) return null;
    return e;
  }

  /** The token again as stored now (a request re-checks its token after auditing), or null once it is not live. */
  async reload(e: TokenEntry): Promise<TokenEntry | null> {
    const hash = this.hashes.get(e) ?? this.hashOf(e.id);
    const hit = this.index.cached(hash, e.id);
    const cur = hit !== undefined ? hit : await this.index.load(hash, e.id);
    if (!cur) return null;
    this.hashes.set(cur, hash);
    return isLive(cur, this.nowMs()) ? cur : null;
  }

  /** The live token behind an accessor, or null. */
  async lookupAccessor(accessor: string): Promise<TokenEntry | null> {
    const e = await this.index.byAccessor(accessor);
    return e && isLive(e, this.nowMs()) ? e : null;
  }

  /** Every accessor (`auth/token/accessors`). */
  async listAccessors(): Promise<string[]> {
    const out: string[] = [];
    for (const a of await this.index.accessorEntries()) if (a.entry) out.push(a.entry.accessor);
    return out.sort();
  }

  // --- use

  /**
   * Takes one use of a limited-use token. Returns null when it had none left. The last use marks the token
   * revocation-pending and revokes it after the request: through `deferred` when the caller has such a list
   * (with a late timer as a safety net should the request fail first), else after a short delay.
   */
  useToken(entry: TokenEntry, deferred?: (() => Promise<void>)[]): Promise<TokenEntry | null> {
    return entry.numUses === 0 ? Promise.resolve(entry) : this.takeUse(entry, deferred);
  }

  private async takeUse(entry: TokenEntry, deferred?: (() => Promise<void>)[]): Promise<TokenEntry | null> {
    const hash = this.hashes.get(entry) ?? this.hashOf(entry.id);
    const used = await this.locks.run(hash, async () => {
      const cur = await this.index.load(hash, entry.id);
      if (!cur || !isLive(cur, this.nowMs())) return null;
      if (cur.numUses === 0) return cur;
      cur.numUses = cur.numUses === 1 ? REVOCATION_PENDING : cur.numUses - 1;
      await this.index.save(hash, cur);
      return cur;
    });
    if (used?.numUses === REVOCATION_PENDING) {
      const revoke = (): Promise<void> =>
        this.revokeTree(used.id).catch((err: unknown) => this.o.logger.error('could not revoke a used-up token', { error: String(err) }));
      deferred?.push(revoke);
      (this.o.timers ?? nodeTimerHost).set(() => void revoke(), deferred ? EXHAUSTED_REVOKE_FALLBACK_MS : EXHAUSTED_REVOKE_DELAY_MS);
    }
    return used;
  }

  // --- renewal

  /**
   * Renews a token by `increment` seconds from now (0 = its TTL), capped by its explicit max TTL, its login's max
   * TTL and the system max; periodic tokens renew to their period. Returns the `auth` block.
   */
  async renew(token: string, increment: number): Promise<Response> {
    const hash = this.hashOf(token);
    return this.locks.run(hash, async () => {
      const e = await this.lookup(token);
      if (!e) throw new InvalidRequestError('token not found');
      if (!e.expireTime || !e.renewable) throw new InvalidRequestError('lease is not renewable');
      let period = e.period;
      let explicitMax = e.explicitMaxTTL;
      let backendTTL = e.ttl;
      let maxTTL = e.maxTTL ?? 0;
      const warnings: string[] = [];
      if (e.path.startsWith('auth/token/')) {
        if (e.role) {
          const role = await this.roles.get(e.role);
          if (!role) throw new InvalidRequestError(`original token role "${e.role}" could not be found, not renewing`);
          period = role.tokenPeriod;
          explicitMax = role.tokenExplicitMaxTTL;
        }
      } else if (this.o.renewAuth) {
        const resp = await this.o.renewAuth(e.path, loginAuth(e));
        if (resp?.auth) {
          const renewed = sanitizePolicies(resp.auth.policies ?? [], e.policies.includes('default'));
          if (!samePolicies(renewed, e.policies)) throw new InvalidRequestError('policies have changed, not renewing');
          backendTTL = resp.auth.ttl ?? backendTTL;
          maxTTL = resp.auth.maxTTL ?? maxTTL;
          period = resp.auth.period ?? period;
          explicitMax = resp.auth.explicitMaxTTL ?? explicitMax;
        }
        warnings.push(...(resp?.warnings ?? []));
      }
      const nowMs = this.nowMs();
      const calc = calculateTTL({
        limits: this.o.systemView,
        increment,
        backendTTL,
        period,
        backendMaxTTL: maxTTL,
        explicitMaxTTL: explicitMax,
        startMs: e.creationTime * 1000,
        nowMs,
      });
      e.expireTime = nowMs + calc.ttl * 1000;
      e.lastRenewalTime = nowMs;
      await this.index.save(hash, e);
      await this.registerLease(e, hash, e.creationTime * 1000);
      const out: Response = { auth: authBlock(e, calc.ttl) };
      const all = [...warnings, ...calc.warnings];
      if (all.length) out.warnings = all;
      return out;
    });
  }

  // --- revocation

  /** Revokes a token, its children recursively, and every lease obtained with any of them. Unknown ids are a no-op. */
  revokeTree(tokenId: string): Promise<void> {
    return this.revoker.revokeTree(tokenId);
  }

  /** Revokes a token and its leases; its children become orphans. */
  revokeOrphan(tokenId: string): Promise<void> {
    return this.revoker.revokeOrphan(tokenId);
  }

  /** Revokes the tree of the token behind `accessor`. */
  async revokeAccessor(accessor: string): Promise<void> {
    const e = await this.index.byAccessor(accessor);
    if (!e) throw new InvalidRequestError('invalid accessor');
    await this.revoker.revokeTree(e.id);
  }

  /** Drops index entries that point at no token and revokes tokens whose parent is gone. */
  tidy(): Promise<{ accessors: number; parents: number; orphansRevoked: number }> {
    return this.revoker.tidy();
  }

  // --- internals

  nowMs(): number {
    return this.o.clock.now().getTime();
  }

  private async registerLease(e: TokenEntry, hash: string, issueTimeMs: number): Promise<void> {
    await this.o.expiration.registerAuth({
      path: e.path,
      tokenId: e.id,
      tokenHash: hash,
      issueTimeMs,
      expireTimeMs: e.expireTime,
      lastRenewalMs: e.lastRenewalTime,
      renewable: e.renewable,
    });
  }

  /** Any stored token, expired or pending revocation included. */
  private async lookupAny(token: string): Promise<TokenEntry | null> {
    if (!token) return null;
    const hash = this.hashOf(token);
    const e = await this.index.load(hash, token);
    if (e) this.hashes.set(e, hash);
    return e;
  }
}
