import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import { rfc3339Nano } from '../util/rfc3339-nano.js';
import type { DatabaseConnections } from './database-connections.js';
import { parseCron } from './database-schedule.js';
import type { StaticRotator } from './database-rotation.js';
import { MIN_ROTATION_PERIOD, type StaticRole, type StaticRoles } from './database-static-store.js';

const FIELDS: FieldSchemas = {
  name: { type: 'string' },
  db_name: { type: 'string' },
  username: { type: 'string', description: 'The existing database user whose password is rotated.' },
  rotation_period: { type: 'duration', description: 'How often the password is rotated (at least 5s).' },
  rotation_schedule: { type: 'string', description: 'A cron schedule (UTC) instead of a period.' },
  rotation_window: { type: 'duration' },
  rotation_statements: { type: 'string-slice', description: 'Statements setting the password: {{name}}, {{password}}.' },
  credential_type: { type: 'string', default: 'password' },
};

/** Seconds until the next rotation, never negative. */
function ttlOf(r: StaticRole, nowMs: number): number {
  return Math.max(0, Math.round((r.next_rotation - nowMs) / 1000));
}

function mergeStaticRole(old: StaticRole | null, d: FieldData): StaticRole {
  const pick = <T>(name: string, get: () => T, fallback: T): T => (d.has(name) ? get() : fallback);
  const username = pick('username', () => d.getString('username'), old?.username ?? '');
  if (old && username !== old.username) throw new InvalidRequestError('cannot update static account username');
  const r: StaticRole = {
    db_name: pick('db_name', () => d.getString('db_name'), old?.db_name ?? ''),
    username,
    rotation_period: pick('rotation_period', () => d.getInt('rotation_period'), old?.rotation_period ?? 0),
    rotation_schedule: pick('rotation_schedule', () => d.getString('rotation_schedule'), old?.rotation_schedule ?? ''),
    rotation_statements: pick('rotation_statements', () => d.getStrings('rotation_statements'), old?.rotation_statements ?? []),
    password: old?.password ?? '',
    last_rotation: old?.last_rotation ?? 0,
    next_rotation: old?.next_rotation ?? 0,
  };
  if (r.db_name === '') throw new InvalidRequestError('database name is a required field');
  if (r.username === '') throw new InvalidRequestError('username is a required field to create a static account');
  if (d.has('rotation_period') && d.has('rotation_schedule') && r.rotation_period > 0 && r.rotation_schedule !== '') {
    throw new InvalidRequestError('mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided');
  }
  if (d.has('rotation_schedule') && r.rotation_schedule !== '') r.rotation_period = 0;
  if (d.has('rotation_period') && r.rotation_period > 0) r.rotation_schedule = '';
  if (r.rotation_schedule !== '') parseCron(r.rotation_schedule);
  else if (r.rotation_period < MIN_ROTATION_PERIOD) throw new InvalidRequestError(`rotation_period must be ${MIN_ROTATION_PERIOD} seconds or more`);
  return r;
}

/** `static-roles/:name`, `static-creds/:name`, `rotate-role/:name`. */
export function databaseStaticPaths(deps: { roles: StaticRoles; connections: DatabaseConnections; rotator: StaticRotator; now: () => Date }): PathDef[] {
  const { roles, connections, rotator, now } = deps;
  return [
    {
      pattern: 'static-roles/?',
      operations: { list: async () => ({ data: { keys: await roles.list() } }) },
      helpSynopsis: 'List the static roles.',
    },
    {
      pattern: `static-roles/${GENERIC_NAME('name')}`,
      fields: FIELDS,
      existenceCheck: async (_req, d) => (await roles.get(d.getString('name'))) !== null,
      operations: {
        read: async (_req, d): Promise<Response | null> => {
          const r = await roles.get(d.getString('name'));
          if (!r) return null;
          return {
            data: {
              db_name: r.db_name,
              username: r.username,
              rotation_statements: r.rotation_statements,
              credential_type: 'password',
              ...(r.rotation_schedule ? { rotation_schedule: r.rotation_schedule } : { rotation_period: r.rotation_period }),
              ...(r.last_rotation ? { last_vault_rotation: rfc3339Nano(new Date(r.last_rotation)) } : {}),
            },
          };
        },
        update: async (_req, d) => {
          const name = d.getString('name');
          const old = await roles.get(name);
          const role = mergeStaticRole(old, d);
          const config = await connections.require(role.db_name);
          if (!config.allowed_roles.some((a) => a === '*' || a === name)) throw new InvalidRequestError(`"${name}" is not an allowed role`);
          // A new static account is rotated at once, as Vault does, so only this server knows its password.
          await rotator.save(name, role, old === null);
          return null;
        },
        delete: async (_req, d) => {
          const name = d.getString('name');
          rotator.forget(name);
          await roles.delete(name);
          return null;
        },
      },
      helpSynopsis: 'Manage roles whose existing database user gets its password rotated.',
    },
    {
      pattern: `static-creds/${GENERIC_NAME('name')}`,
      fields: { name: { type: 'string' } },
      operations: {
        read: async (_req, d): Promise<Response | null> => {
          const r = await roles.get(d.getString('name'));
          if (!r) throw new InvalidRequestError(`unknown static role: ${d.getString('name')}`);
          return {
            data: {
              username: r.username,
              password: r.password,
              last_vault_rotation: rfc3339Nano(new Date(r.last_rotation)),
              ...(r.rotation_schedule ? { rotation_schedule: r.rotation_schedule } : { rotation_period: r.rotation_period }),
              ttl: ttlOf(r, now().getTime()),
            },
          };
        },
      },
      helpSynopsis: 'The current password of a static role.',
    },
    {
      pattern: `rotate-role/${GENERIC_NAME('name')}`,
      fields: { name: { type: 'string' } },
      operations: {
        update: async (_req, d) => {
          await rotator.rotateNow(d.getString('name'));
          return null;
        },
      },
      helpSynopsis: 'Rotate the password of a static role now.',
    },
  ];
}
