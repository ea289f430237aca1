// Values rendered the way Go's fmt renders decoded JSON with %v and %q, so tables read exactly like Vault's.

export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `map[${keys.map((k) => `${k}:${goValue(obj[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's %q of a string slice: `["a" "b"]`. */
export function goQuotedList(list: readonly unknown[] | null | undefined): string {
  return `[${(list ?? []).map((s) => JSON.stringify(String(s))).join(' ')}]`;
}

/** Keys whose integer values Vault prints as durations (`768h`) rather than seconds. */
export function looksLikeDuration(key: string): boolean {
  return (
    key === 'period' ||
    key.endsWith('_period') ||
    key === 'ttl' ||
    key.endsWith('_ttl') ||
    key === 'duration' ||
    key.endsWith('_duration') ||
    key === 'lease_max' ||
    key === 'ttl_max'
  );
}

/** Seconds as Go's time.Duration prints them, trimmed of zero units (`768h`, `1m30s`, `1h1s`). */
export function humanDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  const sign = totalSeconds < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(totalSeconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (out.endsWith('m0s')) out = out.slice(0, -2);
  const idx = out.indexOf('h0m');
  if (idx > 0) out = out.slice(0, idx + 1) + out.slice(idx + 3);
  return sign + out;
}

/** An integer field shown as a duration; anything else is left alone, as Vault's humanDurationInt does. */
export function humanDurationValue(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return humanDuration(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return humanDuration(Number(v));
  return v;
}
