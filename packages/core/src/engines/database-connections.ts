import type { Backend } from '@strongroom/storage';
import type pg from 'pg';
import { InvalidRequestError } from '../errors.js';
import { readJSON, writeJSON } from '../util/json-entry.js';
import { openPool, type PoolSettings } from './database-postgres.js';

/** A database connection as stored at `config/<name>` (inside the barrier: the password is kept encrypted). */
export interface ConnectionConfig {
  plugin_name: string;
  connection_url: string;
  username: string;
  password: string;
  allowed_roles: string[];
  verify_connection: boolean;
  max_open_connections: number;
  max_idle_connections: number;
  /** Seconds. */
  max_connection_lifetime: number;
  username_template: string;
  password_policy: string;
  root_rotation_statements: string[];
  password_authentication: 'password' | 'scram-sha-256';
}

export function poolSettings(c: ConnectionConfig): PoolSettings {
  return {
    connectionUrl: c.connection_url,
    username: c.username,
    password: c.password,
    maxOpenConnections: c.max_open_connections,
    maxConnectionLifetime: c.max_connection_lifetime,
  };
}

/** A connection URL as read back: a password written into it is masked, as Vault masks it. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):([^@]*)@/i, (m, head: string, pw: string) => (pw === '{{password}}' ? m : `${head}:*****@`));
}

/**
 * The engine's connections: their stored configs and one pool each, opened on first use and closed when the
 * connection changes, is reset or deleted, and when the mount is unmounted or the node seals or steps down.
 */
export class DatabaseConnections {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(private readonly storage: Backend) {}

  get(name: string): Promise<ConnectionConfig | null> {
    return readJSON<ConnectionConfig>(this.storage, `config/${name}`);
  }

  async require(name: string): Promise<ConnectionConfig> {
    const c = await this.get(name);
    if (!c) throw new InvalidRequestError(`failed to find entry for connection with name: "${name}"`);
    return c;
  }

  async put(name: string, c: ConnectionConfig): Promise<void> {
    await writeJSON(this.storage, `config/${name}`, c);
    await this.close(name);
  }

  async delete(name: string): Promise<void> {
    await this.storage.delete(`config/${name}`);
    await this.close(name);
  }

  list(): Promise<string[]> {
    return this.storage.list('config/');
  }

  /** The pool of a connection, opened with its current settings. */
  async pool(name: string): Promise<{ pool: pg.Pool; config: ConnectionConfig }> {
    const config = await this.require(name);
    let pool = this.pools.get(name);
    if (!pool) {
      pool = openPool(poolSettings(config));
      this.pools.set(name, pool);
    }
    return { pool, config };
  }

  /** Closes a connection's pool; the next use opens a new one. */
  async close(name: string): Promise<void> {
    const pool = this.pools.get(name);
    this.pools.delete(name);
    await pool?.end().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.keys()].map((n) => this.close(n)));
  }
}
