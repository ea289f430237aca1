/**
 * Vault durations in milliseconds: an integer number of seconds, or Go-style units (`1h30m`, `90s`, `500ms`,
 * `768h`, and `d` for days as Vault allows). Null when the text is not a duration.
 *
 * A local sibling of @strongroom/core's framework `parseDuration`, which is not exported from the package and
 * floors to whole seconds; the lock timings here need milliseconds.
 */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    matched = re.lastIndex;
  }
  if (matched !== t.length) return null;
  return Math.round(total);
}

const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Go-style text for a duration the storage layer parses back (`15s`, `1500ms`). */
export function formatDurationMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
