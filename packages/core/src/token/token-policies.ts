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

/** Whether `value` matches a glob with `*` wildcards anywhere (Vault's `StrListContainsGlob`). */
export function globMatchesAny(globs: readonly string[], value: string): boolean {
  return globs.some((g) => {
    const re = new RegExp(`^${g.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return re.test(value);
  });
}

/** Same set of policies, in any order. */
export function samePolicies(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
