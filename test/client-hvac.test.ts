import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { postgresAvailable } from '@strongroom/core/testing';
import { sessionReport, startClientLab, type ClientLab } from './helpers/client-lab.js';
import { ensureTool, repoRoot, runProcess } from './helpers/client-process.js';

// Python's hvac (pinned, from PyPI, in a virtual environment scripts/hvac/ensure.mjs makes), unchanged, against two
// Strongroom nodes over a real Consul: it initializes and unseals them itself, finds the active and the standby
// from their health answers, and runs a whole session (test/clients/hvac_session.py) including the database engine
// against a real PostgreSQL, whose issued credentials it logs in with through psycopg2.
const skip = !postgresAvailable() && 'PostgreSQL binaries not installed';
let lab: ClientLab;
let python: string;

before(async () => {
  if (skip) return;
  python = await ensureTool('hvac');
  lab = await startClientLab();
});

after(async () => {
  await lab?.stop();
});

test('hvac runs a whole session against an active and a standby node', { skip, timeout: 240_000 }, async () => {
  const r = await runProcess(python, [path.join(repoRoot, 'test', 'clients', 'hvac_session.py'), lab.nodes[0]!.apiAddr, lab.nodes[1]!.apiAddr], {
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      ...lab.pgEnv,
    },
    timeoutMs: 200_000,
  });
  const report = sessionReport(lab, 'hvac', r);
  console.log(`# hvac ${report.hvac_version}: ${report.steps.length} steps`);
  assert.equal(report.hvac_version, '2.4.0');
  assert.deepEqual(report.steps, [
    'init', 'unseal', 'health and leader', 'mounts', 'auth methods', 'policies', 'kv v1', 'kv v2 write and read', 'kv v2 patch', 'kv v2 metadata',
    'kv v2 delete, undelete, destroy', 'transit', 'userpass', 'approle', 'tokens', 'database configure', 'database credentials', 'leases', 'wrapping',
    'operator helpers', 'seal',
  ]);
  assert.deepEqual(report.seal_status, { type: 'shamir', initialized: true, sealed: false, t: 2, n: 3 });
  assert.equal(report.health.leader_address, report.health.active);
  assert.notEqual(report.health.active, report.health.standby);
  for (const m of ['kv1/', 'kv2/', 'transit/', 'database/', 'sys/', 'cubbyhole/']) assert.ok(report.mounts.includes(m), `mount ${m}`);
  assert.deepEqual(report.auth_methods, ['approle/', 'token/', 'userpass/']);
  assert.deepEqual(report.policies, ['app-read', 'default', 'root']);
  assert.deepEqual(report.kv_v1.list_after_delete, ['db']);
  assert.deepEqual(report.kv_v2.versions, {
    '1': { destroyed: false, deleted: true },
    '2': { destroyed: true, deleted: false },
    '3': { destroyed: false, deleted: false },
  });
  assert.deepEqual(report.transit, { v1_prefix: 'vault:v1:', rewrapped_prefix: 'vault:v2:' });
  assert.deepEqual(report.userpass.policies, ['app-read', 'default']);
  assert.equal(report.approle.lease_duration, 600);
  assert.deepEqual(report.tokens.policies, ['app-read', 'default']);
  assert.equal(report.database.revoked_user_dropped, true);
  assert.deepEqual(report.wrapping, { creation_path: 'auth/token/create', ttl: 60 });
  assert.equal(report.operator.key_term, 2);
  assert.equal(report.resealed_and_unsealed, true);
});
