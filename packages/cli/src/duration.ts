// Durations as Vault's CLI accepts them: Go's time.ParseDuration syntax ("1h30m", "90s", "1.5h") or bare seconds.

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  '\u00b5s': 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Seconds in `text`, or null when it is not a duration. */
export function parseDurationSeconds(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^-?\d+$/.test(s)) return Number(s);
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|ms|s|m|h))+$/.exec(s);
  if (!m) return null;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNIT_SECONDS[part[2]!]!;
  }
  return m[1] === '-' ? -total : total;
}
