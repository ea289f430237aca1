import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { InvalidRequestError } from '../src/errors.js';
import type { Response } from '../src/logical/request.js';
import type { Node } from '../src/node.js';
import { postgresAvailable, request, startPostgres, testCoreUnsealed, type PostgresServer } from '../src/testing.js';

const CREATE = [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`];

const invalid = (message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof InvalidRequestError, `expected InvalidRequestError, got ${String(err)}`);
  assert.match(err.message, message);
  return true;
};

/** Logs in to the test server as `user`; resolves to the current_user, or rejects with PostgreSQL's error. */
async function login(pgServer: PostgresServer, user: string, password: string): Promise<string> {
  const c = new pg.Client({ connectionString: pgServer.urlFor(user, password), connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return String((await c.query('SELECT current_user AS u')).rows[0].u);
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('database secrets engine on a real PostgreSQL', { skip: !postgresAvailable() && 'PostgreSQL binaries not installed' }, () => {
  let pgServer: PostgresServer;
  let admin: pg.Client;
  let node: Node;
  let root: string;
  const db = (op: Parameters<typeof request>[1], path: string, data: Record<string, unknown> = {}) => request(node, op, `database/${path}`, root, data);
  const sys = (op: Parameters<typeof request>[1], path: string, data: Record<string, unknown> = {}) => request(node, op, `sys/${path}`, root, data);
  const roleExists = async (name: string): Promise<boolean> => (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;
  const issuedUsers = async (): Promise<string[]> => (await admin.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY 1`)).rows.map((r) => r.rolname as string);
  const creds = async (role = 'app'): Promise<{ username: string; password: string; leaseId: string; resp: Response }> => {
    const resp = await db('read', `creds/${role}`);
    return { username: String(resp.data?.username), password: String(resp.data?.password), leaseId: resp.secret!.leaseId!, resp };
  };
  const configure = (extra: Record<string, unknown> = {}) =>
    db('update', 'config/pg', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: pgServer.connectionUrl,
      username: pgServer.superuser,
      password: pgServer.password,
      allowed_roles: 'app,short,broken,renewing',
      ...extra,
    });

  before(async () => {
    pgServer = await startPostgres();
    admin = new pg.Client({ connectionString: pgServer.urlFor(pgServer.superuser, pgServer.password) });
    await admin.connect();
    await admin.query('CREATE TABLE public.things (id int)');
    ({ core: node, rootToken: root } = await testCoreUnsealed({ revokeRetry: { attempts: 20, baseMs: 300 } }));
    await sys('update', 'mounts/database', { type: 'database' });
  });
  after(async () => {
    await node?.shutdown();
    await admin?.end().catch(() => undefined);
    await pgServer?.stop();
  });

  it('refuses a connection that does not work, with PostgreSQL\'s message, and stores nothing', async () => {
    await assert.rejects(configure({ password: 'wrong' }), invalid(/password authentication failed/));
    assert.equal((await db('read', 'config/pg')).raw?.status, 404);
    await assert.rejects(configure({ connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres' }), invalid(/error verifying connection/));
    await assert.rejects(configure({ plugin_name: 'mysql-database-plugin' }), invalid(/unsupported plugin_name "mysql-database-plugin".*postgresql-database-plugin/));
    await assert.rejects(configure({ connection_url: 'not a url' }), invalid(/connection_url/));
    assert.equal((await db('read', 'config/pg')).raw?.status, 404);
  });

  it('stores a working connection and never shows its password', async () => {
    await configure();
    const c = await db('read', 'config/pg');
    assert.equal(c.data?.plugin_name, 'postgresql-database-plugin');
    const details = c.data?.connection_details as Record<string, unknown>;
    assert.equal(details.connection_url, pgServer.connectionUrl);
    assert.equal(details.username, pgServer.superuser);
    assert.ok(!JSON.stringify(c).includes(pgServer.password), 'the password is never read back');
    assert.deepEqual(c.data?.allowed_roles, ['app', 'short', 'broken', 'renewing']);
    assert.deepEqual((await db('list', 'config/')).data?.keys, ['pg']);
  });

  it('issues a user that logs in, with a lease under database/creds/<role>/', async () => {
    await db('update', 'roles/app', { db_name: 'pg', creation_statements: CREATE, default_ttl: '1h', max_ttl: '24h' });
    const role = await db('read', 'roles/app');
    assert.deepEqual(role.data?.creation_statements, CREATE);
    assert.equal(role.data?.default_ttl, 3600);
    const { username, password, leaseId, resp } = await creds();
    assert.match(leaseId, /^database\/creds\/app\/[A-Za-z0-9]+$/);
    assert.equal(resp.secret?.ttl, 3600);
    assert.equal(resp.secret?.renewable, true);
    assert.match(username, /^v-root-app-[A-Za-z0-9]{20}-\d+$/);
    assert.equal(await login(pgServer, username, password), username);
    await sys('update', 'leases/revoke', { lease_id: leaseId });
    assert.equal(await roleExists(username), false, 'revoked: the role is gone');
    await assert.rejects(login(pgServer, username, password));
  });

  it('renews a lease within the role\'s max TTL, extending the user in PostgreSQL', async () => {
    await db('update', 'roles/renewing', { db_name: 'pg', creation_statements: CREATE, default_ttl: '10m', max_ttl: '30m' });
    const { username, leaseId } = await creds('renewing');
    const before = (await admin.query('SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1', [username])).rows[0].rolvaliduntil as Date;
    const renewed = await sys('update', 'leases/renew', { lease_id: leaseId, increment: '20m' });
    assert.equal(renewed.secret?.ttl, 1200);
    const after = (await admin.query('SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1', [username])).rows[0].rolvaliduntil as Date;
    assert.ok(after.getTime() - before.getTime() >= 9 * 60_000, `VALID UNTIL moved from ${before.toISOString()} to ${after.toISOString()}`);
    const capped = await sys('update', 'leases/renew', { lease_id: leaseId, increment: '2h' });
    assert.ok(capped.secret!.ttl <= 1800, 'never past max_ttl from issue');
    await sys('update', 'leases/revoke', { lease_id: leaseId });
  });

  it('drops the user when the lease runs out', async () => {
    await db('update', 'roles/short', { db_name: 'pg', creation_statements: CREATE, default_ttl: '2s', max_ttl: '2s' });
    const { username, password } = await creds('short');
    assert.equal(await login(pgServer, username, password), username);
    const deadline = Date.now() + 15_000;
    while ((await roleExists(username)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await roleExists(username), false, 'expired: the role is gone');
    await assert.rejects(login(pgServer, username, password));
  });

  it('retries a revocation its database refused, and keeps the lease visible meanwhile', async () => {
    const { username, leaseId } = await creds('short');
    await configure({ connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres', verify_connection: false });
    await new Promise((r) => setTimeout(r, 3_000));
    const looked = await sys('update', 'leases/lookup', { lease_id: leaseId });
    assert.equal(looked.data?.id, leaseId, 'past its end and not yet revoked: still listed');
    assert.equal(looked.data?.ttl, 0);
    assert.equal(await roleExists(username), true);
    await configure();
    const deadline = Date.now() + 15_000;
    while ((await roleExists(username)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await roleExists(username), false, 'revoked once the database answered again');
  });

  it('revoke-force drops leases without asking the database (their users stay)', async () => {
    const { username, leaseId } = await creds();
    await configure({ connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres', verify_connection: false });
    await assert.rejects(sys('update', 'leases/revoke', { lease_id: leaseId }));
    await sys('update', 'leases/revoke-force/database/creds/app', {});
    await assert.rejects(sys('update', 'leases/lookup', { lease_id: leaseId }), invalid(/invalid lease/));
    assert.equal(await roleExists(username), true, 'forced: the user is left to the operator');
    await admin.query(`DROP OWNED BY "${username}"; DROP ROLE "${username}"`);
    await configure();
  });

  it('tidy revokes leases whose token is gone', async () => {
    const child = (await request(node, 'update', 'auth/token/create', root, { policies: ['root'] })).auth!.clientToken!;
    const resp = await request(node, 'read', 'database/creds/app', child);
    const username = String(resp.data?.username);
    // The token vanishes without its revocation running (as after a crash in the middle of one).
    await node.barrier.delete(`sys/token/id/${node.tokens.hashOf(child)}`);
    node.tokens.teardown();
    await node.tokens.setup();
    await sys('update', 'leases/tidy');
    const deadline = Date.now() + 10_000;
    while ((await roleExists(username)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await roleExists(username), false);
  });

  it('leaves nothing behind when a creation statement fails, and says why', async () => {
    const before = await issuedUsers();
    await db('update', 'roles/broken', {
      db_name: 'pg',
      creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}';`, 'GRANTT SELECT ON things TO "{{name}}";'],
    });
    await assert.rejects(creds('broken'), invalid(/failed to create user: syntax error/));
    assert.deepEqual(await issuedUsers(), before, 'the CREATE ROLE was rolled back');
  });

  it('refuses a role its connection does not allow, and bad role definitions', async () => {
    await db('update', 'roles/outsider', { db_name: 'pg', creation_statements: CREATE });
    await assert.rejects(creds('outsider'), invalid(/"outsider" is not an allowed role/));
    await assert.rejects(db('update', 'roles/x', { db_name: 'pg' }), invalid(/creation_statements are required/));
    await assert.rejects(db('update', 'roles/x', { creation_statements: CREATE }), invalid(/database name is required/));
    await assert.rejects(db('update', 'roles/x', { db_name: 'pg', creation_statements: CREATE, default_ttl: '2h', max_ttl: '1h' }), invalid(/ttl cannot be greater than max_ttl/));
    await assert.rejects(db('read', 'creds/nobody'), invalid(/unknown role: nobody/));
  });

  it('revokes every lease under a prefix', async () => {
    const a = await creds();
    const b = await creds();
    await sys('update', 'leases/revoke-prefix/database/creds/app', {});
    assert.equal(await roleExists(a.username), false);
    assert.equal(await roleExists(b.username), false);
  });

  it('hashes the password itself with password_authentication = scram-sha-256', async () => {
    await configure({ password_authentication: 'scram-sha-256' });
    const { username, password, leaseId } = await creds();
    const stored = (await admin.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [username])).rows[0].rolpassword as string;
    assert.match(stored, /^SCRAM-SHA-256\$4096:/);
    assert.equal(await login(pgServer, username, password), username);
    await sys('update', 'leases/revoke', { lease_id: leaseId });
    await configure({ password_authentication: 'password' });
  });

  it('rotates the root password so that only the server knows it', async () => {
    const owner = 'strongroom_rotated';
    await admin.query(`CREATE ROLE ${owner} WITH LOGIN SUPERUSER PASSWORD 'first-password'`);
    await db('update', 'config/rot', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: pgServer.connectionUrl,
      username: owner,
      password: 'first-password',
      allowed_roles: '*',
    });
    await db('update', 'rotate-root/rot');
    await assert.rejects(login(pgServer, owner, 'first-password'), /password authentication failed/);
    await db('update', 'roles/onrot', { db_name: 'rot', creation_statements: CREATE });
    const { username, password, leaseId } = await creds('onrot');
    assert.equal(await login(pgServer, username, password), username, 'the connection works with the new password');
    await sys('update', 'leases/revoke', { lease_id: leaseId });
  });

  it('rotates a static role\'s password at once, on its period, and by hand', async () => {
    await admin.query(`CREATE ROLE app_static WITH LOGIN PASSWORD 'initial-password'`);
    await configure({ allowed_roles: '*' });
    await assert.rejects(db('update', 'static-roles/st', { db_name: 'pg', username: 'app_static', rotation_period: '2s' }), invalid(/rotation_period must be 5 seconds or more/));
    await assert.rejects(db('update', 'static-roles/st', { db_name: 'pg', username: 'app_static', rotation_period: '10s', rotation_schedule: '* * * * *' }), invalid(/mutually exclusive/));
    await assert.rejects(db('update', 'static-roles/st', { db_name: 'pg', username: 'app_static', rotation_schedule: '* * *' }), invalid(/invalid rotation_schedule/));
    await db('update', 'static-roles/st', { db_name: 'pg', username: 'app_static', rotation_period: '5s' });
    await assert.rejects(login(pgServer, 'app_static', 'initial-password'), /password authentication failed/);
    const first = (await db('read', 'static-creds/st')).data!;
    assert.equal(first.username, 'app_static');
    assert.equal(first.rotation_period, 5);
    assert.ok(Number(first.ttl) <= 5);
    assert.equal(await login(pgServer, 'app_static', String(first.password)), 'app_static');

    const deadline = Date.now() + 15_000;
    let second = first;
    while (second.password === first.password && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      second = (await db('read', 'static-creds/st')).data!;
    }
    assert.notEqual(second.password, first.password, 'rotated on its period');
    const gap = Date.parse(String(second.last_vault_rotation)) - Date.parse(String(first.last_vault_rotation));
    assert.ok(gap >= 4_900 && gap < 7_000, `one period between rotations, got ${gap} ms`);
    await assert.rejects(login(pgServer, 'app_static', String(first.password)));
    assert.equal(await login(pgServer, 'app_static', String(second.password)), 'app_static');

    await db('update', 'rotate-role/st');
    const third = (await db('read', 'static-creds/st')).data!;
    assert.notEqual(third.password, second.password);
    assert.equal(await login(pgServer, 'app_static', String(third.password)), 'app_static');
    assert.deepEqual((await db('list', 'static-roles/')).data?.keys, ['st']);
    await db('delete', 'static-roles/st');
    await assert.rejects(db('read', 'static-creds/st'), invalid(/unknown static role/));
  });

  it('keeps the mount, its leases and their users while the database cannot be reached to revoke them', async () => {
    const a = await creds();
    await configure({ connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/postgres', verify_connection: false });
    await assert.rejects(sys('delete', 'mounts/database'), invalid(/failed to revoke leases under "database\/", the mount is kept/));
    assert.ok((await sys('read', 'mounts')).data?.['database/'], 'the mount is kept');
    const looked = await sys('update', 'leases/lookup', { lease_id: a.leaseId });
    assert.equal(looked.data?.id, a.leaseId, 'the lease is kept, and visible');
    assert.equal(await roleExists(a.username), true);
    await configure();
  });

  it('drops every user it issued when the mount is disabled', async () => {
    const a = await creds();
    const b = await creds();
    await sys('delete', 'mounts/database');
    assert.equal(await roleExists(a.username), false);
    assert.equal(await roleExists(b.username), false);
    assert.deepEqual(await issuedUsers(), [], 'no user of the engine is left');
  });
});
