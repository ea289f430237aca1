import type { Backend } from './backend.js';

/** Copies every key of `from` into `to`, depth first; returns how many keys were copied. */
export async function migrate(from: Backend, to: Backend, onKey?: (key: string) => void): Promise<number> {
  let copied = 0;
  const walk = async (prefix: string): Promise<void> => {
    for (const entry of await from.list(prefix)) {
      const key = prefix + entry;
      if (entry.endsWith('/')) {
        await walk(key);
        continue;
      }
      const value = await from.get(key);
      if (value === null) continue;
      await to.put(key, value);
      copied++;
      onKey?.(key);
    }
  };
  await walk('');
  return copied;
}
