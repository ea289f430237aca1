import { randomUUID } from 'node:crypto';
import type { AuditBroker } from './audit/index.js';
import { CoreError, InvalidRequestError, PermissionDeniedError, UnsupportedPathError } from './errors.js';
import type { ExpirationManager } from './expiration/expiration-manager.js';
import type { LogicalBackend, SpecialPaths, SystemView } from './logical/backend.js';
import { isEmptyResponse, requestParameters, type Request, type Response } from './logical/request.js';
import type { RouteEntry, Router } from './mounts/router.js';
import { matchesAny } from './util/path-glob.js';
import type { PolicyStore } from './policy/index.js';
import { isLocalPath } from './sys/local-paths.js';
import { requestAuth, type TokenEntry } from './token/token-entry.js';
import type { TokenStore } from './token/token-store.js';
import type { Wrapping } from './wrapping/wrapping.js';
import { addressInCidrs } from './util/cidr.js';

export interface RequestLifecycleDeps {
  /** Runs a request's work while the node is active, under the state lock (sealed: 503; standby: StandbyError). */
  node: { whileActive<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> };
  /** The paths every node answers for itself (`LOCAL_PATHS`), relative to `sys/`. */
  local: LogicalBackend;
  router: Router;
  tokens: TokenStore;
  policies: PolicyStore;
  audit: AuditBroker;
  expiration: ExpirationManager;
  wrapping: Wrapping;
  system: SystemView;
}

/** One request on its way through the stages; each stage reads what the earlier ones set. */
interface RequestContext {
  /** The client's request (path from the root); stages record on it what they learn: mount, operation, auth. */
  readonly req: Request;
  /** Work to run once the request released the state lock (seal, step-down). */
  readonly deferred: (() => Promise<void>)[];
  /** The mount serving the path; null when none does. */
  route: RouteEntry | null;
  /** How the mount's backend departs from the defaults of this lifecycle. */
  special: SpecialPaths;
  /** The request as the backend sees it: path relative to its mount, the caller's token only where declared. */
  backendReq: Request;
  unauthenticated: boolean;
  token: TokenEntry | null;
  /** The token's salted id, which audit devices reuse their HMACs by. */
  tokenKey?: string;
  response: Response;
}

/** A read or list of something that is not there: Vault's 404 with an empty error list. */
const NOT_FOUND: Response = { raw: { status: 404, body: { errors: [] } } };

/**
 * What happens to every request, in the order it runs:
 *
 *   route -> token -> operation -> ACL -> audit request -> dispatch -> lease -> wrap -> audit response
 *
 * The paths every node answers for itself (init, seal status, unseal, health, leader) skip it. A denied request is
 * audited with its error; a request that fails after it was audited gets its error audited as the response.
 */
export class RequestLifecycle {
  constructor(private readonly d: RequestLifecycleDeps) {}

  async handle(req: Request): Promise<Response> {
    req.id ||= randomUUID();
    if (isLocalPath(req.path)) return this.local(req);
    const deferred: (() => Promise<void>)[] = [];
    const response = await this.d.node.whileActive((signal) => {
      req.signal = signal;
      return this.run(this.route(req, deferred));
    });
    // Seal and step-down need the state lock exclusively, so they run once this request released it.
    for (const work of deferred) await work();
    return response;
  }

  private async run(ctx: RequestContext): Promise<Response> {
    await this.token(ctx);
    await this.operation(ctx);
    await this.acl(ctx);
    await this.d.audit.logRequest({ request: ctx.req, auth: ctx.req.auth, tokenKey: ctx.tokenKey });
    try {
      await this.dispatch(ctx);
      await this.lease(ctx);
      await this.wrap(ctx);
    } catch (err) {
      await this.d.audit.logResponse({ request: ctx.req, auth: ctx.req.auth, error: errorText(err), tokenKey: ctx.tokenKey }).catch(() => undefined);
      throw err;
    }
    await this.d.audit.logResponse({ request: ctx.req, auth: ctx.req.auth, response: ctx.response, tokenKey: ctx.tokenKey });
    return ctx.response;
  }

