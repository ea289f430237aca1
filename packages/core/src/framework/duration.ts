/**
 * The longest duration Vault can express (Go's time.Duration: int64 nanoseconds, about 292 years). Anything longer
 * is refused as Go refuses it; it also keeps `now + duration` a date that can be written out.
 */
export const MAX_DURATION_SECONDS = 9_223_372_036;

/**
 * Parses a Vault duration: an integer number of seconds, or Go-style units (`1h30m`, `90s`, `500ms`, `768h`,
 * plus `d` for days as Vault allows). Returns whole seconds, or null when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (/^\d+$/.test(t)) return Number(t) <= MAX_DURATION_SECONDS ? Number(t) : null;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const n = Number(m[1]);
    const unit = m[2];
    const factor =
      unit === 'd' ? 86400 : unit === 'h' ? 3600 : unit === 'm' ? 60 : unit === 's' ? 1 : unit === 'ms' ? 1e-3 : unit === 'ns' ? 1e-9 : 1e-6;
    total += n * factor;
    matched = re.lastIndex;
  }
  if (matched !== t.length || total > MAX_DURATION_SECONDS) return null;
  return Math.floor(total);
}

/** Formats seconds as Go does for durations in responses (`768h0m0s`). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}
