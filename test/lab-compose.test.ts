import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@strongroom/server';

// The docker-compose lab is validated here, not run: Docker cannot run on these machines. The compose file is
// loaded by the Compose specification's own Go loader (compose-go, through scripts/compose/), every file it mounts
// or builds from must exist, each node's configuration must load as the server loads it, and the HAProxy
// configuration must pass `haproxy -c` (Debian's haproxy).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));

interface ComposeReport {
  name: string;
  services: string[];
  binds: string[] | null;
  builds: string[] | null;
  dockerfiles: string[] | null;
  healthchecks: string[] | null;
}

function composeCheck(file: string): ComposeReport {
  const bin = execFileSync(process.execPath, [path.join(root, 'scripts', 'compose', 'ensure.mjs')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  return JSON.parse(execFileSync(bin, [file], { encoding: 'utf8' })) as ComposeReport;
}

/** The environment the lab's HAProxy reads its addresses from. */
const HAPROXY_ENV = {
  STRONGROOM_1: '127.0.0.1:18201',
  STRONGROOM_2: '127.0.0.1:18202',
  STRONGROOM_3: '127.0.0.1:18203',
  LB_ACTIVE_BIND: '127.0.0.1:18200',
  LB_READS_BIND: '127.0.0.1:18210',
  LB_STATS_BIND: '127.0.0.1:18404',
};

describe('the docker-compose lab (validated, not run)', () => {
  it('loads under compose-go: three Consul servers, three nodes built from deploy/Dockerfile, HAProxy', () => {
    const r = composeCheck(path.join(root, 'docker-compose.yml'));
    assert.deepEqual(r.services, ['consul-1', 'consul-2', 'consul-3', 'haproxy', 'strongroom-1', 'strongroom-2', 'strongroom-3']);
    assert.deepEqual(r.dockerfiles, Array(3).fill(path.join(root, 'deploy', 'Dockerfile')));
    assert.deepEqual(r.healthchecks, ['consul-1', 'consul-2', 'consul-3']);
    for (const p of [...(r.binds ?? []), ...(r.builds ?? []), ...(r.dockerfiles ?? [])]) assert.ok(existsSync(p), `${p} is mounted or built from, and exists`);
    assert.ok((r.binds ?? []).includes(path.join(root, 'deploy', 'haproxy.cfg')));
  });

  it('refuses a broken compose file (the check itself works)', () => {
    const bin = execFileSync(process.execPath, [path.join(root, 'scripts', 'compose', 'ensure.mjs')], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const r = spawnSync(bin, [path.join(root, 'test', 'fixtures', 'broken-compose.yml')], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /services/);
  });

  it('builds an unprivileged node image with a health check on sys/health', () => {
    const dockerfile = readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM node:20-slim/m);
    assert.match(dockerfile, /^RUN npm ci/m);
    assert.match(dockerfile, /^USER strongroom$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/v1\/sys\/health/m);
  });

  for (const n of [1, 2, 3]) {
    it(`node ${n}'s configuration loads as the server loads it`, async () => {
      const config = await loadConfig([path.join(root, 'deploy', `strongroom-${n}.hcl`)], {});
      assert.equal(config.storage.type, 'consul');
      assert.equal(config.apiAddr, `http://strongroom-${n}:8200`);
      assert.equal(config.disableMlock, true);
    });
  }

  it('passes haproxy -c, routing :8200 to the active node and :8210 to any unsealed one', { skip: !haproxy && 'haproxy not installed' }, () => {
    const r = spawnSync(haproxy!, ['-c', '-f', path.join(root, 'deploy', 'haproxy.cfg')], { encoding: 'utf8', env: { ...process.env, ...HAPROXY_ENV } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const cfg = readFileSync(path.join(root, 'deploy', 'haproxy.cfg'), 'utf8');
    assert.match(cfg, /backend strongroom_active\n\s+option httpchk GET \/v1\/sys\/health\n\s+http-check expect status 200/);
    assert.match(cfg, /backend strongroom_reads\n\s+balance roundrobin\n\s+option httpchk GET \/v1\/sys\/health\?standbyok=true/);
  });
});
