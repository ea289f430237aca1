import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import { redactedUrl, type ConnectionConfig, type DatabaseConnections } from './database-connections.js';
import {
  DEFAULT_ROOT_ROTATION_STATEMENTS,
  databaseError,
  generatePassword,
  openPool,
  POSTGRES_PLUGIN,
  renderStatement,
  runInTransaction,
  scramVerifier,
  verifyConnection,
} from './database-postgres.js';
import { renderUsername } from './database-username.js';

const CONFIG_FIELDS: FieldSchemas = {
  name: { type: 'string', description: 'Name of this database connection.' },
  plugin_name: { type: 'string', description: `The database plugin: ${POSTGRES_PLUGIN}.` },
  plugin_version: { type: 'string' },
  verify_connection: { type: 'bool', default: true, description: 'Connect with the settings before storing them.' },
  allowed_roles: { type: 'comma-string-slice', description: 'Roles allowed to use this connection; "*" allows any.' },
  root_rotation_statements: { type: 'string-slice', description: 'Statements rotating the root password.' },
  password_policy: { type: 'string' },
  connection_url: { type: 'string', description: 'PostgreSQL URL, with {{username}} and {{password}} templates.' },
  username: { type: 'string' },
  password: { type: 'string' },
  max_open_connections: { type: 'int', default: 4 },
  max_idle_connections: { type: 'int', default: 0 },
  max_connection_lifetime: { type: 'duration', default: 0 },
  username_template: { type: 'string' },
  password_authentication: { type: 'string', default: 'password' },
  disable_escaping: { type: 'bool' },
};

function configResponse(c: ConnectionConfig): Response {
  return {
    data: {
      allowed_roles: c.allowed_roles,
      connection_details: {
        connection_url: redactedUrl(c.connection_url),
        username: c.username,
        max_open_connections: c.max_open_connections,
        max_idle_connections: c.max_idle_connections,
        max_connection_lifetime: `${c.max_connection_lifetime}s`,
        ...(c.username_template ? { username_template: c.username_template } : {}),
        password_authentication: c.password_authentication,
      },
      password_policy: c.password_policy,
      plugin_name: c.plugin_name,
      plugin_version: '',
      root_credentials_rotate_statements: c.root_rotation_statements,
      verify_connection: c.verify_connection,
    },
  };
}

/** A write merges into the stored connection: fields not given keep their values, as Vault's update does. */
function mergeConfig(old: ConnectionConfig | null, d: FieldData): ConnectionConfig {
  const pick = <T>(name: string, get: () => T, fallback: T): T => (d.has(name) ? get() : fallback);
  const plugin = pick('plugin_name', () => d.getString('plugin_name'), old?.plugin_name ?? '');
  if (plugin === '') throw new InvalidRequestError('plugin_name is required');
  if (plugin !== POSTGRES_PLUGIN) {
    throw new InvalidRequestError(`unsupported plugin_name "${plugin}": this server supports ${POSTGRES_PLUGIN}`);
  }
  const c: ConnectionConfig = {
    plugin_name: plugin,
    connection_url: pick('connection_url', () => d.getString('connection_url'), old?.connection_url ?? ''),
    username: pick('username', () => d.getString('username'), old?.username ?? ''),
    password: pick('password', () => d.getString('password'), old?.password ?? ''),
    allowed_roles: pick('allowed_roles', () => d.getStrings('allowed_roles'), old?.allowed_roles ?? []),
    verify_connection: d.getBool('verify_connection'),
    max_open_connections: pick('max_open_connections', () => d.getInt('max_open_connections'), old?.max_open_connections ?? 4),
    max_idle_connections: pick('max_idle_connections', () => d.getInt('max_idle_connections'), old?.max_idle_connections ?? 0),
    max_connection_lifetime: pick('max_connection_lifetime', () => d.getInt('max_connection_lifetime'), old?.max_connection_lifetime ?? 0),
    username_template: pick('username_template', () => d.getString('username_template'), old?.username_template ?? ''),
    password_policy: pick('password_policy', () => d.getString('password_policy'), old?.password_policy ?? ''),
    root_rotation_statements: pick('root_rotation_statements', () => d.getStrings('root_rotation_statements'), old?.root_rotation_statements ?? []),
    password_authentication: pick('password_authentication', () => d.getString('password_authentication'), old?.password_authentication ?? 'password') as ConnectionConfig['password_authentication'],
  };
  if (c.connection_url.trim() === '') throw new InvalidRequestError('connection_url cannot be empty');
  if (!/^postgres(ql)?:\/\//i.test(c.connection_url) && !/\b(host|dbname|user)=/.test(c.connection_url)) {
    throw new InvalidRequestError('connection_url must be a postgres:// URL or a key=value connection string');
  }
  if (c.max_open_connections < 0 || c.max_idle_connections < 0) throw new InvalidRequestError('connection limits cannot be negative');
  if (c.password_authentication !== 'password' && c.password_authentication !== 'scram-sha-256') {
    throw new InvalidRequestError(`'password_authentication' must be one of "password" or "scram-sha-256"`);
  }
  // There are no password policies on this server: a named one could never be honoured.
  if (c.password_policy !== '') throw new InvalidRequestError(`password policy "${c.password_policy}" not found`);
  // A template that cannot run is refused now, not at the first credential.
  renderUsername(c.username_template, { displayName: 'token', roleName: 'role', now: new Date() });
  return c;
}

