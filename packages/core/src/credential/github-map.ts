import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../util/json-entry.js';
import { normalizePolicies } from './token-fields.js';

/** One mapping, as Vault's PolicyMap keeps it: the comma-separated policies as given. */
interface MapEntry {
  value: string;
}

/**
 * Policies mapped to GitHub team or user names (`map/teams/<name>`, `map/users/<name>`), stored under
 * `map/<kind>/<name>`; names are case-insensitive, as GitHub's are.
 */
export class PolicyMap {
  private readonly prefix: string;

  constructor(
    private readonly storage: Backend,
    kind: 'teams' | 'users',
  ) {
    this.prefix = `map/${kind}/`;
  }

  private key(name: string): string {
    return this.prefix + name.toLowerCase();
  }

  async get(name: string): Promise<string | null> {
    const key = this.key(name);
    if (!isStorableKey(key)) return null;
    const raw = await this.storage.get(key);
    return raw ? decodeJSON<MapEntry>(raw).value : null;
  }

  async put(name: string, value: string): Promise<void> {
    const key = this.key(name);
    requireStorableKey(key, name);
    await this.storage.put(key, encodeJSON({ value } satisfies MapEntry));
  }

  async delete(name: string): Promise<void> {
    const key = this.key(name);
    if (isStorableKey(key)) await this.storage.delete(key);
  }

  async list(): Promise<string[]> {
    return (await this.storage.list(this.prefix)).filter((k) => !k.endsWith('/'));
  }

  /** The policies mapped to any of `names`, normalized. */
  async policies(names: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const name of new Set(names.map((n) => n.toLowerCase()))) {
      const value = await this.get(name);
      if (value) out.push(...value.split(','));
    }
    return normalizePolicies(out);
  }
}
