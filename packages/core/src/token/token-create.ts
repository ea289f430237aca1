import { InvalidRequestError } from '../errors.js';
import { calculateTTL } from '../expiration/calculate-ttl.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import type { Request, Response } from '../logical/request.js';
import { authBlock, type TokenEntry } from './token-entry.js';
import { customIdProblem } from './token-id.js';
import { checkPolicyNameLengths, globMatchesAny, NON_ASSIGNABLE_POLICIES, sanitizePolicies } from './token-policies.js';
import type { TokenRole } from './token-roles.js';
import type { TokenStore } from './token-store.js';

export const CREATE_FIELDS: FieldSchemas = {
  id: { type: 'string', description: 'Value for the token (root or sudo only)' },
  policies: { type: 'comma-string-slice', description: 'Policies for the token' },
  meta: { type: 'string-map', description: 'Arbitrary key=value metadata' },
  metadata: { type: 'string-map', description: 'Alias of meta' },
  no_parent: { type: 'bool', description: 'Create the token with no parent (root or sudo only)' },
  no_default_policy: { type: 'bool' },
  renewable: { type: 'bool', default: true },
  ttl: { type: 'duration' },
  lease: { type: 'duration', description: 'Deprecated: ttl' },
  explicit_max_ttl: { type: 'duration' },
  display_name: { type: 'string' },
  num_uses: { type: 'int' },
  period: { type: 'duration', description: 'Renew period (root or sudo only)' },
  type: { type: 'string' },
  entity_alias: { type: 'string' },
  role_name: { type: 'string' },
  format: { type: 'string' },
};

/** Characters a display name may keep; others become `-`. */
const DISPLAY_NAME_SANITIZE = /[^a-zA-Z0-9-]/g;

/** The policies of a new token, by Vault's rules for roles, sudo callers and subsets of the parent's policies. */
function resolvePolicies(d: FieldData, parent: TokenEntry, role: TokenRole | null, isSudo: boolean): string[] {
  const noDefault = d.getBool('no_default_policy');
  let requested = d.getStrings('policies');
  checkPolicyNameLengths('policies', requested);
  let addDefault = false;
  if (role && (role.allowedPolicies.length || role.disallowedPolicies.length || role.allowedPoliciesGlob.length || role.disallowedPoliciesGlob.length)) {
    const localDefault =
      !noDefault && !role.tokenNoDefaultPolicy && !role.disallowedPolicies.includes('default') && !globMatchesAny(role.disallowedPoliciesGlob, 'default');
    let final = requested.length ? sanitizePolicies(requested, localDefault) : [];
    if (role.allowedPolicies.length || role.allowedPoliciesGlob.length) {
      const allowed = sanitizePolicies(role.allowedPolicies, localDefault);
      if (final.length === 0) final = allowed;
      else {
        const globs = sanitizePolicies(role.allowedPoliciesGlob, false);
        for (const p of final) {
          if (!allowed.includes(p) && !globMatchesAny(globs, p)) {
            throw new InvalidRequestError(
              `token policies (${JSON.stringify(final)}) must be subset of the role's allowed policies (${JSON.stringify(allowed)}) or glob policies (${JSON.stringify(globs)})`,
            );
          }
        }
      }
    } else if (final.length === 0) {
      final = sanitizePolicies(parent.policies, localDefault);
    }
    for (const p of final) {
      if (role.disallowedPolicies.includes(p) || globMatchesAny(role.disallowedPoliciesGlob, p)) {
        throw new InvalidRequestError(`token policy "${p}" is disallowed by this role`);
      }
    }
    requested = final;
  } else if (requested.length === 0) {
    // Inherit the parent's; `default` only if the parent has it.
    requested = sanitizePolicies(parent.policies, false);
  } else if (!isSudo) {
    const parentSet = sanitizePolicies(parent.policies, false);
    if (!sanitizePolicies(requested, false).every((p) => parentSet.includes(p))) {
      throw new InvalidRequestError('child policies must be subset of parent');
    }
    addDefault = !noDefault && parent.policies.includes('default');
  } else {
    addDefault = !noDefault;
  }
  let policies = sanitizePolicies(requested, addDefault);
  if (noDefault) policies = policies.filter((p) => p !== 'default');
  for (const p of policies) if (NON_ASSIGNABLE_POLICIES.includes(p)) throw new InvalidRequestError(`cannot assign policy "${p}"`);
  if (policies.includes('root') && !parent.policies.includes('root')) {
    throw new InvalidRequestError('root tokens may not be created without parent token being root');
  }
  return policies;
}

