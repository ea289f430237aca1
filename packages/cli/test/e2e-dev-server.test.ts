// The CLI against a real dev node (in-memory, unsealed, kv v2 at secret/), through main() and HTTP only.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './support/cli-io.js';

interface TestServer {
  url: string;
  rootToken: string;
  close(): Promise<void>;
}

let server: TestServer;
let home: string;
let env: Record<string, string>;

before(async () => {
  const testing = (await import('@strongroom/server/testing')) as { startTestServer: () => Promise<TestServer> };
  server = await testing.startTestServer();
  home = await mkdtemp(path.join(os.tmpdir(), 'strongroom-cli-e2e-'));
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken, HOME: home };
});

after(async () => {
  await server?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('CLI against a dev server', () => {
  it('reports an unsealed node with exit 0', async () => {
    const res = await run(['status'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Sealed\s+false$/m);
    const json = JSON.parse((await run(['status', '-format=json'], { env })).stdout);
    assert.equal(json.sealed, false);
    assert.equal(json.initialized, true);
  });

  it('writes, reads and lists kv v2 secrets', async () => {
    const put = await run(['kv', 'put', 'secret/app/db', 'user=bob', 'password=s3cret'], { env });
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /^version\s+1$/m);

    const get = await run(['kv', 'get', '-format=json', 'secret/app/db'], { env });
    assert.equal(get.code, 0, get.stderr);
    const body = JSON.parse(get.stdout);
    assert.deepEqual(body.data.data, { password: 's3cret', user: 'bob' });
    assert.equal(body.data.metadata.version, 1);

    const field = await run(['kv', 'get', '-field=password', 'secret/app/db'], { env });
    assert.deepEqual(field, { code: 0, stdout: 's3cret', stderr: '' });

    const second = await run(['kv', 'put', '-cas=1', '-mount=secret', 'app/db', 'user=alice'], { env });
    assert.equal(second.code, 0, second.stderr);
    const stale = await run(['kv', 'put', '-cas=1', 'secret/app/db', 'user=carol'], { env });
    assert.equal(stale.code, 2);
    assert.match(stale.stderr, /check-and-set parameter did not match the current version/);

    const old = await run(['kv', 'get', '-version=1', '-field=user', 'secret/app/db'], { env });
    assert.equal(old.stdout, 'bob');

    const list = await run(['kv', 'list', 'secret/app'], { env });
    assert.deepEqual(list, { code: 0, stdout: 'Keys\n----\ndb\n', stderr: '' });

    const missing = await run(['kv', 'get', 'secret/app/none'], { env });
    assert.deepEqual(missing, { code: 2, stdout: '', stderr: 'No value found at secret/data/app/none\n' });
  });

  it('patches, deletes and undeletes versions, and shows the history', async () => {
    await run(['kv', 'put', 'secret/svc', 'user=bob', 'password=one'], { env });
    const patched = await run(['kv', 'patch', 'secret/svc', 'password=two'], { env });
    assert.equal(patched.code, 0, patched.stderr);
    const json = JSON.parse((await run(['kv', 'get', '-format=json', 'secret/svc'], { env })).stdout);
    assert.deepEqual(json.data.data, { password: 'two', user: 'bob' });
    assert.equal(json.data.metadata.version, 2);

    const del = await run(['kv', 'delete', 'secret/svc'], { env });
    assert.deepEqual(del, { code: 0, stdout: 'Success! Data deleted (if it existed) at: secret/data/svc\n', stderr: '' });
    const gone = await run(['kv', 'get', '-field=user', 'secret/svc'], { env });
    assert.equal(gone.code, 2);
    const undel = await run(['kv', 'undelete', '-versions=2', 'secret/svc'], { env });
    assert.equal(undel.code, 0, undel.stderr);
    assert.equal((await run(['kv', 'get', '-field=password', 'secret/svc'], { env })).stdout, 'two');

    const meta = await run(['kv', 'metadata', 'get', 'secret/svc'], { env });
    assert.equal(meta.code, 0, meta.stderr);
    assert.match(meta.stdout, /^current_version\s+2$/m);
    assert.match(meta.stdout, /=+ Version 1 =+\n[\s\S]*=+ Version 2 =+\n/);
  });

  it('uploads a policy and creates a token limited by it', async () => {
    const file = path.join(home, 'reader.hcl');
    await writeFile(file, 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n');
    const write = await run(['policy', 'write', 'reader', file], { env });
    assert.deepEqual(write, { code: 0, stdout: 'Success! Uploaded policy: reader\n', stderr: '' });
    const read = await run(['policy', 'read', 'reader'], { env });
    assert.match(read.stdout, /capabilities = \["read"\]/);

    const created = await run(['token', 'create', '-policy=reader', '-ttl=1h', '-format=json'], { env });
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout).auth.client_token as string;
    assert.ok(token);
    assert.deepEqual(JSON.parse(created.stdout).auth.policies, ['default', 'reader']);

    await run(['kv', 'put', 'secret/app/db', 'user=dave'], { env });
    const asReader = { ...env, VAULT_TOKEN: token };
    const allowed = await run(['kv', 'get', '-field=user', 'secret/app/db'], { env: asReader });
    assert.deepEqual(allowed, { code: 0, stdout: 'dave', stderr: '' });
    const denied = await run(['kv', 'put', 'secret/app/db', 'user=eve'], { env: asReader });
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /Code: 403/);
    assert.match(denied.stderr, /permission denied/);

    const caps = await run(['token', 'capabilities', token, 'secret/data/app/db'], { env });
    assert.equal(caps.stdout, 'read\n');
  });

  it('logs in with the root token and uses the stored token afterwards', async () => {
    const login = await run(['login', server.rootToken], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.equal(login.code, 0, login.stderr);
    const lookup = await run(['token', 'lookup', '-format=json'], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.equal(lookup.code, 0, lookup.stderr);
    assert.deepEqual(JSON.parse(lookup.stdout).data.policies, ['root']);
  });
});
