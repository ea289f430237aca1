import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './support/cli-io.js';
import { envelope, startFakeServer, type FakeServer } from './support/fake-server.js';

let server: FakeServer;
let home: string;

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'strongroom-cli-home-'));
  server = await startFakeServer({
    'PUT /v1/secret/cas': { status: 400, body: { errors: ['check-and-set parameter did not match the current version'] } },
    'GET /v1/secret/denied': { status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } },
    'GET /v1/secret/two': { status: 500, body: { errors: ['first', 'second'] } },
    'GET /v1/secret/proxy': { status: 502, raw: 'upstream down' },
    'GET /v1/secret/ok': { body: envelope({ foo: 'bar' }) },
    'GET /v1/secret/moved': { status: 307, headers: { Location: '/v1/secret/ok' }, raw: '' },
  });
});

after(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

describe('errors printed as Vault prints them', () => {
  it('quotes the method, URL, status and each error of a Vault-shaped error body', async () => {
    const res = await run(['write', 'secret/cas', 'a=b'], { env: { VAULT_ADDR: server.url } });
    assert.equal(res.code, 2);
    assert.equal(
      res.stderr,
      `Error writing data to secret/cas: Error making API request.\n\nURL: PUT ${server.url}/v1/secret/cas\n` +
        'Code: 400. Errors:\n\n* check-and-set parameter did not match the current version\n',
    );
    assert.equal(res.stdout, '');
  });

  it('keeps the server text of a permission error and runs several errors together as the Go client does', async () => {
    const denied = await run(['read', 'secret/denied'], { env: { VAULT_ADDR: server.url } });
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /Code: 403\. Errors:\n\n\* 1 error occurred:\n\t\* permission denied\n/);
    const two = await run(['read', 'secret/two'], { env: { VAULT_ADDR: server.url } });
    assert.match(two.stderr, /Code: 500\. Errors:\n\n\* first\* second\n$/);
  });

  it('shows a body that is not JSON as a raw message', async () => {
    const res = await run(['read', 'secret/proxy'], { env: { VAULT_ADDR: server.url } });
    assert.equal(res.code, 2);
    assert.equal(
      res.stderr,
      `Error reading secret/proxy: Error making API request.\n\nURL: GET ${server.url}/v1/secret/proxy\nCode: 502. Raw Message:\n\nupstream down\n`,
    );
  });

  it('reports a refused connection with the address it tried', async () => {
    const closed = await startFakeServer({});
    await closed.close();
    const res = await run(['read', 'secret/ok'], { env: { VAULT_ADDR: closed.url } });
    assert.equal(res.code, 2);
    assert.equal(
      res.stderr,
      `Error reading secret/ok: Get "${closed.url}/v1/secret/ok": dial tcp ${closed.url.slice('http://'.length)}: connect: connection refused\n`,
    );
  });

  it('says "No value found" with exit 2 when a read finds nothing', async () => {
    const res = await run(['read', 'secret/missing'], { env: { VAULT_ADDR: server.url } });
    assert.deepEqual(res, { code: 2, stdout: '', stderr: 'No value found at secret/missing\n' });
  });
});

describe('what the client sends', () => {
  it('sends X-Vault-Request and the VAULT_TOKEN, and -address beats VAULT_ADDR', async () => {
    const before = server.requests.length;
    const res = await run(['read', `-address=${server.url}`, 'secret/ok'], {
      env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: 'hvs.envtoken', VAULT_NAMESPACE: 'team-a' },
    });
    assert.equal(res.code, 0, res.stderr);
    const req = server.requests[before]!;
    assert.equal(req.headers['x-vault-request'], 'true');
    assert.equal(req.headers['x-vault-token'], 'hvs.envtoken');
    assert.equal(req.headers['x-vault-namespace'], 'team-a');
  });

  it('falls back to the token in ~/.vault-token', async () => {
    await writeFile(path.join(home, '.vault-token'), 'hvs.fromfile\n');
    const before = server.requests.length;
    const res = await run(['read', 'secret/ok'], { env: { VAULT_ADDR: server.url, HOME: home } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server.requests[before]!.headers['x-vault-token'], 'hvs.fromfile');
    assert.equal((await readFile(path.join(home, '.vault-token'), 'utf8')).trim(), 'hvs.fromfile');
  });

  it('follows one redirect (a standby pointing at the active node)', async () => {
    const res = await run(['read', '-format=json', 'secret/moved'], { env: { VAULT_ADDR: server.url } });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout).data, { foo: 'bar' });
  });

  it('takes the output format from VAULT_FORMAT and refuses an unknown one', async () => {
    const res = await run(['read', 'secret/ok'], { env: { VAULT_ADDR: server.url, VAULT_FORMAT: 'json' } });
    const parsed = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(parsed), ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings']);
    const bad = await run(['read', '-format=xml', 'secret/ok'], { env: { VAULT_ADDR: server.url } });
    assert.deepEqual(bad, { code: 1, stdout: '', stderr: 'Invalid output format: xml\n' });
  });

  it('refuses VAULT_SKIP_VERIFY values Go would not parse', async () => {
    const res = await run(['read', 'secret/ok'], { env: { VAULT_ADDR: server.url, VAULT_SKIP_VERIFY: 'maybe' } });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /could not parse VAULT_SKIP_VERIFY/);
  });
});
