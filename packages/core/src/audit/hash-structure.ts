import { putOwn } from '../util/own-value.js';

/**
 * Deep-copies a JSON-like value, replacing every string leaf (inside arrays and nested maps) with `hash(leaf)`,
 * as Vault's `HashStructure` does. Map keys, numbers, booleans and null are kept. Map keys come out sorted, the
 * order Go's JSON encoder writes maps in. The input is never mutated; a cycle throws.
 */
export function copyHashed(value: unknown, hash: ((s: string) => string) | null): unknown {
  return walk(value, hash, new Set());
}

function walk(value: unknown, hash: ((s: string) => string) | null, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return hash ? hash(value) : value;
  if (value === null || typeof value !== 'object') {
    // JSON has no bigint; a number is what it stands for.
    return typeof value === 'bigint' ? Number(value) : value;
  }
  if (value instanceof Uint8Array) {
    // Go encodes []byte as base64, and a []byte is not a string leaf, so it is not hashed.
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (value instanceof Date) return value.toISOString();
  if (ancestors.has(value)) throw new TypeError('audit: cyclic structure in audited data');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, hash, ancestors));
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return walk((json as () => unknown).call(value), hash, ancestors);
    const source = value instanceof Map ? Object.fromEntries(value) : (value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      const v = source[key];
      if (v !== undefined && typeof v !== 'function') putOwn(out, key, walk(v, hash, ancestors));
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
