import { StorageInvalidKeyError } from './errors.js';

/** Refuses keys that could alias another key or escape a prefix on any backend. */
export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new StorageInvalidKeyError(String(key), 'empty key');
  if (key.startsWith('/')) throw new StorageInvalidKeyError(key, 'must not start with "/"');
  if (key.endsWith('/')) throw new StorageInvalidKeyError(key, 'must not end with "/"');
  checkSegments(key, key.split('/'));
}

/** A list prefix is empty or a key-like path ending in `/`. */
export function validatePrefix(prefix: string): void {
  if (prefix === '') return;
  if (prefix.startsWith('/')) throw new StorageInvalidKeyError(prefix, 'must not start with "/"');
  if (!prefix.endsWith('/')) throw new StorageInvalidKeyError(prefix, 'a list prefix must end with "/"');
  checkSegments(prefix, prefix.slice(0, -1).split('/'));
}

function checkSegments(key: string, segments: string[]): void {
  for (const s of segments) {
    if (s === '') throw new StorageInvalidKeyError(key, 'empty path segment');
    if (s === '..' || s === '.') throw new StorageInvalidKeyError(key, `"${s}" segment not allowed`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new StorageInvalidKeyError(key, 'control characters not allowed');
}

/** One-level listing over a flat sorted key set, shared by backends without native folders. */
export function listOneLevel(keys: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const slash = rest.indexOf('/');
    out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  return [...out].sort();
}
