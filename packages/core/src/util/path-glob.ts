/** Vault's special-path globs: exact, or a `*` suffix meaning "this prefix". */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  for (const g of globs) {
    if (g.endsWith('*') ? path.startsWith(g.slice(0, -1)) : path === g || path === `${g}/`) return true;
  }
  return false;
}
