import { InvalidRequestError, PermissionDeniedError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { LogicalBackend } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { CREATE_FIELDS, handleCreate } from './token-create.js';
import { lookupData, type TokenEntry } from './token-entry.js';
import { rolePaths } from './token-roles.js';
import type { TokenStore } from './token-store.js';

const TOKEN_HELP = `
The token credential backend is always enabled and builds in some core
features such as revocation. The token backend creates, looks up, renews
and revokes tokens, and manages token roles.
`;

/** Paths that need `sudo` (or root) on top of the capability the operation needs. */
const TOKEN_ROOT_PATHS = ['revoke-orphan*', 'accessors*'];

const TOKEN_FIELD = { token: { type: 'string' as const, description: 'The token' } };
const LOOKUP_FIELDS = { ...TOKEN_FIELD, urltoken: { type: 'string' as const, description: 'The token, in the path (deprecated)' } };
const ACCESSOR_FIELD = { accessor: { type: 'string' as const, description: 'The token accessor' } };
const INCREMENT_FIELD = { increment: { type: 'duration' as const, default: 0, description: 'Requested extension from now, in seconds or a duration' } };

function required(value: string, what: 'token' | 'accessor'): string {
  if (!value) throw new InvalidRequestError(what === 'token' ? 'missing token ID' : 'missing accessor');
  return value;
}

/** The `auth/token/` paths other than roles. */
function tokenPaths(store: TokenStore): PathDef[] {
  const lookupResponse = (e: TokenEntry, blankId = false): Response => {
    const data = lookupData(e, store.nowMs());
    if (blankId) data.id = '';
    return { data };
  };

  const lookup = async (req: Request, d: FieldData): Promise<Response> => {
    const token = d.getString('urltoken') || d.getString('token') || req.clientToken;
    const e = await store.lookupInFlight(required(token, 'token'));
    if (!e) throw new PermissionDeniedError('bad token');
    return lookupResponse(e);
  };
  const lookupSelf = async (req: Request): Promise<Response> => {
    const e = await store.lookupInFlight(req.clientToken);
    if (!e) throw new PermissionDeniedError('bad token');
    return lookupResponse(e);
  };

  const renewAccessor = async (_req: Request, d: FieldData): Promise<Response> => {
    const e = await store.lookupAccessor(required(d.getString('accessor'), 'accessor'));
    if (!e) throw new InvalidRequestError('invalid accessor');
    const resp = await store.renew(e.id, d.getInt('increment'));
    if (resp.auth) resp.auth.clientToken = '';
    return resp;
  };

  return [
    {
      pattern: 'create',
      fields: CREATE_FIELDS,
      operations: { update: (req, d) => handleCreate(store, req, d, { orphan: false }) },
      helpSynopsis: 'Create a token that is a child of the calling token.',
    },
    {
      pattern: 'create-orphan',
      fields: CREATE_FIELDS,
      operations: { update: (req, d) => handleCreate(store, req, d, { orphan: true }) },
      helpSynopsis: 'Create a token without a parent.',
    },
    {
      pattern: `create/${GENERIC_NAME('role_name')}`,
      fields: CREATE_FIELDS,
      operations: { update: (req, d) => handleCreate(store, req, d, { orphan: false, roleName: d.getString('role_name') }) },
      helpSynopsis: 'Create a token through a role.',
    },
    {
      pattern: 'lookup',
      fields: LOOKUP_FIELDS,
      operations: { read: lookup, update: lookup },
      helpSynopsis: 'Look up a token.',
    },
    {
      pattern: 'lookup/(?<urltoken>.+)',
      fields: LOOKUP_FIELDS,
      operations: { read: lookup, update: lookup },
      helpSynopsis: 'Look up a token (deprecated path form; use the request body).',
    },
    {
      pattern: 'lookup-self',
      fields: TOKEN_FIELD,
      operations: { read: lookupSelf, update: lookupSelf },
      helpSynopsis: 'Look up the calling token.',
    },
    {
      pattern: 'lookup-accessor',
      fields: ACCESSOR_FIELD,
      operations: {
        update: async (_req, d) => {
          const e = await store.lookupAccessor(required(d.getString('accessor'), 'accessor'));
          if (!e) throw new InvalidRequestError('invalid accessor');
          return lookupResponse(e, true);
        },
      },
      helpSynopsis: 'Look up a token by its accessor; the token id is not returned.',
    },
    {
      pattern: 'renew',
      fields: { ...TOKEN_FIELD, ...INCREMENT_FIELD },
      operations: { update: (_req, d) => store.renew(required(d.getString('token'), 'token'), d.getInt('increment')) },
      helpSynopsis: 'Renew a token.',
    },
    {
      pattern: 'renew-self',
      fields: { ...TOKEN_FIELD, ...INCREMENT_FIELD },
      operations: { update: (req, d) => store.renew(required(req.clientToken, 'token'), d.getInt('increment')) },
      helpSynopsis: 'Renew the calling token.',
    },
    {
      pattern: 'renew-accessor',
      fields: { ...ACCESSOR_FIELD, ...INCREMENT_FIELD },
      operations: { update: renewAccessor },
      helpSynopsis: 'Renew a token by its accessor.',
    },
    {
      pattern: 'revoke',
      fields: TOKEN_FIELD,
      operations: {
        update: async (_req, d) => {
          await store.revokeTree(required(d.getString('token'), 'token'));
          return null;
        },
      },
      helpSynopsis: 'Revoke a token, its children and their leases.',
    },
    {
      pattern: 'revoke-self',
      operations: {
        update: async (req) => {
          await store.revokeTree(req.clientToken);
          return null;
        },
      },
      helpSynopsis: 'Revoke the calling token, its children and their leases.',
    },
    {
      pattern: 'revoke-accessor',
      fields: ACCESSOR_FIELD,
      operations: {
        update: async (_req, d) => {
          await store.revokeAccessor(required(d.getString('accessor'), 'accessor'));
          return null;
        },
      },
      helpSynopsis: 'Revoke a token by its accessor.',
    },
    {
      pattern: 'revoke-orphan',
      fields: TOKEN_FIELD,
      operations: {
        update: async (req, d) => {
          const token = required(d.getString('token'), 'token');
          if (req.rootPrivs !== true) throw new InvalidRequestError('root or sudo privileges required to revoke and orphan');
          await store.revokeOrphan(token);
          return null;
        },
      },
      helpSynopsis: 'Revoke a token and its leases; its children become orphans.',
    },
    {
      pattern: 'accessors/?',
      operations: {
        list: async () => {
          const keys = await store.listAccessors();
          return keys.length ? { data: { keys } } : null;
        },
      },
      helpSynopsis: 'List token accessors.',
    },
    {
      pattern: 'tidy',
      operations: {
        update: async () => {
          const r = await store.tidy();
          return { data: { accessors_removed: r.accessors, parent_entries_removed: r.parents, orphans_revoked: r.orphansRevoked } };
        },
      },
      helpSynopsis: 'Clean up dangling token indexes and tokens whose parent is gone.',
    },
  ];
}

/** The `auth/token/` backend over a token store. */
export function tokenBackend(store: TokenStore): LogicalBackend {
  return new FrameworkBackend({
    class: 'credential',
    help: TOKEN_HELP,
    paths: [...tokenPaths(store), ...rolePaths(store.roles, store.system)],
    // The token store's paths act on the caller's own token (lookup-self, renew-self, create as a child).
    specialPaths: { root: TOKEN_ROOT_PATHS, clientToken: ['*'] },
  });
}
