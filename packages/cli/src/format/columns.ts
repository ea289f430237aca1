// Column layout as Vault prints it (ryanuber/columnize with Vault's defaults): cells trimmed, empty cells shown as
// "n/a", columns padded to their widest cell and glued with four spaces, the last column never padded.

export interface ColumnOptions {
  delim?: string;
  glue?: string;
  empty?: string;
}

/** The delimiter Vault uses for Key/Value rows, chosen because it never appears in a secret. */
export const HOPE_DELIM = '\u2668';

function width(s: string): number {
  return [...s].length;
}

function cells(line: string, delim: string, empty: string): string[] {
  return line.split(delim).map((c) => {
    const v = c.trim();
    return v === '' ? empty : v;
  });
}

export function columnize(lines: readonly string[], opts: ColumnOptions = {}): string {
  if (lines.length === 0) return '';
  const delim = opts.delim ?? '|';
  const glue = opts.glue ?? '    ';
  const empty = opts.empty ?? 'n/a';
  const rows = lines.map((l) => cells(l, delim, empty));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(c));
    });
  }
  const out = rows.map((row) =>
    row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c)) + glue)).join(''),
  );
  return out.join('\n').trim();
}

/** A table whose first line is the header; a dashed underline is inserted under it. */
export function tableOutput(lines: readonly string[], opts: ColumnOptions = {}): string {
  if (lines.length === 0) return '';
  const delim = opts.delim ?? '|';
  const header = lines[0]!;
  const underline = header
    .split(delim)
    .map((h) => '-'.repeat(h.trim().length))
    .join(delim);
  return columnize([header, underline, ...lines.slice(1)], { ...opts, delim });
}

/** `== Title ==` sized to a width, as Vault heads its kv sections. */
export function padEqualSigns(header: string, totalLen: number): string {
  let signs = totalLen - (header.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs += 1;
  const side = '='.repeat(signs / 2);
  return `${side} ${header} ${side}`;
}

/** The heading over a Key/Value table of `data`: wide enough for the longest key plus the "Value" column. */
export function headerForMap(header: string, data: Record<string, unknown>): string {
  const maxKey = Math.max(0, ...Object.keys(data).map((k) => k.length));
  return padEqualSigns(header, maxKey + 4 + 5);
}
