import { randomUUID } from 'node:crypto';
import type { Backend } from '@strongroom/storage';
import { BarrierView } from '@strongroom/barrier';
import { InvalidRequestError } from '../errors.js';
import type { BackendFactory, LogicalBackend, SystemView } from '../logical/backend.js';
import type { Logger } from '../util/logger.js';
import { mountAccessor } from '../util/mount-accessor.js';
import { ownValue } from '../util/own-value.js';
import { routePrefix, storagePrefix, type MountConfig, type MountEntry, type MountTableName } from './mount-entry.js';
import type { Router } from './router.js';

export interface MountRequest {
  type: string;
  description?: string;
  config?: Partial<MountConfig>;
  options?: Record<string, string> | null;
  local?: boolean;
  seal_wrap?: boolean;
  external_entropy_access?: boolean;
}

export interface MountTableOptions {
  name: MountTableName;
  /** The barrier's root view; the table lives at `core/<name>`. */
  storage: Backend;
  router: Router;
  factories: Record<string, BackendFactory>;
  /**
   * Backends the node builds itself (system, token): type -> backend. Asked for at mount time, so the system
   * backend, which lists this table, can be built after it.
   */
  builtins: Record<string, () => LogicalBackend>;
  system: SystemView;
  logger: Logger;
  /** Revokes every lease under a route prefix before the mount goes away. */
  revokePrefix: (prefix: string) => Promise<void>;
}

/** Types that cannot be mounted twice or removed. */
const SINGLETONS = new Set(['system', 'token', 'cubbyhole', 'identity']);

/** The mount table for secrets engines (`core/mounts`) or auth methods (`core/auth`), kept in step with the router. */
export class MountTable {
  private entries: MountEntry[] = [];

  constructor(private readonly o: MountTableOptions) {}

  get list(): readonly MountEntry[] {
    return this.entries;
  }

  /** Loads the stored table (or the given defaults on first use) and mounts every entry. */
  async load(defaults: { path: string; req: MountRequest }[]): Promise<void> {
    const raw = await this.o.storage.get(`core/${this.o.name}`);
    if (raw) {
      this.entries = (JSON.parse(Buffer.from(raw).toString('utf8')) as { entries: MountEntry[] }).entries;
    } else {
      this.entries = defaults.map((d) => this.newEntry(d.path, d.req));
      await this.persist();
    }
    for (const e of this.entries) await this.mountEntry(e);
  }

  find(path: string): MountEntry | undefined {
    const p = normalise(path);
    return this.entries.find((e) => e.path === p);
  }

  async enable(path: string, req: MountRequest): Promise<MountEntry> {
    const p = normalise(path);
    validateMountPath(p, this.o.name);
    const type = canonicalType(req);
    if (!ownValue(this.o.factories, type) && !ownValue(this.o.builtins, type)) throw new InvalidRequestError(`plugin not found in the catalog: ${req.type}`);
    if (SINGLETONS.has(type)) throw new InvalidRequestError(`mount type of "${type}" is not mountable`);
    const entry = this.newEntry(p, req);
    const prefix = routePrefix(entry);
    const clash = this.o.router.conflicts(prefix);
    if (clash) throw new InvalidRequestError(`path is already in use at ${clash}`);
    await this.mountEntry(entry);
    this.entries.push(entry);
    try {
      await this.persist();
    } catch (err) {
      this.entries = this.entries.filter((e) => e !== entry);
      this.o.router.unmount(prefix);
      throw err;
    }
    this.o.logger.info('mount enabled', { table: this.o.name, path: p, type });
    return entry;
  }

  /** Revokes the mount's leases, removes it from the router and the table, then deletes its data. */
  async disable(path: string): Promise<void> {
    const p = normalise(path);
    const entry = this.entries.find((e) => e.path === p);
    if (!entry) return;
    if (SINGLETONS.has(entry.type)) {
      throw new InvalidRequestError(this.o.name === 'auth' ? 'token credential backend cannot be disabled' : `cannot unmount "${p}"`);
    }
    const prefix = routePrefix(entry);
    try {
      await this.o.revokePrefix(prefix);
    } catch (err) {
      throw new InvalidRequestError(`failed to revoke leases under "${prefix}", the mount is kept: ${(err as Error).message}`);
    }
    const route = this.o.router.unmount(prefix);
    await route?.backend.cleanup?.();
    this.entries = this.entries.filter((e) => e !== entry);
    await this.persist();
    await new BarrierView(this.o.storage, storagePrefix(entry)).deletePrefix();
    this.o.logger.info('mount disabled', { table: this.o.name, path: p });
  }

  async tune(path: string, changes: { config?: Partial<MountConfig>; description?: string; options?: Record<string, string> }): Promise<void> {
    const entry = this.find(path);
    if (!entry) throw new InvalidRequestError(`no mount at "${normalise(path)}"`);
    if (changes.config) entry.config = { ...entry.config, ...changes.config };
    if (changes.description !== undefined) entry.description = changes.description;
    if (changes.options) {
      if (entry.type === 'kv' && changes.options.version && entry.options?.version === '2' && changes.options.version === '1') {
        throw new InvalidRequestError('cannot downgrade a kv v2 mount to v1');
      }
      entry.options = { ...(entry.options ?? {}), ...changes.options };
      if (entry.type === 'kv') await this.remount(entry);
    }
    await this.persist();
  }

