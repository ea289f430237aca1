import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON, isStorableKey, requireStorableKey } from '../util/json-entry.js';
import type { Auth } from '../logical/request.js';
import { newTokenSettings, tokenAuth, tokenData, type TokenSettings } from './token-fields.js';

/** A userpass user as stored at `user/<name>` in the mount's view. The password exists only as its hash. */
export interface UserEntry extends TokenSettings {
  password_hash: string;
}

const USER_PREFIX = 'user/';

export function newUser(): UserEntry {
  return { password_hash: '', ...newTokenSettings() };
}

/** What a read of `users/<name>` shows: the token fields only, never the password or its hash. */
export function userData(user: UserEntry): Record<string, unknown> {
  return tokenData(user);
}

/** The login's `auth` block; the core adds `default` (unless told not to) and turns it into a token. */
export function loginAuth(username: string, user: UserEntry): Auth {
  return { ...tokenAuth(user), metadata: { username }, displayName: username };
}

/** The users of one mount, in its own storage view. */
export class UserStore {
  constructor(private readonly storage: Backend) {}

  private key(username: string): string {
    return USER_PREFIX + username;
  }

  async get(username: string): Promise<UserEntry | null> {
    const key = this.key(username);
    if (!isStorableKey(key)) return null;
    const raw = await this.storage.get(key);
    return raw ? { ...newUser(), ...decodeJSON<Partial<UserEntry>>(raw) } : null;
  }

  async put(username: string, user: UserEntry): Promise<void> {
    const key = this.key(username);
    requireStorableKey(key, username);
    await this.storage.put(key, encodeJSON(user));
  }

  async delete(username: string): Promise<void> {
    const key = this.key(username);
    if (isStorableKey(key)) await this.storage.delete(key);
  }

  async list(): Promise<string[]> {
    return (await this.storage.list(USER_PREFIX)).filter((k) => !k.endsWith('/'));
  }
}
