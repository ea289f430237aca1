import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import type { PolicyStore } from '../policy/index.js';
import type { TokenStore } from '../token/token-store.js';

interface CapabilitiesDeps {
  policies: Pick<PolicyStore, 'acl'>;
  tokens: Pick<TokenStore, 'lookup' | 'lookupAccessor'>;
}

const PATH_FIELDS: FieldSchemas = {
  path: { type: 'comma-string-slice', description: 'Deprecated: use "paths".' },
  paths: { type: 'comma-string-slice', description: 'Paths to report the capabilities of.' },
};

/**
 * Vault's answer: each path maps to the token's capabilities there (sorted, `["root"]` for root, `["deny"]` when
 * none), and a single path is repeated under `capabilities` for older clients.
 */
async function capabilities(core: CapabilitiesDeps, policies: readonly string[], d: FieldData): Promise<Response> {
  const paths = d.getStrings('paths').length ? d.getStrings('paths') : d.getStrings('path');
  if (paths.length === 0) throw new InvalidRequestError('paths must be supplied');
  const acl = await core.policies.acl(policies);
  const data: Record<string, unknown> = {};
  // Defined, not assigned: `data["__proto__"] = ...` would replace the prototype and the path would vanish from the
  // answer. A defined own property is kept by object spread and by JSON.stringify.
  const put = (key: string, value: unknown): void => {
    Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const path of paths) put(path, policies.length === 0 ? ['deny'] : [...acl.capabilities(path)].sort());
  if (paths.length === 1) put('capabilities', data[paths[0]!]);
  return { data };
}

async function policiesOfToken(core: CapabilitiesDeps, token: string): Promise<string[]> {
  if (token === '') throw new InvalidRequestError('missing token');
  const entry = await core.tokens.lookup(token);
  if (!entry) throw new InvalidRequestError('invalid token');
  return entry.policies;
}

/** `sys/capabilities`, `sys/capabilities-self` and `sys/capabilities-accessor`. */
export function capabilitiesPaths(core: CapabilitiesDeps): PathDef[] {
  return [
    {
      pattern: 'capabilities',
      fields: { ...PATH_FIELDS, token: { type: 'string', description: 'The token to check.' } },
      operations: { update: async (_req, d) => capabilities(core, await policiesOfToken(core, d.getString('token')), d) },
      helpSynopsis: "A token's capabilities on paths.",
    },
    {
      pattern: 'capabilities-self',
      fields: { ...PATH_FIELDS, token: { type: 'string', description: 'Ignored: the calling token is used.' } },
      operations: {
        update: async (req, d) => capabilities(core, req.auth?.policies ?? (await policiesOfToken(core, req.clientToken)), d),
      },
      helpSynopsis: "The calling token's capabilities on paths.",
    },
    {
      pattern: 'capabilities-accessor',
      fields: { ...PATH_FIELDS, accessor: { type: 'string', description: 'The accessor of the token to check.' } },
      operations: {
        update: async (_req, d) => {
          const accessor = d.getString('accessor');
          if (accessor === '') throw new InvalidRequestError('missing accessor');
          const entry = await core.tokens.lookupAccessor(accessor);
          if (!entry) throw new InvalidRequestError('invalid accessor');
          return capabilities(core, entry.policies, d);
        },
      },
      helpSynopsis: "The capabilities on paths of the token with an accessor.",
    },
  ];
}
