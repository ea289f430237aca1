import { InvalidRequestError } from '../errors.js';
import { globMatch } from '../util/glob.js';

/** Policies no token may be given: they belong to the server's own single-purpose tokens. */
export const NON_ASSIGNABLE_POLICIES = ['response-wrapping', 'control-group'];

/**
 * Vault's `SanitizePolicies`: trimmed, lowercased, de-duplicated and sorted; `root` alone wins over anything
 * else; `default` is added when asked, except to root.
 */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const out = new Set<string>();
  for (const raw of policies) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === 'root') return ['root'];
    out.add(p);
  }
  if (addDefault) out.add('default');
  return [...out].sort();
}

/** Lowercased, de-duplicated and sorted, without adding anything. */
export function dedupeLower(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim().toLowerCase()).filter((v) => v !== ''))].sort();
}

/** Whether `value` matches a glob with `*` wildcards anywhere (Vault's `StrListContainsGlob`), in linear time. */
export function globMatchesAny(globs: readonly string[], value: string): boolean {
  return globs.some((g) => globMatch(g, value));
}

/**
 * The longest policy name, or policy glob, a token or token role may carry. Far above any real name; it bounds what
 * one request can make the glob matching and the token entry carry.
 */
export const MAX_POLICY_NAME_LENGTH = 256;

/** Refuses (400) a policy name or glob longer than `MAX_POLICY_NAME_LENGTH`. */
export function checkPolicyNameLengths(field: string, names: readonly string[]): void {
  for (const n of names) {
    if (n.length > MAX_POLICY_NAME_LENGTH) throw new InvalidRequestError(`"${field}" has a name longer than ${MAX_POLICY_NAME_LENGTH} characters`);
  }
}

/** Same set of policies, in any order. */
export function samePolicies(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
