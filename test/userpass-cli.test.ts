// A userpass login end to end: the CLI (in-process, HTTP only) enables the method, creates a user and logs in
// against a dev server; the token it gets works and the token helper keeps it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '@strongroom/cli';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { call } from './helpers/http.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const input = new PassThrough();
  input.end(stdin);
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: input,
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

describe('userpass through the CLI', () => {
  let server: TestServer;
  let home: string;
  let admin: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    home = await mkdtemp(path.join(os.tmpdir(), 'strongroom-userpass-cli-'));
    admin = { VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken, HOME: home };
  });
  after(async () => {
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('enables userpass, creates a user and logs in with -format=json', async () => {
    const enable = await cli(['auth', 'enable', 'userpass'], admin);
    assert.deepEqual(enable, { code: 0, stdout: 'Success! Enabled userpass auth method at: userpass/\n', stderr: '' });

    const write = await cli(['write', 'auth/userpass/users/bob', 'password=s3cret', 'token_policies=default'], admin);
    assert.equal(write.code, 0, write.stderr);
    assert.match(write.stdout, /Success! Data written to: auth\/userpass\/users\/bob/);

    // The user logs in without any token of their own.
    const user = { VAULT_ADDR: server.url, HOME: home };
    const login = await cli(['login', '-method=userpass', 'username=bob', 'password=s3cret', '-format=json'], user);
    assert.equal(login.code, 0, login.stderr);
    const body = JSON.parse(login.stdout) as { auth: { client_token: string; policies: string[]; metadata: Record<string, string>; renewable: boolean } };
    assert.ok(body.auth.client_token);
    assert.deepEqual(body.auth.policies, ['default']);
    assert.deepEqual(body.auth.metadata, { username: 'bob' });
    assert.equal(body.auth.renewable, true);
    assert.equal((await readFile(path.join(home, '.vault-token'), 'utf8')).trim(), body.auth.client_token);

    const lookup = await call(server.url, 'GET', '/v1/auth/token/lookup-self', { token: body.auth.client_token });
    assert.equal(lookup.status, 200);
    assert.equal(lookup.body.data.path, 'auth/userpass/login/bob');
    assert.equal(lookup.body.data.display_name, 'userpass-bob');
  });

  it('answers a wrong password and an unknown user with the same 400', async () => {
    const user = { VAULT_ADDR: server.url, HOME: home };
    const wrong = await cli(['login', '-method=userpass', '-no-store', 'username=bob', 'password=nope'], user);
    const unknown = await cli(['login', '-method=userpass', '-no-store', 'username=nobody', 'password=nope'], user);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Code: 400/);
    assert.match(wrong.stderr, /invalid username or password/);
    assert.equal(unknown.code, wrong.code);
    assert.equal(unknown.stderr.replace(/nobody/g, 'bob'), wrong.stderr);

    const http = await call(server.url, 'PUT', '/v1/auth/userpass/login/nobody', { body: { password: 'nope' } });
    assert.deepEqual({ status: http.status, body: http.body }, { status: 400, body: { errors: ['invalid username or password'] } });
  });

  it('never shows the password on read', async () => {
    const read = await cli(['read', '-format=json', 'auth/userpass/users/bob'], admin);
    assert.equal(read.code, 0, read.stderr);
    assert.ok(!read.stdout.includes('s3cret'));
    assert.deepEqual((JSON.parse(read.stdout) as { data: { token_policies: string[] } }).data.token_policies, ['default']);
  });
});
