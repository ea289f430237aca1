#!/usr/bin/env node
// The one test command (`npm test`): makes sure Consul, PostgreSQL and the client builds (hvac, vault/api) are at hand, type-checks
// the whole tree (sources, tests and scripts), then runs every package's tests and the cluster tests with Node's own runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

function testFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    if (name === 'fixtures' || name === 'node_modules' || name === 'bench') continue;
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

const only = process.argv.slice(2);
run(process.execPath, ['scripts/consul/ensure.mjs']);
run(process.execPath, ['scripts/postgres/ensure.mjs']);
run(process.execPath, ['scripts/haproxy/ensure.mjs']);
run(process.execPath, ['scripts/hvac/ensure.mjs']);
run(process.execPath, ['scripts/vault-api-client/ensure.mjs']);
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
// The tests and scripts too: the build above checks only the packages' sources.
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.base.json']);
const files = only.length
  ? only
  : [...['storage', 'barrier', 'core', 'server', 'cli'].flatMap((p) => testFiles(path.join(root, 'packages', p, 'test'))), ...testFiles(path.join(root, 'test'))];
run(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
