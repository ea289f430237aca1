import { randomUUID } from 'node:crypto';
import type { Core } from './core.js';
import {
  CoreError,
  InvalidRequestError,
  PermissionDeniedError,
  SealedError,
  StandbyError,
  UnsupportedPathError,
} from './errors.js';
import type { Request, RequestAuth, Response } from './logical/request.js';
import type { RouteEntry } from './mounts/router.js';
import { matchesAny } from './util/path-glob.js';
import type { TokenEntry } from './token/token-entry.js';

/** Paths a node answers for itself, sealed or not, standby or not, without a token. */
const LOCAL_PATHS = new Set(['sys/init', 'sys/seal-status', 'sys/unseal', 'sys/health', 'sys/leader']);

/** sys paths reachable without a token once unsealed (Vault's unauthenticated rekey / generate-root). */
const SYS_UNAUTHENTICATED = ['rekey/*', 'generate-root/*', 'wrapping/lookup', 'wrapping/unwrap'];

export function isLocalPath(path: string): boolean {
  return path.startsWith('sys/') && LOCAL_PATHS.has(path.replace(/\/+$/, ''));
}

/**
 * The request flow in one place (DESIGN.md section 2): sealed -> token -> ACL -> audit request (fail closed) ->
 * router -> lease registration -> response wrapping -> audit response.
 */
export async function handleRequest(core: Core, req: Request): Promise<Response> {
  req.id ||= randomUUID();
  if (isLocalPath(req.path)) return localRequest(core, req);
  if (core.isSealed()) throw new SealedError();
  if (!core.isActive()) throw new StandbyError();
  const deferred: (() => Promise<void>)[] = [];
  const resp = await core.stateLock.read(async () => {
    if (!core.isActive()) throw new StandbyError();
    req.signal = core.activeSignal;
    return routeRequest(core, req, deferred);
  });
  // Seal and step-down need the state lock exclusively, so they run once this request released it.
  for (const d of deferred) await d();
  return resp;
}

