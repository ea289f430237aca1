import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './support/cli-io.js';
import { envelope, startFakeServer, type FakeServer } from './support/fake-server.js';

let server: FakeServer;
let home: string;
let env: Record<string, string>;

const auth = {
  client_token: 'hvs.child',
  accessor: 'acc-1',
  policies: ['default', 'ops'],
  token_policies: ['default', 'ops'],
  identity_policies: null,
  metadata: null,
  lease_duration: 3600,
  renewable: true,
  entity_id: '',
  token_type: 'service',
  orphan: false,
};

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'strongroom-cli-cmd-'));
  server = await startFakeServer({
    'GET /v1/auth/token/lookup-self': (req) =>
      req.headers['x-vault-token'] === 'hvs.good'
        ? { body: envelope({ accessor: 'acc-root', policies: ['root'], ttl: 0, renewable: false, meta: null, id: 'hvs.good' }) }
        : { status: 403, body: { errors: ['permission denied'] } },
    'PUT /v1/auth/userpass/login/bob': (req) =>
      (req.json as { password?: string }).password === 'pw'
        ? { body: envelope(null, { auth: { ...auth, client_token: 'hvs.bob', metadata: { username: 'bob' } } }) }
        : { status: 400, body: { errors: ['invalid username or password'] } },
    'PUT /v1/auth/token/create': { body: envelope(null, { auth }) },
    'PUT /v1/auth/token/create-orphan': { body: envelope(null, { auth: { ...auth, orphan: true } }) },
    'PUT /v1/auth/token/revoke': {},
    'PUT /v1/sys/capabilities-self': { body: envelope({ 'secret/foo': ['update', 'read'], capabilities: ['update', 'read'] }) },
    'PUT /v1/sys/policies/acl/ops': {},
    'GET /v1/sys/policies/acl/ops': { body: envelope({ name: 'ops', policy: 'path "secret/*" {\n  capabilities = ["read"]\n}\n' }) },
    'GET /v1/sys/policies/acl?list=true': { body: envelope({ keys: ['default', 'ops', 'root'] }) },
    'DELETE /v1/sys/policies/acl/ops': {},
    'POST /v1/sys/mounts/kv2/': {},
    'GET /v1/sys/mounts': {
      body: envelope({
        'secret/': { type: 'kv', accessor: 'kv_1234', description: 'key/value secret storage', options: { version: '2' }, config: {} },
        'cubbyhole/': { type: 'cubbyhole', accessor: 'cubbyhole_1', description: 'per-token private secret storage', config: {} },
      }),
    },
    'POST /v1/sys/auth/userpass/': {},
    'POST /v1/sys/mounts/secret/tune': {},
    'PUT /v1/sys/audit/file/': {},
    'GET /v1/sys/audit': { body: envelope({}) },
    'PUT /v1/sys/leases/revoke-prefix/database/creds': {},
    'PUT /v1/sys/leases/revoke': {},
    'PUT /v1/secret/foo': {},
    'GET /v1/secret/?list=true': { body: envelope({ keys: ['b', 'a'] }) },
    'DELETE /v1/secret/foo': {},
    'PATCH /v1/secret/foo': {},
  });
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: 'root', HOME: home };
});