/** `config/:name`, `reset/:name`, `rotate-root/:name`: the engine's database connections. */
export function databaseConfigPaths(connections: DatabaseConnections): PathDef[] {
  return [
    {
      pattern: 'config/?',
      operations: { list: async () => ({ data: { keys: await connections.list() } }) },
      helpSynopsis: 'List the configured database connections.',
    },
    {
      pattern: `config/${GENERIC_NAME('name')}`,
      fields: CONFIG_FIELDS,
      existenceCheck: async (_req, d) => (await connections.get(d.getString('name'))) !== null,
      operations: {
        read: async (_req, d) => {
          const c = await connections.get(d.getString('name'));
          return c ? configResponse(c) : null;
        },
        update: async (_req, d) => {
          const name = d.getString('name');
          const config = mergeConfig(await connections.get(name), d);
          if (config.verify_connection) await verifyConnection({ ...config, connectionUrl: config.connection_url, maxOpenConnections: 1, maxConnectionLifetime: 0 });
          await connections.put(name, config);
          return null;
        },
        delete: async (_req, d) => {
          await connections.delete(d.getString('name'));
          return null;
        },
      },
      helpSynopsis: 'Configure a connection to a database.',
    },
    {
      pattern: `reset/${GENERIC_NAME('name')}`,
      fields: { name: { type: 'string' } },
      operations: {
        update: async (_req, d) => {
          const name = d.getString('name');
          await connections.require(name);
          await connections.close(name);
          return null;
        },
      },
      helpSynopsis: 'Close the connection pool and open a new one on next use.',
    },
    {
      pattern: `rotate-root/${GENERIC_NAME('name')}`,
      fields: { name: { type: 'string' } },
      operations: {
        update: async (_req, d) => {
          const name = d.getString('name');
          const config = await connections.require(name);
          if (config.username === '') throw new InvalidRequestError('unable to rotate root credentials: no username in configuration');
          const password = generatePassword();
          const secret = config.password_authentication === 'scram-sha-256' ? scramVerifier(password) : password;
          const statements = (config.root_rotation_statements.length ? config.root_rotation_statements : DEFAULT_ROOT_ROTATION_STATEMENTS).map((s) =>
            renderStatement(s, { username: config.username, name: config.username, password: secret }),
          );
          // A pool of its own: the shared one may be busy, and is replaced once the new password is stored.
          const pool = openPool({ connectionUrl: config.connection_url, username: config.username, password: config.password, maxOpenConnections: 1, maxConnectionLifetime: 0 });
          try {
            await runInTransaction(pool, statements);
          } catch (err) {
            throw databaseError('failed to rotate root credentials', err);
          } finally {
            await pool.end().catch(() => undefined);
          }
          await connections.put(name, { ...config, password });
          return null;
        },
      },
      helpSynopsis: 'Rotate the root password so that only this server knows it.',
    },
  ];
}
