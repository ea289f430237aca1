import { isPlainObject } from './is-plain-object.js';
import { ownValue, putOwn } from './own-value.js';

/**
 * RFC 7396 JSON merge patch, as Vault's `framework.HandlePatchOperation`: a `null` removes the key, objects merge
 * recursively, anything else replaces. Returns a new value; the inputs are not modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else putOwn(out, k, mergePatch(ownValue(out, k), v));
  }
  return out;
}
