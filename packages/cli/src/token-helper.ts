// The token a `login` leaves behind for later commands: `~/.vault-token`, as Vault's built-in token helper keeps it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export class TokenHelper {
  constructor(private readonly file: string) {}

  static forEnv(env: Record<string, string | undefined>): TokenHelper {
    const home = env.HOME || env.USERPROFILE || os.homedir();
    return new TokenHelper(path.join(home, '.vault-token'));
  }

  get path(): string {
    return this.file;
  }

  async get(): Promise<string | undefined> {
    try {
      const token = (await readFile(this.file, 'utf8')).trim();
      return token || undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async store(token: string): Promise<void> {
    await writeFile(this.file, token.trim(), { mode: 0o600 });
  }

  async erase(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
