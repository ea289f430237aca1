import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { InvalidRequestError } from '../errors.js';

/** The plugin name Vault's PostgreSQL database plugin answers to; the only one this engine has. */
export const POSTGRES_PLUGIN = 'postgresql-database-plugin';

/** Vault's default statements of the PostgreSQL plugin, where a role or connection gives none. */
export const DEFAULT_RENEW_STATEMENTS = [`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`];
export const DEFAULT_ROOT_ROTATION_STATEMENTS = [`ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`];
export const DEFAULT_STATIC_ROTATION_STATEMENTS = [`ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}';`];
/** Ownership goes to the connection's user, then the role's privileges and the role itself are dropped. */
export const DEFAULT_REVOCATION_STATEMENTS = [`REASSIGN OWNED BY "{{name}}" TO CURRENT_USER; DROP OWNED BY "{{name}}"; DROP ROLE IF EXISTS "{{name}}";`];

/** How a connection is opened: the URL with its templates filled, and the pool's limits. */
export interface PoolSettings {
  connectionUrl: string;
  username: string;
  password: string;
  maxOpenConnections: number;
  /** Seconds; 0 = no limit. */
  maxConnectionLifetime: number;
}

/** A connection URL with `{{username}}` and `{{password}}` filled in, escaped for a URL. */
export function renderConnectionUrl(url: string, username: string, password: string): string {
  return url.replaceAll('{{username}}', encodeURIComponent(username)).replaceAll('{{password}}', encodeURIComponent(password));
}

export function openPool(s: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    connectionString: renderConnectionUrl(s.connectionUrl, s.username, s.password),
    max: s.maxOpenConnections > 0 ? s.maxOpenConnections : 4,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    ...(s.maxConnectionLifetime > 0 ? { maxLifetimeSeconds: s.maxConnectionLifetime } : {}),
  });
  // An idle client that loses its server must not crash the node: the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** PostgreSQL's own words for a failed call, which Vault passes back to the client. */
export function postgresMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A failure of the database itself, reported as the client's problem: its SQL, its credentials, its server. */
export function databaseError(what: string, err: unknown): InvalidRequestError {
  return new InvalidRequestError(`${what}: ${postgresMessage(err)}`);
}

/** Opens one connection and closes it: `verify_connection`. */
export async function verifyConnection(s: PoolSettings): Promise<void> {
  const client = new pg.Client({ connectionString: renderConnectionUrl(s.connectionUrl, s.username, s.password), connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw databaseError('error verifying connection', err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Fills Vault's statement templates. The values substituted are made by this engine (generated names, passwords,
 * SCRAM verifiers, timestamps) from characters that need no quoting, so a template's own quotes stay sound.
 */
export function renderStatement(stmt: string, values: Record<string, string>): string {
  return stmt.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? values[key]! : whole));
}

/** Vault's `{{expiration}}`: `2006-01-02 15:04:05-0700` in UTC. */
export function formatExpiration(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+0000`;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, n: number): string {
  const out: string[] = [];
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % alphabet.length)) out.push(alphabet[b % alphabet.length]!);
      if (out.length === n) break;
    }
  }
  return out.join('');
}

/** A password as Vault's default generator makes them: 20 characters with every class PostgreSQL checks for. */
export function generatePassword(): string {
  return `A1a-${randomFrom(ALNUM, 20)}`;
}

/**
 * With `password_authentication = "scram-sha-256"` the password is sent to PostgreSQL already hashed, as a SCRAM
 * verifier (RFC 5802/7677, PostgreSQL's format), so it never crosses the wire or lands in a log in the clear.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Runs statements as one transaction; on failure it is rolled back and the error is rethrown. */
export async function runInTransaction(pool: pg.Pool, statements: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The simple query protocol runs a statement holding several commands (a DO block, a GRANT after a CREATE).
    for (const s of statements) if (s.trim() !== '') await client.query(s);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Runs statements one by one outside a transaction (rollback statements, best effort by the caller). */
export async function runEach(pool: pg.Pool, statements: string[]): Promise<void> {
  for (const s of statements) if (s.trim() !== '') await pool.query(s);
}