  /** Route: which mount serves the path, and which of the backend's special paths it is. */
  private route(req: Request, deferred: (() => Promise<void>)[]): RequestContext {
    const route = this.d.router.match(req.path);
    let relPath = req.path;
    let special: SpecialPaths = {};
    let unauthenticated = false;
    if (route) {
      relPath = req.path === route.prefix.slice(0, -1) ? '' : req.path.slice(route.prefix.length);
      req.mountPoint = route.prefix;
      req.mountType = route.entry.type;
      req.mountAccessor = route.entry.accessor;
      special = route.backend.specialPaths();
      unauthenticated =
        matchesAny(relPath, special.unauthenticated ?? []) ||
        (matchesAny(relPath, special.unauthenticatedWithTokenField ?? []) && !(req.clientToken && !req.data.token));
    }
    const clientToken = route && matchesAny(relPath, special.clientToken ?? []) ? req.clientToken : '';
    const backendReq: Request = { ...req, path: relPath, clientToken, unauthenticated, rootPrivs: false, deferred };
    return { req, deferred, route: route ?? null, special, backendReq, unauthenticated, token: null, response: {} };
  }

  /**
   * Token: who is calling. Where a token is needed and none resolves, the request is refused here, before the
   * backend reads anything. On an unauthenticated path a token sent anyway still identifies the caller.
   */
  private async token(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    const found = req.clientToken ? await this.d.tokens.lookup(req.clientToken) : null;
    // A token bound to CIDR blocks (token_bound_cidrs) is no token at all from anywhere else.
    const entry = found && (!found.boundCidrs?.length || addressInCidrs(req.remoteAddress, found.boundCidrs)) ? found : null;
    if (ctx.unauthenticated) {
      if (entry) req.auth = ctx.backendReq.auth = requestAuth(entry, req.clientToken);
      return;
    }
    if (!entry) return this.deny(ctx);
    ctx.token = entry;
    ctx.tokenKey = this.d.tokens.keyOf(entry);
    req.auth = ctx.backendReq.auth = requestAuth(entry, req.clientToken);
  }

  /** Operation: a write is a `create` or an `update` as the backend's existence check says, for the ACL to judge. */
  private async operation(ctx: RequestContext): Promise<void> {
    const { req, route } = ctx;
    if (!route || (req.operation !== 'update' && req.operation !== 'create')) return;
    const exists = await route.backend.existenceCheck(ctx.backendReq);
    req.operation = ctx.backendReq.operation = exists === false ? 'create' : 'update';
  }

  /** ACL: what the token's policies allow here, `sudo` where the backend asks for it, and their wrapping TTL bounds. */
  private async acl(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    if (ctx.unauthenticated) return;
    const acl = await this.d.policies.acl(ctx.token!.policies);
    const path = req.operation === 'list' && !req.path.endsWith('/') && req.path !== '' ? `${req.path}/` : req.path;
    // Parameter rules judge what the backend will read, which includes the query string.
    const result = acl.allowOperation({ operation: req.operation, path, data: requestParameters(req) });
    const needsSudo = matchesAny(ctx.backendReq.path, ctx.special.root ?? []);
    if (!result.allowed || (needsSudo && !result.rootPrivs)) return this.deny(ctx);
    if (req.wrapTTL !== undefined && result.wrapping) {
      if (result.wrapping.min !== undefined && req.wrapTTL < result.wrapping.min) throw new PermissionDeniedError('wrapping TTL is less than the policy minimum');
      if (result.wrapping.max !== undefined && req.wrapTTL > result.wrapping.max) throw new PermissionDeniedError('wrapping TTL exceeds the policy maximum');
    }
    ctx.backendReq.rootPrivs = result.rootPrivs || result.isRoot;
  }

