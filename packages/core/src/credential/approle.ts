import { timingSafeEqual } from 'node:crypto';
import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError, PermissionDeniedError } from '../errors.js';
import { addressInCidrs } from '../util/cidr.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import { GENERIC_NAME } from '../framework/path.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import type { Auth, Request, Response } from '../logical/request.js';
import { ROLE_FIELDS, ROLE_NAME, RoleStore, applyRoleFields, newRole, roleData, type RoleEntry } from './approle-role.js';
import { MountSalt } from './approle-salt.js';
import { SecretIdStore, parseMetadata, secretIdData } from './approle-secret-id.js';
import { renewedAuth, tokenAuth } from './token-fields.js';

const HELP = `
Any registered Role can authenticate itself with the AppRole backend. The
credentials (role ID and secret ID) required to log in depend on the
constraints set on the role.
`;

/** The one answer to a failed login, whatever part of the credentials was wrong. */
const INVALID_CREDENTIALS = 'invalid role or secret ID';

const ROLE = `role/${GENERIC_NAME('role_name')}`;
const SECRET_ID: FieldSchemas = { secret_id: { type: 'string', description: 'A secret ID of the role.' } };
const ACCESSOR: FieldSchemas = { secret_id_accessor: { type: 'string', description: 'The accessor of a secret ID.' } };

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Vault's approle auth method: roles with a role ID and secret IDs (stored by HMAC, limited in uses and time), and
 * an unauthenticated `login` whose `auth` block the core turns into a token.
 */
