import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Wrapping } from '../wrapping/wrapping.js';

function tokenField(d: FieldData): string {
  const token = d.getString('token').trim();
  if (token === '') throw new InvalidRequestError('missing "token" value in input');
  return token;
}

/** `sys/wrapping/*`; the request lifecycle wraps `wrap`'s answer; `lookup` (and `unwrap` by a third party) need no token. */
export function wrappingPaths({ wrapping }: { wrapping: Pick<Wrapping, 'unwrap' | 'lookup' | 'rewrap'> }): PathDef[] {
  const token = { token: { type: 'string' as const, description: 'The wrapping token.' } };
  return [
    {
      pattern: 'wrapping/wrap',
      takesArbitraryData: true,
      operations: {
        update: async (req) => {
          if (!req.wrapTTL) throw new InvalidRequestError('endpoint requires response wrapping to be used');
          return { data: { ...req.data } };
        },
      },
      helpSynopsis: 'Wrap the request body in a single-use wrapping token.',
    },
    {
      pattern: 'wrapping/unwrap',
      fields: token,
      operations: {
        // Without a `token` field the calling token is the wrapping token, as Vault allows.
        update: async (req, d) => {
          const t = d.getString('token').trim() || req.clientToken;
          if (!t) throw new InvalidRequestError('missing "token" value in input');
          return wrapping.unwrap(t);
        },
      },
      helpSynopsis: 'Return the wrapped response and revoke the wrapping token.',
    },
    {
      pattern: 'wrapping/lookup',
      fields: token,
      operations: {
        read: async (_req, d) => ({ data: await wrapping.lookup(tokenField(d)) }),
        update: async (_req, d) => ({ data: await wrapping.lookup(tokenField(d)) }),
      },
      helpSynopsis: 'The creation path, time and TTL of a wrapping token.',
    },
    {
      pattern: 'wrapping/rewrap',
      fields: token,
      operations: { update: async (_req, d) => wrapping.rewrap(tokenField(d)) },
      helpSynopsis: 'Move a wrapped response to a new wrapping token with the same TTL.',
    },
  ];
}
