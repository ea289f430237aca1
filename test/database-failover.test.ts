import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postgresAvailable, startPostgres, type PostgresServer } from '@strongroom/core/testing';
import { startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';
import pg from 'pg';
import { initAndUnseal, sleep, startNodes, stopNodes, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

// Database credentials across failovers: three Strongroom nodes (separate processes) over a real 3-server Consul,
// and a real PostgreSQL. A credential issued by one active node is revoked on time by the next one after the
// first is killed with SIGKILL between issue and expiry; a static role's rotation schedule carries over to the next
// active node, neither repeated at the takeover nor skipped.
const skip = !postgresAvailable() && 'PostgreSQL binaries not installed';
let consul: ConsulCluster;
let pgServer: PostgresServer;
let admin: pg.Client;
let nodes: StrongroomNode[];
let token: string;

const roleExists = async (name: string): Promise<boolean> => (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;

before(async () => {
  if (skip) return;
  pgServer = await startPostgres();
  admin = new pg.Client({ connectionString: pgServer.urlFor(pgServer.superuser, pgServer.password) });
  await admin.connect();
  consul = await startConsulCluster(3);
  nodes = await startNodes(consul, 3);
  ({ rootToken: token } = await initAndUnseal(nodes));
  const active = nodes[await waitForActive(nodes)]!;
  const auth = { 'x-vault-token': token };
  assert.equal((await active.http('POST', '/v1/sys/mounts/database', { type: 'database' }, auth)).status, 204);
  const config = await active.http(
    'POST',
    '/v1/database/config/pg',
    { plugin_name: 'postgresql-database-plugin', connection_url: pgServer.connectionUrl, username: pgServer.superuser, password: pgServer.password, allowed_roles: ['short', 'static'] },
    auth,
  );
  assert.equal(config.status, 204, config.text);
  const role = await active.http(
    'POST',
    '/v1/database/roles/short',
    { db_name: 'pg', creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`], default_ttl: '8s', max_ttl: '8s' },
    auth,
  );
  assert.equal(role.status, 204, role.text);
});

after(async () => {
  await stopNodes(nodes ?? []);
  await consul?.stop();
  await admin?.end().catch(() => undefined);
  await pgServer?.stop();
});

test('a lease issued by a killed active node is revoked on time by the next one', { skip }, async () => {
  const first = await waitForActive(nodes);
  const issued = await nodes[first]!.http('GET', '/v1/database/creds/short', undefined, { 'x-vault-token': token });
  assert.equal(issued.status, 200, issued.text);
  const username = issued.body.data.username as string;
  assert.equal(issued.body.lease_duration, 8);
  assert.match(issued.body.lease_id, /^database\/creds\/short\//);
  const expiresAt = Date.now() + 8_000;
  assert.equal(await roleExists(username), true);

  nodes[first]!.kill('SIGKILL');
  const next = await waitForActive(nodes, 30_000, first);
  console.log(`# new active after ${Math.max(0, 8_000 - (expiresAt - Date.now()))} ms from issue`);
  assert.notEqual(next, first);

  while ((await roleExists(username)) && Date.now() < expiresAt + 15_000) await sleep(200);
  const late = Date.now() - expiresAt;
  console.log(`# user dropped ${late} ms after its lease's end`);
  assert.equal(await roleExists(username), false, 'the next active dropped the user');
  const lookup = await nodes[next]!.http('PUT', '/v1/sys/leases/lookup', { lease_id: issued.body.lease_id }, { 'x-vault-token': token });
  assert.equal(lookup.status, 400, 'and the lease is gone');
});

test('a static role\'s rotation schedule carries over a failover, neither repeated nor skipped', { skip }, async () => {
  await admin.query(`CREATE ROLE failover_static WITH LOGIN PASSWORD 'initial-password'`);
  const auth = { 'x-vault-token': token };
  let active = await waitForActive(nodes);
  const created = await nodes[active]!.http('POST', '/v1/database/static-roles/static', { db_name: 'pg', username: 'failover_static', rotation_period: '8s' }, auth);
  assert.equal(created.status, 204, created.text);
  const first = (await nodes[active]!.http('GET', '/v1/database/static-creds/static', undefined, auth)).body.data;
  const firstAt = Date.parse(first.last_vault_rotation);

  nodes[active]!.kill('SIGKILL');
  active = await waitForActive(nodes, 30_000, active);
  const afterTakeover = (await nodes[active]!.http('GET', '/v1/database/static-creds/static', undefined, auth)).body.data;
  if (Date.now() < firstAt + 7_000) {
    assert.equal(afterTakeover.last_vault_rotation, first.last_vault_rotation, 'not rotated again at the takeover');
    assert.equal(afterTakeover.password, first.password);
  }

  let next = afterTakeover;
  const deadline = firstAt + 8_000 + 10_000;
  while (next.last_vault_rotation === first.last_vault_rotation && Date.now() < deadline) {
    await sleep(250);
    next = (await nodes[active]!.http('GET', '/v1/database/static-creds/static', undefined, auth)).body.data;
  }
  const gap = Date.parse(next.last_vault_rotation) - firstAt;
  console.log(`# static rotation after failover: ${gap} ms after the previous one (period 8000 ms)`);
  assert.ok(gap >= 7_900 && gap < 10_000, `rotated one period after the last rotation, got ${gap} ms`);
  assert.notEqual(next.password, first.password);
  const c = new pg.Client({ connectionString: pgServer.urlFor('failover_static', next.password) });
  await c.connect();
  await c.end();
});
