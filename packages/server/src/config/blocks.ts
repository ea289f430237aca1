import { ConfigError } from './errors.js';
import { describe, isPlainObject } from './values.js';

/**
 * Block readers over every shape a block takes: @strongroom/core's parseHCL collapses a one-element list of
 * objects into the object (see core/src/hcl.ts), raw HCL-to-JSON keeps lists, and Vault's JSON configs spell a
 * block either as an object or as a list of objects.
 */

/** Bodies of an unlabelled block (`telemetry {...}`): [] when absent. */
export function blockBodies(value: unknown, where: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((b, i) => {
    if (!isPlainObject(b)) throw new ConfigError(`${where}: expected a block, got ${describe(b)}${items.length > 1 ? ` (item ${i + 1})` : ''}`);
    return b;
  });
}

/** One unlabelled block, several of which are merged key by key (later wins). */
export function singleBlock(value: unknown, where: string): Record<string, unknown> | undefined {
  const bodies = blockBodies(value, where);
  if (bodies.length === 0) return undefined;
  return Object.assign({}, ...bodies) as Record<string, unknown>;
}

/** Labelled blocks (`listener "tcp" {...}`) as { label, body } in source order. */
export function labelledBlocks(value: unknown, where: string): Array<{ label: string; body: Record<string, unknown> }> {
  const out: Array<{ label: string; body: Record<string, unknown> }> = [];
  for (const obj of blockBodies(value, where)) {
    for (const [label, inner] of Object.entries(obj)) {
      const bodies = Array.isArray(inner) ? inner : [inner];
      for (const body of bodies) {
        if (!isPlainObject(body)) {
          throw new ConfigError(`${where} "${label}": expected a block, got ${describe(body)}`);
        }
        out.push({ label, body });
      }
    }
  }
  return out;
}

/** Warns about keys a block does not know (Vault accepts and ignores them too, with a warning). */
export function unknownKeys(body: Record<string, unknown>, known: ReadonlySet<string>, where: string, warnings: string[]): void {
  for (const k of Object.keys(body)) {
    if (!known.has(k)) warnings.push(`${where}: unknown key "${k}" ignored`);
  }
}
