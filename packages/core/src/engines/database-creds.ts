import { InvalidRequestError } from '../errors.js';
import { calculateTTL } from '../expiration/calculate-ttl.js';
import type { SecretType } from '../framework/framework-backend.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Request, Response, Secret } from '../logical/request.js';
import type { Logger } from '../util/logger.js';
import type { ConnectionConfig, DatabaseConnections } from './database-connections.js';
import {
  DEFAULT_RENEW_STATEMENTS,
  DEFAULT_REVOCATION_STATEMENTS,
  databaseError,
  formatExpiration,
  generatePassword,
  renderStatement,
  runEach,
  runInTransaction,
  scramVerifier,
} from './database-postgres.js';
import type { DatabaseRoles } from './database-roles.js';
import { renderUsername } from './database-username.js';

export const CREDS_SECRET_TYPE = 'creds';

interface CredsDeps {
  connections: DatabaseConnections;
  roles: DatabaseRoles;
  system: SystemView;
  logger: Logger;
}

/** What a lease keeps to renew and revoke the user later, on whichever node is active then. */
interface CredsInternal {
  secret_type: string;
  username: string;
  role: string;
  db_name: string;
  /** Unix ms: the max TTL counts from here. */
  issued_at: number;
}

function allows(config: ConnectionConfig, role: string): boolean {
  return config.allowed_roles.some((r) => r === '*' || r === role || (r.endsWith('*') && role.startsWith(r.slice(0, -1))));
}

function statementPassword(config: ConnectionConfig, password: string): string {
  return config.password_authentication === 'scram-sha-256' ? scramVerifier(password) : password;
}

/** `creds/:name`: a new PostgreSQL user per read, with a lease that drops it at its end. */
export function databaseCredsPaths(d: CredsDeps): PathDef[] {
  const issue = async (req: Request, name: string): Promise<Response> => {
    const role = await d.roles.require(name);
    const { pool, config } = await d.connections.pool(role.db_name);
    if (!allows(config, name)) throw new InvalidRequestError(`"${name}" is not an allowed role`);
    const now = d.system.now();
    const { ttl } = calculateTTL({ limits: d.system, increment: 0, backendTTL: role.default_ttl, period: 0, backendMaxTTL: role.max_ttl, explicitMaxTTL: 0, startMs: now.getTime(), nowMs: now.getTime() });
    const username = renderUsername(config.username_template, { displayName: req.auth?.displayName ?? 'token', roleName: name, now });
    const password = generatePassword();
    const values = { name: username, username, password: statementPassword(config, password), expiration: formatExpiration(new Date(now.getTime() + ttl * 1000)) };
    try {
      // One transaction: a statement that fails leaves nothing of the others behind.
      await runInTransaction(pool, role.creation_statements.map((s) => renderStatement(s, values)));
    } catch (err) {
      if (role.rollback_statements.length) {
        await runEach(pool, role.rollback_statements.map((s) => renderStatement(s, values))).catch((e: Error) =>
          d.logger.warn('database rollback statements failed', { role: name, error: e.message }),
        );
      }
      throw databaseError('failed to create user', err);
    }
    const internal: CredsInternal = { secret_type: CREDS_SECRET_TYPE, username, role: name, db_name: role.db_name, issued_at: now.getTime() };
    return {
      data: { username, password },
      secret: { ttl, maxTTL: role.max_ttl, renewable: true, internalData: { ...internal } },
    };
  };
  return [
    {
      pattern: `creds/${GENERIC_NAME('name')}`,
      fields: { name: { type: 'string', description: 'The role to issue credentials for.' } },
      operations: { read: async (req, data) => issue(req, data.getString('name')) },
      helpSynopsis: 'Issue credentials for a dynamic role.',
    },
  ];
}

/** Renewal runs the role's renew statements with the new expiry; revocation its revocation statements. */
export function credsSecretType(d: CredsDeps): SecretType {
  const internalOf = (secret: Secret): CredsInternal => {
    const i = secret.internalData as Partial<CredsInternal> | undefined;
    if (!i?.username || !i.db_name) throw new InvalidRequestError('lease carries no database user');
    return i as CredsInternal;
  };
  return {
    type: CREDS_SECRET_TYPE,
    renew: async (req, secret) => {
      const i = internalOf(secret);
      const role = await d.roles.get(i.role);
      if (!role) throw new InvalidRequestError(`error during renew: could not find role with name ${i.role}`);
      const now = d.system.now().getTime();
      const increment = Number(req.data.increment ?? 0) || 0;
      const { ttl } = calculateTTL({ limits: d.system, increment, backendTTL: role.default_ttl, period: 0, backendMaxTTL: role.max_ttl, explicitMaxTTL: 0, startMs: i.issued_at, nowMs: now });
      const { pool } = await d.connections.pool(i.db_name);
      const statements = role.renew_statements.length ? role.renew_statements : DEFAULT_RENEW_STATEMENTS;
      const values = { name: i.username, username: i.username, expiration: formatExpiration(new Date(now + ttl * 1000)) };
      try {
        await runInTransaction(pool, statements.map((s) => renderStatement(s, values)));
      } catch (err) {
        throw databaseError('failed to renew user', err);
      }
      return { secret: { ...secret, ttl, maxTTL: role.max_ttl } };
    },
    revoke: async (_req, secret) => {
      const i = internalOf(secret);
      // A role deleted since keeps its users revocable: the default statements drop them.
      const role = await d.roles.get(i.role);
      const statements = role?.revocation_statements.length ? role.revocation_statements : DEFAULT_REVOCATION_STATEMENTS;
      const { pool } = await d.connections.pool(i.db_name);
      await runInTransaction(pool, statements.map((s) => renderStatement(s, { name: i.username, username: i.username })));
    },
  };
}
