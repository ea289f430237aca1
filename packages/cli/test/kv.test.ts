import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from './support/cli-io.js';
import { envelope, startFakeServer, type FakeServer } from './support/fake-server.js';

let server: FakeServer;
let env: Record<string, string>;

const mountV2 = { body: envelope({ path: 'secret/', type: 'kv', options: { version: '2' } }) };
const metadata = { created_time: '2024-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 };

before(async () => {
  server = await startFakeServer({
    'GET /v1/sys/internal/ui/mounts/secret/foo': mountV2,
    'GET /v1/sys/internal/ui/mounts/secret': mountV2,
    'GET /v1/sys/internal/ui/mounts/secret/': mountV2,
    'GET /v1/sys/internal/ui/mounts/secret/missing': mountV2,
    'GET /v1/sys/internal/ui/mounts/secret/nothing': mountV2,
    'GET /v1/secret/data/foo': { body: envelope({ data: { foo: 'bar', port: 5432 }, metadata }) },
    'GET /v1/secret/data/foo?version=1': { body: envelope({ data: { foo: 'old' }, metadata }) },
    'PUT /v1/secret/data/foo': { body: envelope({ ...metadata, version: 2 }) },
    'GET /v1/secret/metadata?list=true': { body: envelope({ keys: ['foo', 'dir/'] }) },
    'PUT /v1/secret/delete/foo': {},
    'DELETE /v1/secret/data/foo': {},
    'PUT /v1/secret/undelete/foo': {},
    'GET /v1/secret/metadata/foo': {
      body: envelope({
        cas_required: false,
        created_time: '2024-01-01T00:00:00Z',
        current_version: 2,
        custom_metadata: null,
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: 0,
        updated_time: '2024-01-02T00:00:00Z',
        versions: {
          '1': { created_time: '2024-01-01T00:00:00Z', deletion_time: '', destroyed: false },
          '2': { created_time: '2024-01-02T00:00:00Z', deletion_time: '', destroyed: false },
        },
      }),
    },
    // No preflight route for kv1/: the 404 means KV v1, as on servers without the endpoint.
    'GET /v1/kv1/app': { body: envelope({ user: 'bob' }, { lease_duration: 2764800 }) },
    'PUT /v1/kv1/app': {},
  });
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: 'root' };
});

after(() => server.close());