export async function approleFactory(ctx: BackendContext): Promise<LogicalBackend> {
  const salt = new MountSalt(ctx.storage);
  const hmac = (v: string) => salt.hmac(v);
  const roles = new RoleStore(ctx.storage, hmac);
  const secretIds = new SecretIdStore(ctx.storage, hmac, () => ctx.system.now());
  // One lock per role: a role rewrite, and the use count of its secret IDs, must not lose updates.
  const locks = new KeyedLock();

  const requireRole = async (name: string): Promise<RoleEntry> => {
    const role = await roles.get(name);
    if (!role) throw new InvalidRequestError(`role "${name}" does not exist`);
    return role;
  };

  /** Runs `fn` under the role's lock with the role, which must exist. */
  const withRole =
    (fn: (name: string, role: RoleEntry, d: FieldData) => Promise<Response | null>) =>
    async (_req: Request, d: FieldData): Promise<Response | null> => {
      const name = d.getString('role_name');
      return locks.run(name, async () => fn(name, await requireRole(name), d));
    };

  const writeRole = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const name = d.getString('role_name');
    return locks.run(name, async () => {
      const existing = await roles.get(name);
      const role = existing ?? newRole();
      applyRoleFields(role, d);
      if (d.has('role_id')) role.role_id = d.getString('role_id');
      await roles.put(name, role, existing?.role_id);
      return null;
    });
  };

  const readRole = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const role = await roles.get(d.getString('role_name'));
    return role ? { data: roleData(role) } : null;
  };

  const deleteRole = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const name = d.getString('role_name');
    await locks.run(name, async () => {
      const role = await roles.get(name);
      if (!role) return;
      await secretIds.destroyAll(name);
      await roles.delete(name, role);
    });
    return null;
  };

  const listRoles = async (): Promise<Response | null> => {
    const keys = await roles.list();
    return keys.length ? { data: { keys } } : null;
  };

  const readRoleId = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const role = await roles.get(d.getString('role_name'));
    return role ? { data: { role_id: role.role_id } } : null;
  };

  const setRoleId = withRole(async (name, role, d) => {
    if (d.getString('role_id') === '') throw new InvalidRequestError('missing role_id');
    const previous = role.role_id;
    await roles.put(name, { ...role, role_id: d.getString('role_id') }, previous);
    return null;
  });

  /** Issues a secret ID; `num_uses` and `ttl` may narrow the role's limits, never widen them. */
  const generateSecretId = withRole(async (name, role, d) => {
    if (!role.bind_secret_id) throw new InvalidRequestError('bind_secret_id is not set on the role');
    const numUses = d.has('num_uses') ? d.getInt('num_uses') : role.secret_id_num_uses;
    if (numUses < 0) throw new InvalidRequestError('num_uses cannot be negative');
    if (role.secret_id_num_uses > 0 && (numUses === 0 || numUses > role.secret_id_num_uses)) {
      throw new InvalidRequestError("num_uses cannot be higher than the role's secret_id_num_uses");
    }
    const ttl = d.has('ttl') ? d.getInt('ttl') : role.secret_id_ttl;
    if (role.secret_id_ttl > 0 && (ttl === 0 || ttl > role.secret_id_ttl)) throw new InvalidRequestError("ttl cannot be longer than the role's secret_id_ttl");
    const { secretId, entry } = await secretIds.create(name, { metadata: parseMetadata(d.get('metadata')), numUses, ttl });
    return {
      data: { secret_id: secretId, secret_id_accessor: entry.secret_id_accessor, secret_id_ttl: entry.secret_id_ttl, secret_id_num_uses: entry.secret_id_num_uses },
    };
  });

  const listSecretIds = withRole(async (name) => {
    const keys = await secretIds.listAccessors(name);
    return keys.length ? { data: { keys } } : null;
  });

  const lookupSecretId = withRole(async (name, _role, d) => {
    const entry = await secretIds.get(name, d.getString('secret_id'));
    return entry ? { data: secretIdData(entry) } : null;
  });

  const destroySecretId = withRole(async (name, _role, d) => {
    const entry = await secretIds.get(name, d.getString('secret_id'));
    if (entry) await secretIds.destroy(name, entry);
    return null;
  });

  const lookupAccessor = withRole(async (name, _role, d) => {
    const entry = await secretIds.getByAccessor(name, d.getString('secret_id_accessor'));
    if (!entry) throw new InvalidRequestError('failed to find accessor entry for secret_id_accessor');
    return { data: secretIdData(entry) };
  });

  const destroyAccessor = withRole(async (name, _role, d) => {
    const entry = await secretIds.getByAccessor(name, d.getString('secret_id_accessor'));
    if (!entry) throw new InvalidRequestError('failed to find accessor entry for secret_id_accessor');
    await secretIds.destroy(name, entry);
    return null;
  });

  const login = async (req: Request, d: FieldData): Promise<Response | null> => {
    const roleId = d.getString('role_id');
    if (roleId === '') throw new InvalidRequestError('missing role_id');
    const name = await roles.nameByRoleId(roleId);
    if (name === null) throw new InvalidRequestError(INVALID_CREDENTIALS);
    return locks.run(name, async () => {
      const role = await roles.get(name);
      // The index is found by HMAC; the role must still hold exactly this role ID.
      if (!role || !sameString(role.role_id, roleId)) throw new InvalidRequestError(INVALID_CREDENTIALS);
      // A role stored before constraints were required may still lack every one: it cannot log in.
      if (!role.bind_secret_id && !role.secret_id_bound_cidrs.length && !role.token_bound_cidrs.length) throw new InvalidRequestError(INVALID_CREDENTIALS);
      for (const [field, cidrs] of [['secret_id_bound_cidrs', role.secret_id_bound_cidrs], ['token_bound_cidrs', role.token_bound_cidrs]] as const) {
        if (cidrs.length && !addressInCidrs(req.remoteAddress, cidrs)) throw new PermissionDeniedError(`source address ${JSON.stringify(req.remoteAddress ?? '')} unauthorized by CIDR restrictions on the role (${field})`);
      }
      let metadata: Record<string, string> = {};
      if (role.bind_secret_id) {
        const secretId = d.getString('secret_id');
        if (secretId === '') throw new InvalidRequestError('missing secret_id');
        const entry = await secretIds.get(name, secretId);
        if (!entry) throw new InvalidRequestError(INVALID_CREDENTIALS);
        await secretIds.consume(name, entry);
        metadata = entry.metadata;
      }
      return { auth: { ...tokenAuth(role), boundCidrs: role.token_bound_cidrs, metadata: { ...metadata, role_name: name }, internalData: { role_name: name } } };
    });
  };

  /** A renewal goes through only while the role exists, and takes its current TTLs. */
  const renewAuth = async (_req: Request, auth: Auth): Promise<Response | null> => {
    const raw = auth.internalData?.role_name ?? auth.metadata?.role_name;
    const name = typeof raw === 'string' ? raw : '';
    const role = name ? await roles.get(name) : null;
    if (!role) throw new InvalidRequestError(`role "${name}" does not exist during renewal`);
    return { auth: renewedAuth(auth, role) };
  };

  return new FrameworkBackend({
    class: 'credential',
    help: HELP,
    specialPaths: { unauthenticated: ['login'] },
    renewAuth,
    paths: [
      { pattern: 'role/?', operations: { list: listRoles }, helpSynopsis: 'List the existing roles.' },
      {
        pattern: `${ROLE}/role-id`,
        fields: { ...ROLE_NAME, role_id: ROLE_FIELDS.role_id! },
        operations: { read: readRoleId, update: setRoleId },
        helpSynopsis: 'Read or set the role ID of a role.',
      },
      {
        pattern: `${ROLE}/secret-id/?`,
        fields: {
          ...ROLE_NAME,
          metadata: { type: 'raw', description: 'A JSON object of strings, attached to tokens issued with the secret ID.' },
          num_uses: { type: 'int', description: 'Uses of the secret ID; 0 = unlimited.' },
          ttl: { type: 'duration', description: 'Lifetime of the secret ID.' },
        },
        operations: { update: generateSecretId, list: listSecretIds },
        helpSynopsis: 'Generate a secret ID for a role, or list the accessors of its secret IDs.',
      },
      { pattern: `${ROLE}/secret-id/lookup/?`, fields: { ...ROLE_NAME, ...SECRET_ID }, operations: { update: lookupSecretId }, helpSynopsis: 'Read a secret ID.' },
      { pattern: `${ROLE}/secret-id/destroy/?`, fields: { ...ROLE_NAME, ...SECRET_ID }, operations: { update: destroySecretId, delete: destroySecretId }, helpSynopsis: 'Destroy a secret ID.' },
      { pattern: `${ROLE}/secret-id-accessor/lookup/?`, fields: { ...ROLE_NAME, ...ACCESSOR }, operations: { update: lookupAccessor }, helpSynopsis: 'Read a secret ID by its accessor.' },
      { pattern: `${ROLE}/secret-id-accessor/destroy/?`, fields: { ...ROLE_NAME, ...ACCESSOR }, operations: { update: destroyAccessor, delete: destroyAccessor }, helpSynopsis: 'Destroy a secret ID by its accessor.' },
      {
        pattern: ROLE,
        fields: ROLE_FIELDS,
        operations: { read: readRole, create: writeRole, update: writeRole, delete: deleteRole },
        existenceCheck: async (_req, d) => (await roles.get(d.getString('role_name'))) !== null,
        helpSynopsis: 'Manage the roles that can log in.',
      },
      {
        pattern: 'login',
        fields: { role_id: { type: 'string', description: 'The role ID of the role.' }, ...SECRET_ID },
        operations: { update: login },
        helpSynopsis: 'Log in with a role ID and a secret ID.',
      },
    ],
  });
}
