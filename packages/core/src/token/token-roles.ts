import type { Backend } from '@strongroom/storage';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { GENERIC_NAME, type PathDef } from '../framework/path.js';
import type { SystemView } from '../logical/backend.js';
import type { Request, Response } from '../logical/request.js';
import { decodeJSON, encodeJSON } from './token-entry.js';
import { checkPolicyNameLengths, dedupeLower, sanitizePolicies } from './token-policies.js';

/** A token role (`auth/token/roles/<name>`): what tokens created through `create/<name>` may be. */
export interface TokenRole {
  name: string;
  allowedPolicies: string[];
  disallowedPolicies: string[];
  allowedPoliciesGlob: string[];
  disallowedPoliciesGlob: string[];
  orphan: boolean;
  renewable: boolean;
  pathSuffix: string;
  allowedEntityAliases: string[];
  /** The deprecated field names are kept as written so that reads return what was set. */
  period: number;
  tokenPeriod: number;
  explicitMaxTTL: number;
  tokenExplicitMaxTTL: number;
  tokenNumUses: number;
  tokenType: 'service' | 'default-service';
  tokenNoDefaultPolicy: boolean;
}

const ROLES_PREFIX = 'roles/';
const PATH_SUFFIX = /^\w([\w.-]*\w)?$/;

/** Roles stored in the token store's view at `roles/<name>`. */
export class TokenRoles {
  constructor(private readonly storage: Backend) {}

  async get(name: string): Promise<TokenRole | null> {
    const raw = await this.storage.get(ROLES_PREFIX + name);
    return raw ? decodeJSON<TokenRole>(raw) : null;
  }

  async put(role: TokenRole): Promise<void> {
    await this.storage.put(ROLES_PREFIX + role.name, encodeJSON(role));
  }

  async delete(name: string): Promise<void> {
    await this.storage.delete(ROLES_PREFIX + name);
  }

  async list(): Promise<string[]> {
    return (await this.storage.list(ROLES_PREFIX)).filter((k) => !k.endsWith('/'));
  }
}

function newRole(name: string): TokenRole {
  return {
    name,
    allowedPolicies: [],
    disallowedPolicies: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    orphan: false,
    renewable: true,
    pathSuffix: '',
    allowedEntityAliases: [],
    period: 0,
    tokenPeriod: 0,
    explicitMaxTTL: 0,
    tokenExplicitMaxTTL: 0,
    tokenNumUses: 0,
    tokenType: 'default-service',
    tokenNoDefaultPolicy: false,
  };
}

function roleData(r: TokenRole): Record<string, unknown> {
  const d: Record<string, unknown> = {
    name: r.name,
    allowed_policies: r.allowedPolicies,
    disallowed_policies: r.disallowedPolicies,
    allowed_policies_glob: r.allowedPoliciesGlob,
    disallowed_policies_glob: r.disallowedPoliciesGlob,
    allowed_entity_aliases: r.allowedEntityAliases,
    orphan: r.orphan,
    renewable: r.renewable,
    path_suffix: r.pathSuffix,
    period: r.period,
    token_period: r.tokenPeriod,
    explicit_max_ttl: r.explicitMaxTTL,
    token_explicit_max_ttl: r.tokenExplicitMaxTTL,
    token_type: r.tokenType,
    token_no_default_policy: r.tokenNoDefaultPolicy,
  };
  if (r.tokenNumUses > 0) d.token_num_uses = r.tokenNumUses;
  return d;
}

const ROLE_FIELDS: FieldSchemas = {
  role_name: { type: 'string', required: true },
  allowed_policies: { type: 'comma-string-slice' },
  disallowed_policies: { type: 'comma-string-slice' },
  allowed_policies_glob: { type: 'comma-string-slice' },
  disallowed_policies_glob: { type: 'comma-string-slice' },
  allowed_entity_aliases: { type: 'comma-string-slice' },
  orphan: { type: 'bool' },
  renewable: { type: 'bool', default: true },
  path_suffix: { type: 'string' },
  period: { type: 'duration' },
  token_period: { type: 'duration' },
  explicit_max_ttl: { type: 'duration' },
  token_explicit_max_ttl: { type: 'duration' },
  token_num_uses: { type: 'int' },
  token_type: { type: 'string' },
  token_no_default_policy: { type: 'bool' },
  bound_cidrs: { type: 'comma-string-slice' },
  token_bound_cidrs: { type: 'comma-string-slice' },
};