function last(method: string, url: string) {
  const req = [...server.requests].reverse().find((r) => r.method === method && r.url === url);
  assert.ok(req, `no ${method} ${url} among ${server.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
  return req;
}

describe('kv get', () => {
  it('learns the mount from the preflight and prints the secret as Vault lays it out', async () => {
    const res = await run(['kv', 'get', 'secret/foo'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      [
        '= Secret Path =',
        'secret/data/foo',
        '',
        '======= Metadata =======',
        'Key                Value',
        '---                -----',
        'created_time       2024-01-01T00:00:00Z',
        'custom_metadata    <nil>',
        'deletion_time      n/a',
        'destroyed          false',
        'version            1',
        '',
        '==== Data ====',
        'Key     Value',
        '---     -----',
        'foo     bar',
        'port    5432',
        '',
      ].join('\n'),
    );
  });

  it('prints the envelope with -format=json, one field with -field, and an older version with -version', async () => {
    const json = await run(['kv', 'get', '-format=json', 'secret/foo'], { env });
    assert.deepEqual(JSON.parse(json.stdout).data.data, { foo: 'bar', port: 5432 });
    const field = await run(['kv', 'get', '-field=foo', 'secret/foo'], { env });
    assert.deepEqual(field, { code: 0, stdout: 'bar', stderr: '' });
    const old = await run(['kv', 'get', '-version=1', '-mount=secret', 'foo'], { env });
    assert.match(old.stdout, /^foo {4}old$/m);
    last('GET', '/v1/secret/data/foo?version=1');
  });

  it('exits 2 with "No value found" for a missing key', async () => {
    const res = await run(['kv', 'get', 'secret/missing'], { env });
    assert.deepEqual(res, { code: 2, stdout: '', stderr: 'No value found at secret/data/missing\n' });
  });

  it('reads a KV v1 path directly when the preflight is not found', async () => {
    const res = await run(['kv', 'get', 'kv1/app'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '==== Data ====\nKey     Value\n---     -----\nuser    bob\n');
  });
});

describe('kv put, list, delete, undelete, metadata', () => {
  it('wraps the data for KV v2 with the -cas option and prints the new version', async () => {
    const res = await run(['kv', 'put', '-cas=1', 'secret/foo', 'user=bob', 'port=5432'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(last('PUT', '/v1/secret/data/foo').json, { data: { user: 'bob', port: '5432' }, options: { cas: 1 } });
    assert.match(res.stdout, /^= Secret Path =\nsecret\/data\/foo\n\n======= Metadata =======\n/);
    assert.match(res.stdout, /^version {12}2$/m);
  });

  it('accepts -mount=secret KEY and sends no cas unless asked', async () => {
    const res = await run(['kv', 'put', '-mount=secret', 'foo', 'a=1'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(last('PUT', '/v1/secret/data/foo').json, { data: { a: '1' }, options: {} });
    last('GET', '/v1/sys/internal/ui/mounts/secret');
  });

  it('writes KV v1 data as is and says where', async () => {
    const res = await run(['kv', 'put', 'kv1/app', 'user=alice'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Data written to: kv1/app\n', stderr: '' });
    assert.deepEqual(last('PUT', '/v1/kv1/app').json, { user: 'alice' });
  });

  it('refuses a put without data', async () => {
    const res = await run(['kv', 'put', 'secret/foo'], { env });
    assert.deepEqual(res, { code: 1, stdout: '', stderr: 'Must supply data\n' });
  });

  it('lists keys under the metadata path', async () => {
    const res = await run(['kv', 'list', 'secret/'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Keys\n----\ndir/\nfoo\n', stderr: '' });
    const json = await run(['kv', 'list', '-format=json', 'secret'], { env });
    assert.deepEqual(JSON.parse(json.stdout), ['foo', 'dir/']);
    const none = await run(['kv', 'list', 'secret/nothing'], { env });
    assert.deepEqual(none, { code: 2, stdout: '', stderr: 'No value found at secret/metadata/nothing\n' });
  });

  it('soft-deletes the latest version, or the -versions given', async () => {
    const latest = await run(['kv', 'delete', 'secret/foo'], { env });
    assert.equal(latest.stdout, 'Success! Data deleted (if it existed) at: secret/data/foo\n');
    last('DELETE', '/v1/secret/data/foo');
    const some = await run(['kv', 'delete', '-versions=1,2', 'secret/foo'], { env });
    assert.equal(some.stdout, 'Success! Data deleted (if it existed) at: secret/delete/foo\n');
    assert.deepEqual(last('PUT', '/v1/secret/delete/foo').json, { versions: [1, 2] });
  });

  it('undeletes versions, and insists on -versions', async () => {
    const res = await run(['kv', 'undelete', '-versions=1', 'secret/foo'], { env });
    assert.deepEqual(res, { code: 0, stdout: 'Success! Data written to: secret/undelete/foo\n', stderr: '' });
    const missing = await run(['kv', 'undelete', 'secret/foo'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No versions provided, use the "-versions" flag/);
  });

  it('shows metadata with one table per version', async () => {
    const res = await run(['kv', 'metadata', 'get', 'secret/foo'], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^== Metadata Path ==\nsecret\/metadata\/foo\n\n/);
    assert.match(res.stdout, /^current_version {9}2$/m);
    assert.match(res.stdout, /\n====== Version 1 ======\n[\s\S]*\n====== Version 2 ======\n/);
    assert.doesNotMatch(res.stdout, /^versions/m);
  });

  it('says metadata needs KV v2', async () => {
    const res = await run(['kv', 'metadata', 'get', 'kv1/app'], { env });
    assert.deepEqual(res, { code: 1, stdout: '', stderr: 'Metadata not supported on KV Version 1\n' });
  });
});
