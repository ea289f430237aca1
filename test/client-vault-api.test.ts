import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postgresAvailable } from '@strongroom/core/testing';
import { sessionReport, startClientLab, type ClientLab } from './helpers/client-lab.js';
import { ensureTool, runProcess } from './helpers/client-process.js';

// HashiCorp's Go client, github.com/hashicorp/vault/api (pinned in scripts/vault-api-client/go.mod, built from the
// Go module proxy by its ensure.mjs), unchanged, against two Strongroom nodes over a real Consul: the program
// initializes and unseals them, writes through the active and reads through the standby, with vault/api's own
// helpers (Sys(), KVv1/KVv2, Auth().Token(), Auth().Login with api/auth/userpass and approle, wrapping) and a real
// PostgreSQL behind the database engine.
const skip = !postgresAvailable() && 'PostgreSQL binaries not installed';
let lab: ClientLab;
let program: string;

before(async () => {
  if (skip) return;
  program = await ensureTool('vault-api-client');
  lab = await startClientLab();
});

after(async () => {
  await lab?.stop();
});

test('vault/api runs a whole session against an active and a standby node', { skip, timeout: 240_000 }, async () => {
  const r = await runProcess(program, [lab.nodes[0]!.apiAddr, lab.nodes[1]!.apiAddr], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...lab.pgEnv,
    },
    timeoutMs: 200_000,
  });
  const report = sessionReport(lab, 'vault/api', r);
  console.log(`# vault/api ${report.vault_api_version}: ${report.steps.length} steps`);
  assert.equal(report.vault_api_version, 'v1.23.0');
  assert.deepEqual(report.steps, [
    'init', 'unseal', 'health and leader', 'mounts', 'auth methods', 'policies', 'kv v1', 'kv v2 write and read', 'kv v2 patch', 'kv v2 metadata',
    'kv v2 delete, undelete, destroy, rollback', 'transit', 'userpass', 'approle', 'tokens', 'database', 'leases', 'wrapping',
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
    '4': { destroyed: false, deleted: false },
    '5': { destroyed: false, deleted: false },
  });
  assert.deepEqual(report.transit, { v1_prefix: 'vault:v1:', rewrapped_prefix: 'vault:v2:' });
  assert.deepEqual(report.userpass.policies, ['app-read', 'default']);
  assert.equal(report.approle.lease_duration, 600);
  assert.deepEqual(report.tokens.policies, ['app-read', 'default', 'token-maker']);
  assert.equal(report.database.revoked_user_dropped, true);
  assert.deepEqual(report.wrapping, { creation_path: 'auth/token/create', ttl: 60 });
  assert.equal(report.resealed_and_unsealed, true);
});
