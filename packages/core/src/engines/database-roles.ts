import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import { readJSON, writeJSON } from '../util/json-entry.js';

/** A dynamic role as stored at `role/<name>`. TTLs in seconds; 0 = the mount's. */
export interface DatabaseRole {
  db_name: string;
  creation_statements: string[];
  revocation_statements: string[];
  rollback_statements: string[];
  renew_statements: string[];
  default_ttl: number;
  max_ttl: number;
}

const ROLE_FIELDS: FieldSchemas = {
  name: { type: 'string' },
  db_name: { type: 'string', description: 'The connection this role issues credentials on.' },
  creation_statements: { type: 'string-slice', description: 'Statements creating the user: {{name}}, {{password}}, {{expiration}}.' },
  revocation_statements: { type: 'string-slice', description: 'Statements dropping the user; default: reassign and drop owned, drop role.' },
  rollback_statements: { type: 'string-slice', description: 'Statements undoing a failed creation.' },
  renew_statements: { type: 'string-slice', description: 'Statements extending the user on renewal; default: VALID UNTIL.' },
  default_ttl: { type: 'duration', default: 0 },
  max_ttl: { type: 'duration', default: 0 },
  credential_type: { type: 'string', default: 'password' },
  credential_config: { type: 'map' },
};

export class DatabaseRoles {
  constructor(private readonly storage: Backend) {}

  get(name: string): Promise<DatabaseRole | null> {
    return readJSON<DatabaseRole>(this.storage, `role/${name}`);
  }

  async require(name: string): Promise<DatabaseRole> {
    const r = await this.get(name);
    if (!r) throw new InvalidRequestError(`unknown role: ${name}`);
    return r;
  }

  put(name: string, role: DatabaseRole): Promise<void> {
    return writeJSON(this.storage, `role/${name}`, role);
  }

  delete(name: string): Promise<void> {
    return this.storage.delete(`role/${name}`);
  }

  list(): Promise<string[]> {
    return this.storage.list('role/');
  }
}

function roleResponse(r: DatabaseRole): Response {
  return {
    data: {
      db_name: r.db_name,
      creation_statements: r.creation_statements,
      revocation_statements: r.revocation_statements,
      rollback_statements: r.rollback_statements,
      renew_statements: r.renew_statements,
      default_ttl: r.default_ttl,
      max_ttl: r.max_ttl,
      credential_type: 'password',
      credential_config: {},
    },
  };
}

function mergeRole(old: DatabaseRole | null, d: FieldData): DatabaseRole {
  const pick = <T>(name: string, get: () => T, fallback: T): T => (d.has(name) ? get() : fallback);
  const r: DatabaseRole = {
    db_name: pick('db_name', () => d.getString('db_name'), old?.db_name ?? ''),
    creation_statements: pick('creation_statements', () => d.getStrings('creation_statements'), old?.creation_statements ?? []),
    revocation_statements: pick('revocation_statements', () => d.getStrings('revocation_statements'), old?.revocation_statements ?? []),
    rollback_statements: pick('rollback_statements', () => d.getStrings('rollback_statements'), old?.rollback_statements ?? []),
    renew_statements: pick('renew_statements', () => d.getStrings('renew_statements'), old?.renew_statements ?? []),
    default_ttl: pick('default_ttl', () => d.getInt('default_ttl'), old?.default_ttl ?? 0),
    max_ttl: pick('max_ttl', () => d.getInt('max_ttl'), old?.max_ttl ?? 0),
  };
  if (r.db_name === '') throw new InvalidRequestError('database name is required');
  if (r.creation_statements.length === 0) throw new InvalidRequestError('creation_statements are required');
  if (d.has('credential_type') && d.getString('credential_type') !== 'password') {
    throw new InvalidRequestError(`credential_type "${d.getString('credential_type')}" is not supported by ${'postgresql-database-plugin'}`);
  }
  if (r.max_ttl > 0 && r.default_ttl > r.max_ttl) throw new InvalidRequestError('ttl cannot be greater than max_ttl');
  return r;
}

/** `roles/:name`: dynamic roles. */
export function databaseRolePaths(roles: DatabaseRoles): PathDef[] {
  return [
    {
      pattern: 'roles/?',
      operations: { list: async () => ({ data: { keys: await roles.list() } }) },
      helpSynopsis: 'List the dynamic roles.',
    },
    {
      pattern: `roles/${GENERIC_NAME('name')}`,
      fields: ROLE_FIELDS,
      existenceCheck: async (_req, d) => (await roles.get(d.getString('name'))) !== null,
      operations: {
        read: async (_req, d) => {
          const r = await roles.get(d.getString('name'));
          return r ? roleResponse(r) : null;
        },
        update: async (_req, d) => {
          const name = d.getString('name');
          await roles.put(name, mergeRole(await roles.get(name), d));
          return null;
        },
        delete: async (_req, d) => {
          await roles.delete(d.getString('name'));
          return null;
        },
      },
      helpSynopsis: 'Manage the roles that issue database credentials on demand.',
    },
  ];
}
