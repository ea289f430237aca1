/**
 * Whether `value` matches `pattern`, where `*` stands for any run of characters (Vault's `strutil.GlobbedStringsMatch`
 * generalised to `*` anywhere). No backtracking: the pattern's first and last pieces are anchored and every middle
 * piece is taken at its leftmost occurrence, which is enough since `*` cannot fail to absorb what lies between. The
 * work is bounded by the value's length times the pattern's, whatever the input.
 */
export function globMatch(pattern: string, value: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === value;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > value.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
