import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { postgresAvailable, startPostgres, type PostgresServer } from '@strongroom/core/testing';
import { startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';
import pg from 'pg';
import { runProcess, type RunResult } from './helpers/client-process.js';
import { startNodes, stopNodes, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

// HashiCorp's own `vault` CLI, unchanged, through a scripted operator session against two Strongroom nodes over a
// real Consul (writes to the active, reads through the standby) and a real PostgreSQL behind the database engine.
// The binary is not fetched here (building it takes minutes of both cores): the test runs with $VAULT_BIN, or the
// build that shared/tools/build-vault.sh caches ($VAULT_CACHE, default ~/.cache/anchors/vault-1.21.4/vault), and
// skips, saying so, when neither is there.
const cached = path.join(process.env.VAULT_CACHE ?? path.join(os.homedir(), '.cache', 'anchors', 'vault-1.21.4'), 'vault');
const vaultBin = process.env.VAULT_BIN || (existsSync(cached) ? cached : '');
const skip = !vaultBin
  ? `no vault binary: set VAULT_BIN, or build one with shared/tools/build-vault.sh (cached at ${cached})`
  : !postgresAvailable() && 'PostgreSQL binaries not installed';
if (skip) console.log(`# vault CLI session skipped: ${skip}`);

let consul: ConsulCluster;
let nodes: StrongroomNode[];
let pgServer: PostgresServer;
let home: string;

before(async () => {
  if (skip) return;
  home = await mkdtemp(path.join(os.tmpdir(), 'strongroom-vault-cli-'));
  pgServer = await startPostgres();
  consul = await startConsulDev();
  nodes = await startNodes(consul, 2);
});

after(async () => {
  await stopNodes(nodes ?? []);
  await consul?.stop();
  await pgServer?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** The CLI's environment: nothing of this machine's VAULT_* settings, a HOME of its own for the token helper. */
function env(addr: string, token?: string): Record<string, string> {
  const e: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, VAULT_ADDR: addr };
  if (token) e.VAULT_TOKEN = token;
  return e;
}

let transcript = '';

async function vault(addr: string, token: string | undefined, args: string[], input?: string): Promise<RunResult> {
  const r = await runProcess(vaultBin, args, { env: env(addr, token), timeoutMs: 60_000, input });
  transcript += `$ vault ${args.join(' ')}\n[exit ${r.code}]\n${r.stdout}${r.stderr}\n`;
  return r;
}

/** Runs a command that must succeed and returns its stdout. */
async function ok(addr: string, token: string | undefined, args: string[], input?: string): Promise<string> {
  const r = await vault(addr, token, args, input);
  assert.equal(r.code, 0, `vault ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a command given with -format=json that must succeed, and parses what it prints. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (addr: string, token: string | undefined, args: string[]): Promise<any> => JSON.parse(await ok(addr, token, args));

test('the vault CLI runs a scripted operator session against an active and a standby node', { skip, timeout: 300_000 }, async (t) => {
  try {
    await session();
  } catch (err) {
    t.diagnostic(`transcript:\n${transcript.slice(-20_000)}`);
    throw err;
  }
});

async function session(): Promise<void> {
  const [a0, a1] = [nodes[0]!.apiAddr, nodes[1]!.apiAddr];

  // operator init / unseal / status
  const init = await json(a0, undefined, ['operator', 'init', '-key-shares=3', '-key-threshold=2', '-format=json']);
  assert.equal(init.unseal_keys_b64.length, 3);
  assert.equal(init.unseal_threshold, 2);
  const root = init.root_token as string;
  const keys = init.unseal_keys_b64 as string[];
  for (const addr of [a0, a1]) {
    const first = await json(addr, undefined, ['operator', 'unseal', '-format=json', keys[0]!]);
    assert.equal(first.sealed, true);
    assert.equal(first.progress, 1);
    const second = await json(addr, undefined, ['operator', 'unseal', '-format=json', keys[2]!]);
    assert.equal(second.sealed, false);
  }
  const active = nodes[await waitForActive(nodes)]!.apiAddr;
  const standby = active === a0 ? a1 : a0;
  const status = await json(active, undefined, ['status', '-format=json']);
  assert.equal(status.initialized, true);
  assert.equal(status.sealed, false);
  assert.equal(status.ha_enabled, true);
  assert.equal(status.is_self, true);
  const standbyStatus = await json(standby, undefined, ['status', '-format=json']);
  assert.notEqual(standbyStatus.is_self, true, 'the CLI leaves is_self out when false');
  assert.equal(standbyStatus.leader_address === '' || standbyStatus.leader_address === active, true, `standby's leader: ${standbyStatus.leader_address}`);
  const human = await ok(active, undefined, ['status']);
  assert.match(human, /Sealed\s+false/);
  assert.match(human, /HA Mode\s+active/);

  // secrets enable / tune / list, auth enable
  await ok(active, root, ['secrets', 'enable', '-path=kv', '-version=2', 'kv']);
  await ok(active, root, ['secrets', 'enable', '-path=kv1', '-version=1', 'kv']);
  await ok(active, root, ['secrets', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=2h', 'kv1/']);
  await ok(active, root, ['secrets', 'enable', 'database']);
  const mounts = await json(standby, root, ['secrets', 'list', '-format=json']);
  assert.equal(mounts['kv/'].type, 'kv');
  assert.equal(mounts['kv/'].options.version, '2');
  assert.equal(mounts['kv1/'].config.default_lease_ttl, 3600);
  assert.equal(mounts['kv1/'].config.max_lease_ttl, 7200);
  assert.equal(mounts['database/'].type, 'database');
  assert.match(await ok(active, root, ['secrets', 'list']), /^kv\/\s+kv\s/m);
  await ok(active, root, ['auth', 'enable', 'userpass']);
  const auths = await json(active, root, ['auth', 'list', '-format=json']);
  assert.equal(auths['userpass/'].type, 'userpass');

  // kv put / get / metadata / list / delete / undelete
  const put1 = await json(active, root, ['kv', 'put', '-format=json', 'kv/app/db', 'password=p1']);
  assert.equal(put1.data.version, 1);
  await ok(active, root, ['kv', 'put', 'kv/app/db', 'password=p2', 'user=app']);
  await ok(active, root, ['kv', 'put', '-mount=kv', 'app/api', 'key=k1']);
  await ok(active, root, ['kv', 'patch', 'kv/app/db', 'password=p3']);
  const got = await json(standby, root, ['kv', 'get', '-format=json', 'kv/app/db']);
  assert.deepEqual(got.data.data, { password: 'p3', user: 'app' });
  assert.equal(got.data.metadata.version, 3);
  const v1 = await json(active, root, ['kv', 'get', '-format=json', '-version=1', 'kv/app/db']);
  assert.deepEqual(v1.data.data, { password: 'p1' });
  assert.equal((await ok(active, root, ['kv', 'get', '-field=user', 'kv/app/db'])).trim(), 'app');
  await ok(active, root, ['kv', 'metadata', 'put', '-max-versions=5', '-custom-metadata=owner=team-a', 'kv/app/db']);
  const meta = await json(active, root, ['kv', 'metadata', 'get', '-format=json', 'kv/app/db']);
  assert.equal(meta.data.max_versions, 5);
  assert.equal(meta.data.current_version, 3);
  assert.deepEqual(meta.data.custom_metadata, { owner: 'team-a' });
  assert.deepEqual(Object.keys(meta.data.versions).sort(), ['1', '2', '3']);
  assert.deepEqual(await json(standby, root, ['kv', 'list', '-format=json', 'kv/app']), ['api', 'db']);
  await ok(active, root, ['kv', 'delete', 'kv/app/db']);
  // A deleted latest version: the CLI shows its metadata (with the deletion time) and no data.
  const deleted = await vault(active, root, ['kv', 'get', '-format=json', 'kv/app/db']);
  if (deleted.code === 0) {
    const body = JSON.parse(deleted.stdout);
    assert.equal(body.data.data, null);
    assert.notEqual(body.data.metadata.deletion_time, '');
  } else assert.equal(deleted.code, 2, `a deleted version: ${deleted.stdout}${deleted.stderr}`);
  await ok(active, root, ['kv', 'undelete', '-versions=3', 'kv/app/db']);
  assert.equal((await ok(active, root, ['kv', 'get', '-field=password', 'kv/app/db'])).trim(), 'p3');
  await ok(active, root, ['kv', 'put', 'kv1/app/db', 'password=v1-pass']);
  const kv1 = await json(standby, root, ['kv', 'get', '-format=json', 'kv1/app/db']);
  assert.deepEqual(kv1.data, { password: 'v1-pass' });
  assert.equal(kv1.lease_duration, 3600);

  // policy write / read
  const policy = 'path "kv/data/app/*" {\n  capabilities = ["read"]\n}\npath "kv/metadata/*" {\n  capabilities = ["list", "read"]\n}\npath "database/creds/app" {\n  capabilities = ["read"]\n}\n';
  await ok(active, root, ['policy', 'write', 'app-read', '-'], policy);
  assert.equal(await ok(standby, root, ['policy', 'read', 'app-read']), policy.endsWith('\n') ? policy : `${policy}\n`);
  assert.deepEqual((await json(active, root, ['policy', 'list', '-format=json'])).sort(), ['app-read', 'default', 'root']);

  // token create / lookup
  const created = await json(active, root, ['token', 'create', '-format=json', '-policy=app-read', '-ttl=1h', '-metadata=purpose=cli']);
  const token = created.auth.client_token as string;
  assert.deepEqual(created.auth.policies, ['app-read', 'default']);
  const looked = await json(standby, root, ['token', 'lookup', '-format=json', token]);
  assert.deepEqual(looked.data.policies, ['app-read', 'default']);
  assert.deepEqual(looked.data.meta, { purpose: 'cli' });
  assert.ok(looked.data.ttl > 3500 && looked.data.ttl <= 3600, `ttl ${looked.data.ttl}`);
  const byAccessor = await json(active, root, ['token', 'lookup', '-format=json', '-accessor', created.auth.accessor]);
  assert.equal(byAccessor.data.accessor, created.auth.accessor);
  const self = await json(active, token, ['token', 'lookup', '-format=json']);
  assert.equal(self.data.accessor, created.auth.accessor);

  // login -method=userpass: the token helper keeps the token and the next commands use it
  await ok(active, root, ['write', 'auth/userpass/users/alice', 'password=alice-pw', 'token_policies=app-read']);
  const login = await json(active, undefined, ['login', '-method=userpass', '-format=json', 'username=alice', 'password=alice-pw']);
  assert.deepEqual(login.auth.policies, ['app-read', 'default']);
  assert.equal((await readFile(path.join(home, '.vault-token'), 'utf8')).trim(), login.auth.client_token);
  assert.equal((await ok(standby, undefined, ['kv', 'get', '-field=password', 'kv/app/db'])).trim(), 'p3');
  const denied = await vault(active, undefined, ['kv', 'put', 'kv/app/db', 'password=nope']);
  assert.equal(denied.code, 2);
  assert.match(denied.stderr, /permission denied/);

  // read database/creds: the credentials log in to PostgreSQL; the lease revokes them
  await ok(active, root, [
    'write', 'database/config/pg', 'plugin_name=postgresql-database-plugin', 'allowed_roles=app', `connection_url=${pgServer.connectionUrl}`,
    `username=${pgServer.superuser}`, `password=${pgServer.password}`,
  ]);
  await ok(active, root, [
    'write', 'database/roles/app', 'db_name=pg', 'default_ttl=10m', 'max_ttl=1h',
    `creation_statements=CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
  ]);
  // As alice, through the standby, with the token the helper stored.
  const creds = await json(standby, undefined, ['read', '-format=json', 'database/creds/app']);
  assert.match(creds.lease_id, /^database\/creds\/app\//);
  assert.equal(creds.lease_duration, 600);
  const conn = new pg.Client({ connectionString: pgServer.urlFor(creds.data.username, creds.data.password) });
  await conn.connect();
  assert.equal((await conn.query('SELECT current_user AS u')).rows[0].u, creds.data.username);
  await conn.end();
  const lease = await json(active, root, ['lease', 'lookup', '-format=json', creds.lease_id]);
  assert.equal(lease.data.id, creds.lease_id);
  await ok(active, root, ['lease', 'revoke', creds.lease_id]);
  const refused = new pg.Client({ connectionString: pgServer.urlFor(creds.data.username, creds.data.password) });
  await assert.rejects(refused.connect());
  await refused.end().catch(() => undefined);

  // operator seal: status says so with exit code 2
  await ok(active, root, ['operator', 'seal']);
  const sealed = await vault(active, undefined, ['status', '-format=json']);
  assert.equal(sealed.code, 2);
  assert.equal(JSON.parse(sealed.stdout).sealed, true);
}
