import { InvalidDurationError, parseDurationSeconds } from '@strongroom/storage';

/**
 * A duration in a Vault API field, policy or stored TTL hint, as whole seconds: storage's parser with Vault's
 * field rules on top. Surrounding space is ignored, '' means 0, and a negative value is refused (Vault's
 * TypeDurationSecond does); null when the text is not such a duration.
 */
export function parseApiDurationSeconds(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (t.startsWith('-')) return null;
  try {
    return parseDurationSeconds(t);
  } catch (err) {
    if (err instanceof InvalidDurationError) return null;
    throw err;
  }
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
