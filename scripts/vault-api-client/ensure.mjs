#!/usr/bin/env node
// Finds or builds vault-api-client (this folder's program around HashiCorp's Go client, github.com/hashicorp/vault/api,
// pinned in go.mod and fetched from the Go module proxy), cached outside the checkout under a name that changes with
// go.sum and main.go, and prints its path. test/client-vault-api.test.ts runs it against a cluster.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const digest = createHash('sha256')
  .update(readFileSync(path.join(here, 'go.mod')))
  .update(readFileSync(path.join(here, 'go.sum')))
  .update(readFileSync(path.join(here, 'main.go')))
  .digest('hex')
  .slice(0, 12);
const cacheBase = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
const target = path.join(cacheBase, 'strongroom', `vault-api-client-${digest}`, 'vault-api-client');

if (!existsSync(target)) {
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  console.error('vault-api-client: building the vault/api client program from the Go module proxy...');
  execFileSync('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: here,
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  renameSync(tmp, target);
}
console.log(target);
