import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Consul release the project builds; keep in step with scripts/consul/go.mod. */
export const CONSUL_VERSION = '1.22.7';

/** Where scripts/consul/ensure.mjs caches the binary it builds: outside any checkout, keyed by version. */
export function consulCachePath(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'strongroom', `consul-${CONSUL_VERSION}`, 'consul');
}

/** `$CONSUL_BIN`, else `consul` on PATH, else the project's cached build. */
export function findConsul(): string {
  const fromEnv = process.env.CONSUL_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CONSUL_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'consul'))) return path.join(dir, 'consul');
  }
  const cached = consulCachePath();
  if (existsSync(cached)) return cached;
  throw new Error('no Consul binary: run `npm run consul` to build it (set CONSUL_BIN to use another)');
}

export function consulVersion(bin = findConsul()): string {
  const out = execFileSync(bin, ['version'], { encoding: 'utf8' });
  return out.split('\n')[0] ?? out;
}