after(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

const lastRequest = () => server.requests.at(-1)!;

describe('login', () => {
  it('checks a token with lookup-self, stores it in ~/.vault-token and shows it', async () => {
    const res = await run(['login', 'hvs.good'], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await readFile(path.join(home, '.vault-token'), 'utf8')).trim(), 'hvs.good');
    assert.match(res.stdout, /^Success! You are now authenticated\./);
    assert.match(res.stdout, /^token\s+hvs\.good$/m);
    assert.match(res.stdout, /^token_duration\s+\u221e$/m);
    assert.match(res.stdout, /^policies\s+\["root"\]$/m);
  });

  it('refuses a bad token without storing it', async () => {
    await rm(path.join(home, '.vault-token'), { force: true });
    const res = await run(['login', 'hvs.bad'], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error authenticating: error looking up token: Error making API request\./);
    await assert.rejects(readFile(path.join(home, '.vault-token')));
  });

  it('logs in with userpass and -token-only prints just the token, storing nothing', async () => {
    const res = await run(['login', '-method=userpass', '-token-only', 'username=bob', 'password=pw'], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.deepEqual(res, { code: 0, stdout: 'hvs.bob', stderr: '' });
    assert.deepEqual(lastRequest().json, { password: 'pw' });
    assert.equal(lastRequest().headers['x-vault-token'], undefined);
    await assert.rejects(readFile(path.join(home, '.vault-token')));
  });

  it('reads a missing password from stdin and reports bad credentials', async () => {
    const res = await run(['login', '-method=userpass', 'username=bob'], { env: { VAULT_ADDR: server.url, HOME: home }, stdin: 'wrong\n' });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /\* invalid username or password\n$/);
  });
});