async function localRequest(core: Core, req: Request): Promise<Response> {
  return (await core.localSys.handleRequest({ ...req, path: req.path.replace(/^sys\//, '').replace(/\/+$/, ''), mountPoint: 'sys/' })) ?? {};
}

async function routeRequest(core: Core, req: Request, deferred: (() => Promise<void>)[]): Promise<Response> {
  const route = core.router.match(req.path);
  if (!route) return unrouted(core, req);
  const relPath = req.path === route.prefix.slice(0, -1) ? '' : req.path.slice(route.prefix.length);
  req.mountPoint = route.prefix;
  req.mountType = route.entry.type;
  req.mountAccessor = route.entry.accessor;

  const special = route.backend.specialPaths();
  const unauthenticated =
    matchesAny(relPath, special.unauthenticated ?? []) || (route.prefix === 'sys/' && matchesAny(relPath, SYS_UNAUTHENTICATED) && !(relPath === 'wrapping/unwrap' && req.clientToken && !req.data.token));

  // Operation: create vs update by the backend's existence check.
  const backendReq: Request = { ...req, path: relPath };
  if (req.operation === 'update' || req.operation === 'create') {
    const exists = await route.backend.existenceCheck(backendReq);
    req.operation = exists === false ? 'create' : 'update';
    backendReq.operation = req.operation;
  }

  let auth: RequestAuth | undefined;
  let rootPrivs = false;
  let token: TokenEntry | undefined;
  if (!unauthenticated) {
    const checked = await checkToken(core, req, relPath, special.root ?? []);
    auth = checked.auth;
    rootPrivs = checked.rootPrivs;
    token = checked.entry;
    backendReq.auth = auth;
    req.auth = auth;
  } else if (req.clientToken) {
    // A token on an unauthenticated path is still identified, for audit and for unwrap with the token itself.
    const entry = await core.tokens.lookup(req.clientToken);
    if (entry) req.auth = backendReq.auth = authOf(entry, req.clientToken);
  }
  backendReq.rootPrivs = rootPrivs;
  backendReq.unauthenticated = unauthenticated;

  // Lets the audit devices reuse their HMACs of this token and its accessor from earlier requests.
  const tokenKey = token ? core.tokens.keyOf(token) : undefined;
  await core.audit.logRequest({ request: req, auth: req.auth, tokenKey });

  let resp: Response;
  try {
    if (token && !(route.prefix === 'sys/' && relPath.startsWith('wrapping/unwrap'))) {
      // Read again: the token may have been revoked or used up while the request was being audited.
      const current = await core.tokens.reload(token);
      if (!current) throw new PermissionDeniedError();
      const still = await core.tokens.useToken(current, deferred);
      if (!still) throw new PermissionDeniedError();
    }
    if (route.entry.type === 'cubbyhole' || route.prefix === 'auth/token/') backendReq.clientToken = req.clientToken;
    else if (route.prefix !== 'sys/') backendReq.clientToken = '';
    backendReq.deferred = deferred;
    const out = await route.backend.handleRequest(backendReq);
    resp = out ?? {};
    if (out === null && (req.operation === 'read' || req.operation === 'list')) resp = { raw: { status: 404, body: { errors: [] } } };
    resp.mountType = route.entry.type;
    await registerLease(core, req, route, resp);
    if (req.wrapTTL !== undefined || (route.prefix === 'sys/' && relPath === 'wrapping/wrap')) {
      resp = await core.wrapping.wrapResponse(req, resp, relPath);
    }
  } catch (err) {
    await core.audit.logResponse({ request: req, auth: req.auth, error: errorText(err), tokenKey }).catch(() => undefined);
    throw err;
  }
  await core.audit.logResponse({ request: req, auth: req.auth, response: resp, tokenKey });
  return resp;
}

/**
 * A path no mount serves is still checked and audited, as Vault does: without a token allowed there the caller gets
 * 403 (so mounts cannot be probed anonymously), and every 404 shows in the audit log.
 */
async function unrouted(core: Core, req: Request): Promise<never> {
  const { auth } = await checkToken(core, req, req.path, []);
  await core.audit.logRequest({ request: req, auth });
  const err = new UnsupportedPathError(req.path);
  await core.audit.logResponse({ request: req, auth, error: err.message });
  throw err;
}

async function checkToken(
  core: Core,
  req: Request,
  relPath: string,
  rootPaths: string[],
): Promise<{ auth: RequestAuth; rootPrivs: boolean; entry: TokenEntry }> {
  if (!req.clientToken) {
    await auditDenied(core, req, 'permission denied');
    throw new PermissionDeniedError();
  }
  const entry = await core.tokens.lookup(req.clientToken);
  if (!entry) {
    await auditDenied(core, req, 'permission denied');
    throw new PermissionDeniedError();
  }
  const auth = authOf(entry, req.clientToken);
  req.auth = auth;
  const acl = await core.policies.acl(entry.policies);
  const path = req.operation === 'list' && !req.path.endsWith('/') && req.path !== '' ? `${req.path}/` : req.path;
  const result = acl.allowOperation({ operation: req.operation, path, data: req.data });
  const needsSudo = matchesAny(relPath, rootPaths);
  if (!result.allowed || (needsSudo && !result.rootPrivs)) {
    await auditDenied(core, req, 'permission denied');
    throw new PermissionDeniedError();
  }
  if (req.wrapTTL !== undefined && result.wrapping) {
    if (result.wrapping.min !== undefined && req.wrapTTL < result.wrapping.min) throw new PermissionDeniedError('wrapping TTL is less than the policy minimum');
    if (result.wrapping.max !== undefined && req.wrapTTL > result.wrapping.max) throw new PermissionDeniedError('wrapping TTL exceeds the policy maximum');
  }
  return { auth, rootPrivs: result.rootPrivs || result.isRoot, entry };
}

async function auditDenied(core: Core, req: Request, error: string): Promise<void> {
  await core.audit.logRequest({ request: req, auth: req.auth, error });
  await core.audit.logResponse({ request: req, auth: req.auth, error });
}

export function authOf(entry: { id: string; accessor: string; displayName: string; policies: string[]; meta: Record<string, string> | null; ttl: number; creationTime: number; numUses: number; parent: string; path: string; entityId?: string }, clientToken: string): RequestAuth {
  return {
    clientToken,
    accessor: entry.accessor,
    displayName: entry.displayName,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    metadata: entry.meta ?? {},
    entityId: entry.entityId ?? '',
    tokenType: 'service',
    ttl: entry.ttl,
    issueTime: new Date(entry.creationTime * 1000),
    numUses: entry.numUses,
    remainingUses: entry.numUses,
    orphan: entry.parent === '',
    path: entry.path,
  };
}

/** Secrets of engines with a secret type get a lease; logins get a token. */
async function registerLease(core: Core, req: Request, route: RouteEntry, resp: Response): Promise<void> {
  if (resp.secret && resp.secret.internalData?.secret_type && route.entry.table === 'mounts') {
    const max = route.entry.config.max_lease_ttl || core.system.maxLeaseTTL();
    const def = route.entry.config.default_lease_ttl || core.system.defaultLeaseTTL();
    resp.secret.ttl = Math.min(resp.secret.ttl || def, max);
    await core.expiration.register({ path: req.path, clientToken: req.clientToken }, resp);
  }
  if (resp.auth && route.entry.table === 'auth' && route.prefix !== 'auth/token/') {
    const path = req.path;
    // A tuned auth mount's TTLs stand between the method's own settings and the system's.
    const { default_lease_ttl: mountDefault, max_lease_ttl: mountMax } = route.entry.config;
    if (mountMax > 0) resp.auth.maxTTL = resp.auth.maxTTL ? Math.min(resp.auth.maxTTL, mountMax) : mountMax;
    if (mountDefault > 0 && !resp.auth.ttl) resp.auth.ttl = mountDefault;
    const entry = await core.tokens.createFromAuth(resp.auth, path, route.prefix);
    resp.auth.clientToken = entry.id;
    resp.auth.accessor = entry.accessor;
    resp.auth.policies = entry.policies;
    resp.auth.tokenPolicies = entry.policies;
    resp.auth.leaseDuration = entry.ttl;
  }
}

function errorText(err: unknown): string {
  if (err instanceof CoreError) return err.message;
  if (err instanceof InvalidRequestError) return err.message;
  return 'internal error';
}
