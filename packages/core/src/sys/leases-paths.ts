import { InvalidRequestError, PermissionDeniedError } from '../errors.js';
import type { ExpirationManager } from '../expiration/expiration-manager.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Request, Response } from '../logical/request.js';

/** `sys/` paths of this file that need `sudo` (for the system backend's special paths). */
export const LEASES_ROOT_PATHS = ['leases/lookup/*', 'leases/revoke-prefix/*', 'leases/revoke-force/*', 'revoke-prefix/*', 'revoke-force/*'];

const LEASE_ID_FIELDS = {
  lease_id: { type: 'string' as const, description: 'The lease id' },
  url_lease_id: { type: 'string' as const, description: 'The lease id, in the path' },
};

/** Vault answers an asynchronous revocation with 202 and an empty envelope. */
function accepted(req: Request, warnings: string[] | null = null): Response {
  return {
    raw: {
      status: 202,
      body: { request_id: req.id, lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings, auth: null },
    },
  };
}

function leaseIdOf(d: FieldData): string {
  const id = d.getString('lease_id') || d.getString('url_lease_id');
  if (!id) throw new InvalidRequestError('lease_id must be specified');
  return id;
}

/** `sys/leases/*` and the legacy `sys/renew`, `sys/revoke`, `sys/revoke-prefix`, `sys/revoke-force`. */
export function leasesPaths({ expiration }: { expiration: ExpirationManager }): PathDef[] {
  const renew = async (_req: Request, d: FieldData): Promise<Response> => expiration.renew(leaseIdOf(d), d.getInt('increment'));

  const revoke = async (req: Request, d: FieldData): Promise<Response | null> => {
    const sync = d.getBool('sync');
    await expiration.revoke(leaseIdOf(d), { sync });
    return sync ? null : accepted(req);
  };

  const revokePrefix = (force: boolean) => async (req: Request, d: FieldData): Promise<Response | null> => {
    const sync = force || d.getBool('sync');
    await expiration.revokePrefix(d.getString('prefix'), { force, sync });
    return sync ? null : accepted(req);
  };

  const list = async (req: Request, d: FieldData): Promise<Response | null> => {
    // Also checked here: `LIST sys/leases/lookup` without its trailing slash escapes the `leases/lookup/*` glob.
    if (req.rootPrivs !== true) throw new PermissionDeniedError();
    const keys = await expiration.listPrefix(d.getString('prefix'));
    return keys.length ? { data: { keys } } : null;
  };

  const renewDef = (pattern: string): PathDef => ({
    pattern,
    fields: { ...LEASE_ID_FIELDS, increment: { type: 'duration', default: 0, description: 'Requested extension from now' } },
    operations: { update: renew },
    helpSynopsis: 'Renew a lease.',
  });
  const revokeDef = (pattern: string): PathDef => ({
    pattern,
    fields: { ...LEASE_ID_FIELDS, sync: { type: 'bool', default: true, description: 'Wait for the revocation to finish' } },
    operations: { update: revoke },
    helpSynopsis: 'Revoke a lease.',
  });
  const prefixDef = (pattern: string, force: boolean): PathDef => ({
    pattern,
    fields: { prefix: { type: 'string', required: true }, sync: { type: 'bool', default: true } },
    operations: { update: revokePrefix(force) },
    helpSynopsis: force ? 'Delete every lease under a prefix, ignoring backend errors.' : 'Revoke every lease (and token) under a prefix.',
  });

  return [
    {
      pattern: 'leases/lookup/?',
      fields: { lease_id: { type: 'string' }, prefix: { type: 'string' } },
      operations: {
        update: async (_req, d) => {
          const id = d.getString('lease_id');
          if (!id) throw new InvalidRequestError('lease_id must be specified');
          const info = await expiration.lookup(id);
          if (!info) throw new InvalidRequestError('invalid lease');
          return { data: { ...info } };
        },
        list,
      },
      helpSynopsis: 'Look up a lease, or list the top-level lease prefixes.',
    },
    {
      pattern: 'leases/lookup/(?<prefix>.+)',
      fields: { prefix: { type: 'string' } },
      operations: { list },
      helpSynopsis: 'List lease ids and sub-prefixes under a prefix.',
    },
    renewDef('leases/renew(/(?<url_lease_id>.+))?'),
    revokeDef('leases/revoke(/(?<url_lease_id>.+))?'),
    prefixDef('leases/revoke-prefix/(?<prefix>.+)', false),
    prefixDef('leases/revoke-force/(?<prefix>.+)', true),
    {
      pattern: 'leases/tidy',
      operations: {
        update: async (req) => {
          expiration.startTidy();
          return accepted(req, ["Tidy operation successfully started. Any information from the operation will be printed to the server's logs."]);
        },
      },
      helpSynopsis: 'Clean up the lease indexes in the background.',
    },
    renewDef('renew(/(?<url_lease_id>.+))?'),
    revokeDef('revoke(/(?<url_lease_id>.+))?'),
    prefixDef('revoke-prefix/(?<prefix>.+)', false),
    prefixDef('revoke-force/(?<prefix>.+)', true),
  ];
}
