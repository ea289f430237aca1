// Builds one of our small Go wrapper modules (a folder with go.mod, go.sum and main.go) from the Go module proxy,
// cached outside the checkout under a name that changes with its sources, and returns the binary's path.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function ensureGoTool(dir, name) {
  const digest = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) digest.update(readFileSync(path.join(dir, f)));
  const cacheBase = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const target = path.join(cacheBase, 'strongroom', `${name}-${digest.digest('hex').slice(0, 12)}`, name);
  if (!existsSync(target)) {
    mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.partial-${process.pid}`;
    console.error(`${name}: building from the Go module proxy...`);
    execFileSync('go', ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: dir,
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    renameSync(tmp, target);
  }
  return target;
}