  /**
   * Moves a mount to a new path within this table: its leases are revoked, its data (kept under its uuid) stays,
   * and the same entry is served under the new path. Built-in singletons stay where they are.
   */
  async move(from: string, to: string): Promise<MountEntry> {
    const src = normalise(from);
    const dst = normalise(to);
    const entry = this.entries.find((e) => e.path === src);
    if (!entry) throw new InvalidRequestError(`no matching mount at "${src}"`);
    if (SINGLETONS.has(entry.type)) throw new InvalidRequestError(`cannot remount "${src}"`);
    validateMountPath(dst, this.o.name);
    const oldPrefix = routePrefix(entry);
    const newPrefix = routePrefix({ ...entry, path: dst });
    const clash = this.o.router.conflicts(newPrefix);
    if (clash) throw new InvalidRequestError(`path already in use at "${clash}"`);
    await this.o.revokePrefix(oldPrefix);
    const route = this.o.router.unmount(oldPrefix);
    await route?.backend.cleanup?.();
    entry.path = dst;
    try {
      await this.mountEntry(entry);
      await this.persist();
    } catch (err) {
      this.o.router.unmount(newPrefix);
      entry.path = src;
      await this.mountEntry(entry);
      throw err;
    }
    this.o.logger.info('mount moved', { table: this.o.name, from: src, to: dst });
    return entry;
  }

  /** Drops every route of this table (seal or step-down); the stored table stays. */
  async unload(): Promise<void> {
    for (const e of this.entries) {
      const r = this.o.router.unmount(routePrefix(e));
      await r?.backend.cleanup?.().catch(() => undefined);
    }
    this.entries = [];
  }

  private async remount(entry: MountEntry): Promise<void> {
    const r = this.o.router.unmount(routePrefix(entry));
    await r?.backend.cleanup?.();
    await this.mountEntry(entry);
  }

  private async mountEntry(entry: MountEntry): Promise<void> {
    const builtin = ownValue(this.o.builtins, entry.type);
    let backend: LogicalBackend;
    if (builtin) {
      backend = builtin();
    } else {
      const factory = ownValue(this.o.factories, entry.type);
      if (!factory) throw new InvalidRequestError(`plugin not found in the catalog: ${entry.type}`);
      const sys = this.o.system;
      backend = await factory({
        storage: new BarrierView(this.o.storage, storagePrefix(entry)),
        mountPath: routePrefix(entry),
        mountAccessor: entry.accessor,
        config: { ...entry.config },
        options: entry.options ?? {},
        logger: this.o.logger,
        system: {
          // Read at each call: a tune replaces entry.config, and the engine must see the tuned TTLs at once.
          defaultLeaseTTL: () => entry.config.default_lease_ttl || sys.defaultLeaseTTL(),
          maxLeaseTTL: () => entry.config.max_lease_ttl || sys.maxLeaseTTL(),
          now: () => sys.now(),
        },
      });
    }
    this.o.router.mount(entry, backend);
  }

  private newEntry(path: string, req: MountRequest): MountEntry {
    const type = canonicalType(req);
    const options = { ...(req.options ?? {}) };
    if (req.type === 'kv-v2') options.version = '2';
    if (req.type === 'kv-v1') options.version = '1';
    if (type === 'kv' && !options.version) options.version = '1';
    return {
      table: this.o.name,
      path,
      type,
      description: req.description ?? '',
      uuid: randomUUID(),
      accessor: mountAccessor(type),
      config: {
        default_lease_ttl: req.config?.default_lease_ttl ?? 0,
        max_lease_ttl: req.config?.max_lease_ttl ?? 0,
        force_no_cache: req.config?.force_no_cache ?? false,
        ...(this.o.name === 'auth' ? { token_type: 'default-service' } : {}),
        ...stripUndefined(req.config ?? {}),
      },
      options: Object.keys(options).length ? options : null,
      local: req.local ?? false,
      seal_wrap: req.seal_wrap ?? false,
      external_entropy_access: req.external_entropy_access ?? false,
    };
  }

  private async persist(): Promise<void> {
    await this.o.storage.put(`core/${this.o.name}`, Buffer.from(JSON.stringify({ entries: this.entries })));
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function canonicalType(req: MountRequest): string {
  if (req.type === 'kv-v1' || req.type === 'kv-v2' || req.type === 'generic') return 'kv';
  return req.type;
}

export function normalise(path: string): string {
  let p = path.trim();
  while (p.startsWith('/')) p = p.slice(1);
  if (!p.endsWith('/')) p += '/';
  return p;
}

function validateMountPath(p: string, table: MountTableName): void {
  if (p === '/' || p === '') throw new InvalidRequestError('path cannot be empty');
  const segs = p.slice(0, -1).split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..')) throw new InvalidRequestError(`invalid mount path "${p}"`);
  if (!/^[\w.@+=:,-][\w./@+=:,-]*$/.test(p)) throw new InvalidRequestError(`invalid mount path "${p}"`);
  if (table === 'mounts') {
    for (const reserved of ['sys/', 'auth/', 'cubbyhole/', 'identity/']) {
      if (p.startsWith(reserved)) throw new InvalidRequestError(`cannot mount under reserved path "${reserved}"`);
    }
  }
}