/** The lesser of two limits where 0 means "none". */
function lesser(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/** `auth/token/create`, `create-orphan` and `create/<role>`: a child (or orphan) of the calling token. */
export async function handleCreate(store: TokenStore, req: Request, d: FieldData, o: { orphan: boolean; roleName?: string }): Promise<Response> {
  const parent = await store.lookup(req.clientToken);
  if (!parent) throw new InvalidRequestError('parent token lookup failed: no parent found');
  if (parent.numUses > 0) throw new InvalidRequestError('restricted use token cannot generate child tokens');
  const isSudo = req.rootPrivs === true;
  const warnings: string[] = [];

  let role: TokenRole | null = null;
  if (o.roleName !== undefined) {
    role = await store.roles.get(o.roleName);
    if (!role) throw new InvalidRequestError(`unknown role ${o.roleName}`);
  }
  const type = d.getString('type');
  if (type === 'batch') throw new InvalidRequestError('batch tokens are not supported');
  if (type !== '' && type !== 'service') throw new InvalidRequestError("invalid 'token_type' value");
  if (d.getString('entity_alias')) {
    throw new InvalidRequestError(role ? 'entity aliases are not supported' : "'entity_alias' is only allowed in combination with token role");
  }
  let numUses = d.getInt('num_uses');
  if (numUses < 0) throw new InvalidRequestError('number of uses cannot be negative');

  let renewable = d.getBool('renewable');
  let path = `auth/token/${req.path}`;
  if (role) {
    if (!role.renewable) renewable = false;
    numUses = role.tokenNumUses === 0 ? numUses : lesser(numUses, role.tokenNumUses);
    if (role.pathSuffix) path += `/${role.pathSuffix}`;
  }

  let displayName = 'token';
  if (d.getString('display_name')) displayName = `token-${d.getString('display_name')}`.replace(DISPLAY_NAME_SANITIZE, '-').replace(/-+$/, '');

  const id = d.getString('id');
  if (id) {
    if (!isSudo) throw new InvalidRequestError('root or sudo privileges required to specify token id');
    const problem = customIdProblem(id);
    if (problem) throw new InvalidRequestError(problem);
  }

  const policies = resolvePolicies(d, parent, role, isSudo);

  let parentId = req.clientToken;
  if (role) {
    if (role.orphan) parentId = '';
  } else if (d.getBool('no_parent')) {
    if (!isSudo) throw new InvalidRequestError('root or sudo privileges required to create orphan token');
    parentId = '';
  } else if (o.orphan) {
    parentId = '';
  }

  let explicitMaxTTL = d.getInt('explicit_max_ttl');
  let period = d.getInt('period');
  if (period > 0 && !isSudo) throw new InvalidRequestError('root or sudo privileges required to create periodic token');
  let ttl = d.has('ttl') ? d.getInt('ttl') : d.getInt('lease');
  if (role) {
    if (role.tokenExplicitMaxTTL) {
      if (explicitMaxTTL) warnings.push(`Explicit max TTL specified both during creation call and in role; using the lesser value of ${lesser(explicitMaxTTL, role.tokenExplicitMaxTTL)} seconds`);
      explicitMaxTTL = lesser(explicitMaxTTL, role.tokenExplicitMaxTTL);
    }
    if (role.tokenPeriod) {
      if (period) warnings.push(`Period specified both during creation call and in role; using the lesser value of ${lesser(period, role.tokenPeriod)} seconds`);
      period = lesser(period, role.tokenPeriod);
    }
  }

  const nowMs = store.nowMs();
  // Root tokens may be non-expiring; everything else gets a TTL.
  if (period > 0 || ttl > 0 || !policies.includes('root')) {
    const calc = calculateTTL({ limits: store.system, increment: 0, backendTTL: ttl, period, backendMaxTTL: 0, explicitMaxTTL, startMs: nowMs, nowMs });
    ttl = calc.ttl;
    warnings.push(...calc.warnings);
  }
  if (ttl === 0 && explicitMaxTTL > 0) ttl = explicitMaxTTL;
  if (ttl === 0) {
    if (parent.ttl !== 0) throw new InvalidRequestError('expiring root tokens cannot create non-expiring root tokens');
    renewable = false;
  }

  const meta = d.has('meta') ? d.get<Record<string, string>>('meta') : d.has('metadata') ? d.get<Record<string, string>>('metadata') : null;
  const entry = await store.create({
    id: id || undefined,
    policies,
    path,
    parent: parentId,
    displayName,
    meta,
    ttl,
    explicitMaxTTL,
    period,
    numUses,
    renewable,
    role: role?.name,
    entityId: parentId ? (parent.entityId ?? '') : '',
  });
  if (id) warnings.push('Supplying a custom ID for the token means its secrecy depends on how it was chosen.');
  const resp: Response = { auth: authBlock(entry, ttl) };
  if (warnings.length) resp.warnings = warnings;
  return resp;
}
