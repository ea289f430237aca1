import { InvalidDurationError } from './errors.js';

/**
 * Durations as Vault reads them, for the whole tree: Go's time.ParseDuration syntax (`1h30m`, `1.5s`, `300ms`,
 * `-2h`; units ns, us, µs, ms, s, m, h), plus the two forms Vault also takes in its API fields and configuration:
 * a bare integer is seconds (`30`), and `d` is a unit of 24 hours (`7d`). No surrounding space, as in Go.
 */

/** Nanoseconds per unit. */
const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n, // micro sign
  '\u03bcs': 1_000n, // Greek mu; Go accepts both
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** Go's time.Duration is int64 nanoseconds: anything beyond is refused, as Go refuses it. */
const MAX_NS = 2n ** 63n - 1n;

/** The longest duration in whole seconds (about 292 years); also keeps `now + duration` a date that can be written. */
export const MAX_DURATION_SECONDS = Number(MAX_NS / UNITS.s!);

function parseNanoseconds(text: string): bigint {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  const limit = negative ? MAX_NS + 1n : MAX_NS;
  let total: bigint;
  if (/^\d+$/.test(rest)) {
    total = BigInt(rest) * UNITS.s!;
  } else {
    if (rest === '') throw new InvalidDurationError(text);
    total = 0n;
    // One `<number><unit>` element: digits, an optional fraction, then every character up to the next digit or dot.
    // Made per call: a sticky regex carries its position in lastIndex.
    const element = /(\d*)(?:\.(\d*))?([^\d.]*)/y;
    while (element.lastIndex < rest.length) {
      const m = element.exec(rest);
      const [, whole = '', fraction = '', unit = ''] = m ?? [];
      const perUnit = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
      if (!m || (whole === '' && fraction === '') || perUnit === undefined) throw new InvalidDurationError(text);
      total += BigInt(whole || '0') * perUnit;
      // Go truncates the fraction's share to whole nanoseconds.
      if (fraction !== '') total += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
      if (total > limit) throw new InvalidDurationError(text);
    }
  }
  if (total > limit) throw new InvalidDurationError(text);
  return negative ? -total : total;
}

/**
 * The duration `text` in milliseconds, fractional below a millisecond (`1500us` is 1.5). Throws InvalidDurationError
 * for anything else, including `''`, `1x`, `h` and a number without a unit that is not an integer (`1.5`).
 */
export function parseDurationMs(text: string): number {
  const ns = parseNanoseconds(text);
  return Number(ns / UNITS.ms!) + Number(ns % UNITS.ms!) / 1e6;
}

/**
 * The duration `text` in whole seconds, truncated toward zero as Go's `d / time.Second` (`1.5s` is 1, `300ms` is 0).
 * Throws InvalidDurationError as parseDurationMs does.
 */
export function parseDurationSeconds(text: string): number {
  return Number(parseNanoseconds(text) / UNITS.s!);
}
