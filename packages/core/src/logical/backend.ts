import type { Backend } from '@strongroom/storage';
import type { Request, Response, Secret, Auth } from './request.js';

export type BackendClass = 'secret' | 'credential' | 'system';

export interface SpecialPaths {
  /** Paths (glob `*` suffix) reachable without a token, e.g. `login/*`. */
  unauthenticated?: string[];
  /** Paths that need `sudo`. */
  root?: string[];
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
