/** Go's `time.RFC3339Nano` of a UTC time: the fraction loses its trailing zeros, and the dot when nothing is left. */
export function rfc3339Nano(d: Date): string {
  const s = d.toISOString();
  let end = s.length - 1;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end) + 'Z';
}