describe('token', () => {
  it('creates a token with policies, TTL and metadata, and prints it', async () => {
    const res = await run(['token', 'create', '-policy=ops', '-policy', 'db', '-ttl=1h', '-metadata=team=a', '-use-limit=3'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(lastRequest().json, { renewable: true, policies: ['ops', 'db'], meta: { team: 'a' }, ttl: '1h', num_uses: 3 });
    assert.match(res.stdout, /^token_duration\s+1h$/m);
    const orphan = await run(['token', 'create', '-orphan', '-field=token'], { env });
    assert.deepEqual(orphan, { code: 0, stdout: 'hvs.child', stderr: '' });
    assert.equal(lastRequest().url, '/v1/auth/token/create-orphan');
    const json = await run(['token', 'create', '-format=json'], { env });
    assert.equal(JSON.parse(json.stdout).auth.client_token, 'hvs.child');
  });

  it('revokes a token and lists capabilities', async () => {
    const revoked = await run(['token', 'revoke', 'hvs.child'], { env });
    assert.deepEqual(revoked, { code: 0, stdout: 'Success! Revoked token (if it existed)\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { token: 'hvs.child' });
    const caps = await run(['token', 'capabilities', 'secret/foo'], { env });
    assert.deepEqual(caps, { code: 0, stdout: 'read, update\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { paths: ['secret/foo'] });
  });

  it('refuses contradictory revoke flags before calling the server', async () => {
    const before = server.requests.length;
    const res = await run(['token', 'revoke', '-self', '-accessor'], { env });
    assert.equal(res.code, 1);
    assert.equal(server.requests.length, before);
  });
});

describe('policy', () => {
  it('uploads a policy from a file or stdin, reads, lists and deletes it', async () => {
    const file = path.join(home, 'ops.hcl');
    await writeFile(file, 'path "secret/*" { capabilities = ["read"] }\n');
    const write = await run(['policy', 'write', 'OPS', file], { env });
    assert.deepEqual(write, { code: 0, stdout: 'Success! Uploaded policy: ops\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { policy: 'path "secret/*" { capabilities = ["read"] }\n' });
    const fromStdin = await run(['policy', 'write', 'ops', '-'], { env, stdin: 'path "x" {}' });
    assert.equal(fromStdin.code, 0);
    assert.deepEqual(lastRequest().json, { policy: 'path "x" {}' });
    const read = await run(['policy', 'read', 'ops'], { env });
    assert.equal(read.stdout, 'path "secret/*" {\n  capabilities = ["read"]\n}\n');
    const list = await run(['policy', 'list'], { env });
    assert.equal(list.stdout, 'default\nops\nroot\n');
    const del = await run(['policy', 'delete', 'ops'], { env });
    assert.equal(del.stdout, 'Success! Deleted policy: ops\n');
  });

  it('says so when a policy does not exist or the file cannot be read', async () => {
    const missing = await run(['policy', 'read', 'nope'], { env });
    assert.deepEqual(missing, { code: 2, stdout: '', stderr: 'No policy named: nope\n' });
    const noFile = await run(['policy', 'write', 'ops', path.join(home, 'absent.hcl')], { env });
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /^Error opening policy file: /);
  });
});

describe('secrets, auth, audit, lease', () => {
  it('enables a kv v2 engine at a path', async () => {
    const res = await run(['secrets', 'enable', '-path=kv2', '-version=2', '-description=team kv', 'kv'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Enabled the kv secrets engine at: kv2/\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { type: 'kv', description: 'team kv', config: {}, options: { version: '2' } });
  });

  it('lists the secrets engines as a table and as JSON', async () => {
    const res = await run(['secrets', 'list'], { env });
    assert.equal(
      res.stdout,
      [
        'Path          Type         Accessor       Description',
        '----          ----         --------       -----------',
        'cubbyhole/    cubbyhole    cubbyhole_1    per-token private secret storage',
        'secret/       kv           kv_1234        key/value secret storage',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['secrets', 'list', '-format=json'], { env })).stdout);
    assert.deepEqual(Object.keys(json), ['cubbyhole/', 'secret/']);
  });

  it('tunes a mount with only the flags given', async () => {
    const res = await run(['secrets', 'tune', '-max-lease-ttl=24h', 'secret'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Tuned the secrets engine at: secret/\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { max_lease_ttl: '24h' });
  });

  it('enables an auth method', async () => {
    const res = await run(['auth', 'enable', 'userpass'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Enabled userpass auth method at: userpass/\n', stderr: '' });
  });

  it('enables a file audit device with its options, and exits 2 when none are enabled', async () => {
    const res = await run(['audit', 'enable', 'file', 'file_path=/var/log/audit.log'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Enabled the file audit device at: file/\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { type: 'file', description: '', options: { file_path: '/var/log/audit.log' } });
    const list = await run(['audit', 'list'], { env });
    assert.deepEqual(list, { code: 2, stdout: 'No audit devices are enabled.\n', stderr: '' });
  });

  it('revokes a lease, or every lease under a prefix', async () => {
    const one = await run(['lease', 'revoke', 'database/creds/ro/abc'], { env });
    assert.deepEqual(one, { code: 0, stdout: 'Success! Revoked lease: database/creds/ro/abc\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { lease_id: 'database/creds/ro/abc', sync: true });
    const prefix = await run(['lease', 'revoke', '-prefix', 'database/creds'], { env });
    assert.equal(prefix.stdout, 'Success! Revoked any leases with prefix: database/creds\n');
    const force = await run(['lease', 'revoke', '-force', 'database/creds'], { env });
    assert.equal(force.code, 1);
  });
});

describe('generic read, write, list, delete, patch', () => {
  it('writes key=value data and JSON from stdin', async () => {
    const res = await run(['write', 'secret/foo', 'a=1', 'b=two'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Data written to: secret/foo\n', stderr: '' });
    assert.deepEqual(lastRequest().json, { a: '1', b: 'two' });
    await run(['write', 'secret/foo', '-'], { env, stdin: '{"nested":{"x":[1,2]}}' });
    assert.deepEqual(lastRequest().json, { nested: { x: [1, 2] } });
    await run(['patch', 'secret/foo', 'a=2'], { env });
    assert.equal(lastRequest().method, 'PATCH');
    assert.equal(lastRequest().headers['content-type'], 'application/merge-patch+json');
  });

  it('lists with a trailing slash and deletes', async () => {
    const list = await run(['list', 'secret'], { env });
    assert.deepEqual(list, { code: 0, stdout: 'Keys\n----\na\nb\n', stderr: '' });
    const del = await run(['delete', 'secret/foo'], { env });
    assert.deepEqual(del, { code: 0, stdout: 'Success! Data deleted (if it existed) at: secret/foo\n', stderr: '' });
  });

  it('reports malformed data locally with exit 1', async () => {
    const res = await run(['write', 'secret/foo', 'novalue'], { env });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^Failed to parse K=V data: invalid key\/value pair "novalue"/);
  });
});
