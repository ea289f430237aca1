import type { LogicalBackend } from '../logical/backend.js';
import type { MountEntry } from './mount-entry.js';
import { routePrefix } from './mount-entry.js';

export interface RouteEntry {
  entry: MountEntry;
  backend: LogicalBackend;
  /** Full request-path prefix, `secret/` or `auth/token/`. */
  prefix: string;
}

/** Longest-prefix match of request paths onto mounted backends. */
export class Router {
  private readonly routes = new Map<string, RouteEntry>();

  mount(entry: MountEntry, backend: LogicalBackend): void {
    const prefix = routePrefix(entry);
    this.routes.set(prefix, { entry, backend, prefix });
  }

  unmount(prefix: string): RouteEntry | undefined {
    const r = this.routes.get(prefix);
    this.routes.delete(prefix);
    return r;
  }

  clear(): RouteEntry[] {
    const all = [...this.routes.values()];
    this.routes.clear();
    return all;
  }

  get(prefix: string): RouteEntry | undefined {
    return this.routes.get(prefix);
  }

  /** The mount serving `path`; `secret` (no slash) matches `secret/` as Vault does. */
  match(path: string): RouteEntry | undefined {
    let best: RouteEntry | undefined;
    for (const r of this.routes.values()) {
      if ((path.startsWith(r.prefix) || path + '/' === r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
    }
    return best;
  }

  /** Whether `prefix` would shadow or be shadowed by an existing mount. */
  conflicts(prefix: string): string | undefined {
    for (const p of this.routes.keys()) if (p.startsWith(prefix) || prefix.startsWith(p)) return p;
    return undefined;
  }

  entries(): RouteEntry[] {
    return [...this.routes.values()];
  }
}