/** Applies the fields the client sent to `r`; returns warnings. */
function applyRoleFields(r: TokenRole, d: FieldData, system: SystemView): string[] {
  const warnings: string[] = [];
  if (d.getStrings('bound_cidrs').length || d.getStrings('token_bound_cidrs').length) {
    throw new InvalidRequestError('bound CIDRs are not supported');
  }
  if (d.has('orphan')) r.orphan = d.getBool('orphan');
  if (d.has('renewable')) r.renewable = d.getBool('renewable');
  if (d.has('path_suffix')) {
    const s = d.getString('path_suffix');
    if (s !== '' && (!PATH_SUFFIX.test(s) || s.includes('..'))) {
      throw new InvalidRequestError(`given role path suffix contains invalid characters; must match ${PATH_SUFFIX.source}`);
    }
    r.pathSuffix = s;
  }
  for (const f of ['allowed_policies', 'disallowed_policies', 'allowed_policies_glob', 'disallowed_policies_glob']) {
    if (d.has(f)) checkPolicyNameLengths(f, d.getStrings(f));
  }
  if (d.has('allowed_policies')) r.allowedPolicies = sanitizePolicies(d.getStrings('allowed_policies'), false);
  if (d.has('disallowed_policies')) r.disallowedPolicies = dedupeLower(d.getStrings('disallowed_policies'));
  if (d.has('allowed_policies_glob')) r.allowedPoliciesGlob = sanitizePolicies(d.getStrings('allowed_policies_glob'), false);
  if (d.has('disallowed_policies_glob')) r.disallowedPoliciesGlob = dedupeLower(d.getStrings('disallowed_policies_glob'));
  if (d.has('allowed_entity_aliases')) r.allowedEntityAliases = dedupeLower(d.getStrings('allowed_entity_aliases'));

  if (d.has('token_period')) {
    if (d.has('period')) warnings.push("Both 'token_period' and deprecated 'period' value supplied, ignoring the deprecated value");
    r.tokenPeriod = d.getInt('token_period');
    r.period = 0;
  } else if (d.has('period')) {
    r.period = r.tokenPeriod = d.getInt('period');
  }
  if (d.has('token_explicit_max_ttl')) {
    if (d.has('explicit_max_ttl')) warnings.push("Both 'token_explicit_max_ttl' and deprecated 'explicit_max_ttl' value supplied, ignoring the deprecated value");
    r.tokenExplicitMaxTTL = d.getInt('token_explicit_max_ttl');
    r.explicitMaxTTL = 0;
  } else if (d.has('explicit_max_ttl')) {
    r.explicitMaxTTL = r.tokenExplicitMaxTTL = d.getInt('explicit_max_ttl');
  }
  const max = system.maxLeaseTTL();
  if (r.tokenExplicitMaxTTL > 0 && max > 0 && r.tokenExplicitMaxTTL > max) {
    warnings.push(
      `Given explicit max TTL of ${r.tokenExplicitMaxTTL} is greater than system/mount allowed value of ${max} seconds; until this is fixed attempting to create tokens against this role will result in an error`,
    );
  }
  if (d.has('token_num_uses')) {
    const n = d.getInt('token_num_uses');
    if (n < 0) throw new InvalidRequestError('token_num_uses cannot be negative');
    r.tokenNumUses = n;
  }
  if (d.has('token_type')) {
    const t = d.getString('token_type');
    if (t === 'batch' || t === 'default-batch') throw new InvalidRequestError('batch tokens are not supported');
    if (t === 'service') r.tokenType = 'service';
    else if (t === 'default-service' || t === 'default') r.tokenType = 'default-service';
    else throw new InvalidRequestError(`invalid 'token_type' value "${t}"`);
  }
  if (d.has('token_no_default_policy')) r.tokenNoDefaultPolicy = d.getBool('token_no_default_policy');
  return warnings;
}

/** `roles` (LIST) and `roles/<name>` (read, write, delete). */
export function rolePaths(roles: TokenRoles, system: SystemView): PathDef[] {
  const write = async (_req: Request, d: FieldData): Promise<Response | null> => {
    const name = d.getString('role_name');
    const role = (await roles.get(name)) ?? newRole(name);
    const warnings = applyRoleFields(role, d, system);
    await roles.put(role);
    return warnings.length ? { warnings } : null;
  };
  return [
    {
      pattern: 'roles/?',
      operations: {
        list: async () => {
          const keys = await roles.list();
          return keys.length ? { data: { keys } } : null;
        },
      },
      helpSynopsis: 'Lists token roles.',
    },
    {
      pattern: `roles/${GENERIC_NAME('role_name')}`,
      fields: ROLE_FIELDS,
      existenceCheck: async (_req, d) => (await roles.get(d.getString('role_name'))) !== null,
      operations: {
        read: async (_req, d) => {
          const r = await roles.get(d.getString('role_name'));
          return r ? { data: roleData(r) } : null;
        },
        create: write,
        update: write,
        delete: async (_req, d) => {
          await roles.delete(d.getString('role_name'));
          return null;
        },
      },
      helpSynopsis: 'Create, read, update or delete a token role.',
    },
  ];
}
