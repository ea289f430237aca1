#!/usr/bin/env node
// Finds or builds the Consul binary every test uses: $CONSUL_BIN, else `consul` on PATH, else a build of the
// pinned release from the Go module proxy through this folder's wrapper module, cached outside the checkout
// (~/.cache/strongroom/consul-<version>/consul) so that every clone on the machine reuses it.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '1.22.7';
const here = path.dirname(fileURLToPath(import.meta.url));
const cacheBase = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
const target = path.join(cacheBase, 'strongroom', `consul-${VERSION}`, 'consul');

function onPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'consul'))) return path.join(dir, 'consul');
  }
  return null;
}

function report(bin, how) {
  const version = execFileSync(bin, ['version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`consul: ${bin} (${version}; ${how})`);
}

async function build() {
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  console.log(`consul: building Consul v${VERSION} from the Go module proxy (minutes the first time on a new machine)...`);
  const started = Date.now();
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
  const args = ['build', '-v', '-trimpath', '-ldflags', '-s -w', '-o', tmp, 'github.com/hashicorp/consul'];
  await new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd: here, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let count = 0;
    let tail = '';
    const tick = setInterval(() => {
      console.log(`consul: ... ${Math.round((Date.now() - started) / 1000)}s, ${count} packages compiled`);
    }, 15_000);
    child.stderr.on('data', (d) => {
      const text = d.toString();
      tail = (tail + text).slice(-8000);
      count += text.split('\n').filter((l) => l && !l.startsWith('go: downloading')).length;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new Error(`go build failed (exit ${code}):\n${tail}`));
    });
  });
  renameSync(tmp, target);
  console.log(`consul: built in ${Math.round((Date.now() - started) / 1000)}s`);
}

if (process.env.CONSUL_BIN) {
  if (!existsSync(process.env.CONSUL_BIN)) {
    console.error(`consul: CONSUL_BIN=${process.env.CONSUL_BIN} does not exist`);
    process.exit(1);
  }
  report(process.env.CONSUL_BIN, 'from $CONSUL_BIN');
} else if (onPath()) {
  report(onPath(), 'from PATH');
} else if (existsSync(target)) {
  report(target, 'cached build');
} else {
  try {
    await build();
    report(target, 'fresh build');
  } catch (err) {
    console.error(String(err.message ?? err));
    process.exit(1);
  }
}
