/** Go-style text for a duration the storage layer parses back (`15s`, `1500ms`). */
export function formatDurationMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