  /** A refusal is audited too, request and response, so that probing shows in the log. */
  private async deny(ctx: RequestContext): Promise<never> {
    const error = 'permission denied';
    await this.d.audit.logRequest({ request: ctx.req, auth: ctx.req.auth, error });
    await this.d.audit.logResponse({ request: ctx.req, auth: ctx.req.auth, error });
    throw new PermissionDeniedError();
  }

  /**
   * Dispatch: take one use of the token (read again, as it may have been revoked meanwhile), then hand the request
   * to the backend. The one place where "nothing there" becomes a 404.
   */
  private async dispatch(ctx: RequestContext): Promise<void> {
    const { req, route, backendReq } = ctx;
    // A path no mount serves was still checked and audited: without a token allowed there the caller got 403, so
    // mounts cannot be probed anonymously, and every 404 shows in the audit log.
    if (!route) throw new UnsupportedPathError(req.path);
    if (ctx.token && !matchesAny(backendReq.path, ctx.special.noTokenUse ?? [])) {
      const current = await this.d.tokens.reload(ctx.token);
      if (!current || !(await this.d.tokens.useToken(current, ctx.deferred))) throw new PermissionDeniedError();
    }
    const out = (await route.backend.handleRequest(backendReq)) ?? {};
    ctx.response = (req.operation === 'read' || req.operation === 'list') && isEmptyResponse(out) ? { ...NOT_FOUND } : out;
    ctx.response.mountType = route.entry.type;
  }

  /** Lease: a secret of an engine with a secret type gets a lease; a login's auth becomes a token with one. */
  private async lease(ctx: RequestContext): Promise<void> {
    const { req, route, response: resp } = ctx;
    const entry = route!.entry;
    if (resp.secret && resp.secret.internalData?.secret_type && entry.table === 'mounts') {
      const max = entry.config.max_lease_ttl || this.d.system.maxLeaseTTL();
      const def = entry.config.default_lease_ttl || this.d.system.defaultLeaseTTL();
      resp.secret.ttl = Math.min(resp.secret.ttl || def, max);
      await this.d.expiration.register({ path: req.path, clientToken: req.clientToken }, resp);
    }
    if (resp.auth && entry.table === 'auth' && route!.prefix !== 'auth/token/') {
      // A tuned auth mount's TTLs stand between the method's own settings and the system's.
      const { default_lease_ttl: mountDefault, max_lease_ttl: mountMax } = entry.config;
      if (mountMax > 0) resp.auth.maxTTL = resp.auth.maxTTL ? Math.min(resp.auth.maxTTL, mountMax) : mountMax;
      if (mountDefault > 0 && !resp.auth.ttl) resp.auth.ttl = mountDefault;
      const token = await this.d.tokens.createFromAuth(resp.auth, req.path, route!.prefix);
      resp.auth.clientToken = token.id;
      resp.auth.accessor = token.accessor;
      resp.auth.policies = token.policies;
      resp.auth.tokenPolicies = token.policies;
      resp.auth.leaseDuration = token.ttl;
    }
  }

  /** Wrap: with `X-Vault-Wrap-TTL` the answer goes into a single-use token's cubbyhole, and the client gets the token. */
  private async wrap(ctx: RequestContext): Promise<void> {
    if (ctx.req.wrapTTL !== undefined) ctx.response = await this.d.wrapping.wrapResponse(ctx.req, ctx.response, ctx.backendReq.path);
  }

  private async local(req: Request): Promise<Response> {
    return (await this.d.local.handleRequest({ ...req, path: req.path.replace(/^sys\//, '').replace(/\/+$/, ''), mountPoint: 'sys/' })) ?? {};
  }
}

function errorText(err: unknown): string {
  if (err instanceof CoreError || err instanceof InvalidRequestError) return err.message;
  return 'internal error';
}
