import type { Backend } from '@strongroom/storage';
import type { Logger } from '../util/logger.js';
import type { Request, Response, Secret, Auth } from './request.js';

export type BackendClass = 'secret' | 'credential' | 'system';

/**
 * How a backend's paths depart from the request lifecycle's defaults, declared as globs relative to the mount
 * (exact, or a `*` suffix meaning "this prefix"), so the lifecycle never matches paths of its own.
 */
export interface SpecialPaths {
  /** Reachable without a token, e.g. `login/*`. A token sent anyway still identifies the caller. */
  unauthenticated?: string[];
  /**
   * Unauthenticated when the body names the token acted on (`token`); when the caller's own token is that token,
   * it is checked as on any other path (unwrapping with the wrapping token itself).
   */
  unauthenticatedWithTokenField?: string[];
  /** Need `sudo` on top of the operation's capability. */
  root?: string[];
  /** The handler sees the caller's token (cubbyhole, the token store); elsewhere it is blanked. */
  clientToken?: string[];
  /** Do not consume a use of the caller's token: the handler consumes the token it acts on itself. */
  noTokenUse?: string[];
}

/** What the core lends a mounted backend: its own storage view and a few system facts. */
export interface SystemView {
  /** Seconds. */
  defaultLeaseTTL(): number;
  maxLeaseTTL(): number;
  now(): Date;
}

export interface BackendContext {
  /** The mount's own storage (a barrier view under `logical/<uuid>/` or `auth/<uuid>/`). */
  storage: Backend;
  mountPath: string;
  mountAccessor: string;
  config: Record<string, unknown>;
  options: Record<string, string>;
  system: SystemView;
  /** The node's logger, for what an operator should see (a failed rollback, a retried revocation). */
  logger?: Logger;
}

/** A mounted backend as the router sees it. */
export interface LogicalBackend {
  readonly class: BackendClass;
  specialPaths(): SpecialPaths;
  /** `req.path` is relative to the mount. Null means "nothing" (404 on read). */
  handleRequest(req: Request): Promise<Response | null>;
  /** Whether the target of a create/update exists, to choose between the `create` and `update` capabilities. */
  existenceCheck(req: Request): Promise<boolean | undefined>;
  /** Lease callbacks for secrets it issued. */
  renewSecret?(req: Request, secret: Secret): Promise<Response | null>;
  revokeSecret?(req: Request, secret: Secret): Promise<void>;
  /** Re-validates a login on token renewal. */
  renewAuth?(req: Request, auth: Auth): Promise<Response | null>;
  /** Called when the mount is disabled or the node steps down. */
  cleanup?(): Promise<void>;
}

export type BackendFactory = (ctx: BackendContext) => Promise<LogicalBackend>;
