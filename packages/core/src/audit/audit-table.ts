import { randomUUID } from 'node:crypto';
import { BarrierView } from '@strongroom/barrier';
import { Mutex, type Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import type { Request } from '../logical/request.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { mountAccessor } from '../util/mount-accessor.js';
import { ownValue } from '../util/own-value.js';
import { DEFAULT_AUDIT_TIMEOUT_MS, type AuditBroker } from './audit-broker.js';
import type { AuditDevice, AuditDeviceFactory } from './audit-device.js';
import { formatRequestEntry } from './audit-entry.js';
import { parseFormatOptions, type FormatOptions } from './audit-options.js';
import { newSalt, readSalt, writeSalt } from './salt.js';
import { withTimeout } from './with-timeout.js';

/** Where the table lives inside the barrier. */
export const AUDIT_TABLE_KEY = 'core/audit';

/** One enabled audit device, as stored at `core/audit`. */
export interface AuditTableEntry {
  /** Always ends in `/`. */
  path: string;
  type: string;
  description: string;
  uuid: string;
  accessor: string;
  options: Record<string, string>;
  local: boolean;
}

export interface EnableAuditRequest {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

/** What `sys/audit` shows for one device. */
export interface AuditDeviceInfo {
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
}

export interface AuditTableOptions {
  /** The barrier's root view: the table is at `core/audit`, each device's salt under `audit/<uuid>/`. */
  storage: Backend;
  broker: AuditBroker;
  factories: Record<string, AuditDeviceFactory>;
  logger?: Logger;
}

interface Loaded {
  entry: AuditTableEntry;
  device: AuditDevice;
}

function normalisePath(path: string): string {
  let p = path.trim().replace(/^\/+/, '');
  if (!p.endsWith('/')) p += '/';
  return p;
}

function validatePath(p: string): void {
  if (p === '/') throw new InvalidRequestError('backend path must be specified');
  const segments = p.slice(0, -1).split('/');
  // eslint-disable-next-line no-control-regex
  if (segments.some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f\u007f]/.test(p)) {
    throw new InvalidRequestError(`invalid audit path "${p}"`);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Vault's test probe: a request entry the new device must accept before it is enabled. */
function probeRequest(): Request {
  return { id: randomUUID(), operation: 'update', path: 'sys/audit/test', data: { test: 'data' }, clientToken: '', headers: {} };
}

/**
 * The audit device table (`core/audit`), kept in step with the broker: `load` on becoming active, `unload` on
 * step-down or seal. Every device has its own salt, so a disabled and re-enabled path gets new hashes.
 */
export class AuditTable {
  private readonly storage: Backend;
  private readonly broker: AuditBroker;
  private readonly factories: Record<string, AuditDeviceFactory>;
  private readonly logger: Logger;
  private readonly loaded = new Map<string, Loaded>();
  /** The stored table as last read or written by this node while active. */
  private table: AuditTableEntry[] = [];
  private readonly changes = new Mutex();

  constructor(o: AuditTableOptions) {
    this.storage = o.storage;
    this.broker = o.broker;
    this.factories = o.factories;
    this.logger = o.logger ?? silentLogger;
  }

  /**
   * Builds and registers every stored device. A device that fails is logged and skipped; if every one fails the
   * node refuses to become active, since serving requests that no device records would break fail-closed auditing.
   */
  async load(): Promise<void> {
    await this.changes.run(async () => {
      await this.closeAll();
      const entries = await this.readTable();
      this.table = entries;
      for (const entry of entries) {
        try {
          const options = parseFormatOptions(entry.options);
          const salt = await this.salt(entry);
          const device = await this.create(entry, salt);
          this.broker.register(entry.path, device, { salt, ...options });
          this.loaded.set(entry.path, { entry, device });
        } catch (err) {
          this.logger.error('failed to set up audit device', { path: entry.path, type: entry.type, error: message(err) });
        }
      }
      if (entries.length > 0 && this.loaded.size === 0) throw new Error('failed to set up any audit device');
    });
  }

  /** Deregisters and closes every device; the stored table stays. */
  async unload(): Promise<void> {
    await this.changes.run(async () => {
      await this.closeAll();
      this.table = [];
    });
  }

  /** Enables a device after it accepted a test entry; the probe's failure reason is the 400's message. */
  async enable(path: string, req: EnableAuditRequest): Promise<void> {
    const p = normalisePath(path);
    validatePath(p);
    const factory = ownValue(this.factories, req.type);
    if (!factory) throw new InvalidRequestError(`unknown backend type: "${req.type}"`);
    const options = { ...(req.options ?? {}) };
    const format = parseFormatOptions(options);
    await this.changes.run(async () => {
      const entries = await this.readTable();
      if (entries.some((e) => e.path.startsWith(p) || p.startsWith(e.path))) throw new InvalidRequestError('path already in use');
      const entry: AuditTableEntry = {
        path: p,
        type: req.type,
        description: req.description ?? '',
        uuid: randomUUID(),
        accessor: mountAccessor('audit'),
        options,
        local: req.local ?? false,
      };
      const view = this.view(entry);
      const salt = newSalt();
      let device: AuditDevice | null = null;
      try {
        await writeSalt(view, salt);
        device = await this.create(entry, salt);
        await this.probe(device, salt, format, p);
        await this.writeTable([...entries, entry]);
        this.table = [...entries, entry];
      } catch (err) {
        await device?.close().catch(() => undefined);
        await view.deletePrefix().catch(() => undefined);
        throw err;
      }
      this.broker.register(p, device, { salt, ...format });
      this.loaded.set(p, { entry, device });
      this.logger.info('audit device enabled', { path: p, type: req.type });
    });
  }

  /** Disables a device and forgets its salt; false when nothing was enabled at `path` (not an error, as in Vault). */
  async disable(path: string): Promise<boolean> {
    const p = normalisePath(path);
    return this.changes.run(async () => {
      const entries = await this.readTable();
      const entry = entries.find((e) => e.path === p);
      if (!entry) return false;
      const remaining = entries.filter((e) => e !== entry);
      await this.writeTable(remaining);
      this.table = remaining;
      this.broker.deregister(p);
      const loaded = this.loaded.get(p);
      this.loaded.delete(p);
      await loaded?.device.close().catch((err: unknown) => this.logger.warn('audit device failed to close', { path: p, error: message(err) }));
      await this.view(entry).deletePrefix();
      this.logger.info('audit device disabled', { path: p });
      return true;
    });
  }

  /** The enabled devices (as stored, even one that failed to load), by path. */
  list(): AuditDeviceInfo[] {
    return this.table
      .map((e) => ({ path: e.path, type: e.type, description: e.description, options: { ...e.options }, local: e.local }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** `sys/audit-hash`: `hmac-sha256:<hex>` of `input` under the device's salt. */
  async hash(path: string, input: string): Promise<string> {
    return this.broker.hash(normalisePath(path), input);
  }

  private view(entry: AuditTableEntry): BarrierView {
    return new BarrierView(this.storage, `audit/${entry.uuid}/`);
  }

  /** The device's salt; a table entry whose salt went missing gets a new one rather than failing the unseal. */
  private async salt(entry: AuditTableEntry): Promise<string> {
    const view = this.view(entry);
    const existing = await readSalt(view);
    if (existing !== null) return existing;
    const fresh = newSalt();
    await writeSalt(view, fresh);
    return fresh;
  }

  private async create(entry: AuditTableEntry, salt: string): Promise<AuditDevice> {
    const factory = ownValue(this.factories, entry.type);
    if (!factory) throw new InvalidRequestError(`unknown backend type: "${entry.type}"`);
    return factory({ path: entry.path, options: { ...entry.options }, salt, storage: this.view(entry) });
  }

  /** A device that cannot write (bad file path, permissions) is the operator's mistake: a 400 with the reason. */
  private async probe(device: AuditDevice, salt: string, format: FormatOptions, path: string): Promise<void> {
    const entry = formatRequestEntry({ request: probeRequest() }, { salt, ...format }, new Date());
    try {
      await withTimeout(device.logRequest(entry), DEFAULT_AUDIT_TIMEOUT_MS, 'audit device test message');
    } catch (err) {
      this.logger.error('new audit device failed test', { path, type: device.type, error: message(err) });
      throw new InvalidRequestError(`audit backend failed test message: ${message(err)}`);
    }
  }

  private async readTable(): Promise<AuditTableEntry[]> {
    const raw = await this.storage.get(AUDIT_TABLE_KEY);
    if (!raw) return [];
    return (JSON.parse(Buffer.from(raw).toString('utf8')) as { entries: AuditTableEntry[] }).entries;
  }

  private async writeTable(entries: AuditTableEntry[]): Promise<void> {
    await this.storage.put(AUDIT_TABLE_KEY, new Uint8Array(Buffer.from(JSON.stringify({ entries }))));
  }

  private async closeAll(): Promise<void> {
    for (const [path, { device }] of this.loaded) {
      this.broker.deregister(path);
      await device.close().catch((err: unknown) => this.logger.warn('audit device failed to close', { path, error: message(err) }));
    }
    this.loaded.clear();
  }
}
