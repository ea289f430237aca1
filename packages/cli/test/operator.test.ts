import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from './support/cli-io.js';
import { startFakeServer, type FakeServer } from './support/fake-server.js';

const sealedStatus = { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 1, nonce: 'nonce-1', version: '0.1.0', storage_type: 'file' };
const unsealedStatus = { ...sealedStatus, sealed: false, progress: 0, nonce: '', cluster_name: 'c1', cluster_id: 'id1' };

let sealedServer: FakeServer;
let server: FakeServer;

before(async () => {
  sealedServer = await startFakeServer({
    'GET /v1/sys/seal-status': { body: sealedStatus },
    'GET /v1/sys/leader': { status: 503, body: { errors: ['Vault is sealed'] } },
    'PUT /v1/sys/unseal': (req) => ({
      body: (req.json as { reset?: boolean }).reset ? { ...sealedStatus, progress: 0, nonce: '' } : { ...sealedStatus, progress: 2 },
    }),
    'GET /v1/sys/init': { body: { initialized: false } },
    'PUT /v1/sys/init': {
      body: { keys: ['aa', 'bb'], keys_base64: ['qg==', 'uw=='], root_token: 'hvs.root' },
    },
  });
  server = await startFakeServer({
    'GET /v1/sys/seal-status': { body: unsealedStatus },
    'GET /v1/sys/leader': {
      body: { ha_enabled: true, is_self: true, active_time: '2024-01-01T00:00:00Z', leader_address: 'http://a:8200', leader_cluster_address: 'https://a:8201' },
    },
    'PUT /v1/sys/seal': {},
    'PUT /v1/sys/step-down': {},
    'GET /v1/sys/key-status': { body: { term: 2, install_time: '2024-03-05T07:08:09Z', encryptions: 10, data: { term: 2, install_time: '2024-03-05T07:08:09Z', encryptions: 10 } } },
    'PUT /v1/sys/rotate': {},
    'GET /v1/sys/generate-root/attempt': { body: { started: true, nonce: 'gr-nonce', progress: 0, required: 3, complete: false, otp_length: 28 } },
    'PUT /v1/sys/generate-root/attempt': { body: { started: true, nonce: 'gr-nonce', progress: 0, required: 3, complete: false, otp: 'server-otp', otp_length: 28 } },
    'PUT /v1/sys/generate-root/update': { body: { started: true, nonce: 'gr-nonce', progress: 3, required: 3, complete: true, encoded_token: 'ENC' } },
    'PUT /v1/sys/rekey/init': { body: { started: true, nonce: 'rk-nonce', t: 2, n: 3, progress: 0, required: 3, verification_required: false } },
    'GET /v1/sys/rekey/init': { body: { started: true, nonce: 'rk-nonce', t: 2, n: 3, progress: 2, required: 3, verification_required: false } },
    'PUT /v1/sys/rekey/update': { body: { complete: true, nonce: 'rk-nonce', keys: ['01', '02', '03'], keys_base64: ['AQ==', 'Ag==', 'Aw=='] } },
  });
});

after(async () => {
  await sealedServer.close();
  await server.close();
});

describe('status', () => {
  it('exits 2 on a sealed node and shows the unseal progress', async () => {
    const res = await run(['status'], { env: { VAULT_ADDR: sealedServer.url } });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stdout, /^Sealed {13}true$/m);
    assert.match(res.stdout, /^Unseal Progress {4}1\/3$/m);
    assert.match(res.stdout, /^HA Enabled {9}true$/m);
  });

  it('exits 0 on an unsealed active node, with its HA role', async () => {
    const res = await run(['status'], { env: { VAULT_ADDR: server.url } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^HA Mode\s+active$/m);
    assert.match(res.stdout, /^Active Since\s+2024-01-01T00:00:00Z$/m);
  });

  it('prints the seal status and leader fields as JSON', async () => {
    const res = await run(['status', '-format=json'], { env: { VAULT_ADDR: server.url } });
    const json = JSON.parse(res.stdout);
    assert.equal(json.sealed, false);
    assert.equal(json.ha_enabled, true);
    assert.equal(json.is_self, true);
    assert.equal(json.leader_address, 'http://a:8200');
  });

  it('exits 1 when the server cannot be reached', async () => {
    const res = await run(['status'], { env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^Error checking seal status: /);
  });
});

describe('operator init and unseal', () => {
  it('asks for 5 shares and a threshold of 3 by default and prints the keys and root token', async () => {
    const res = await run(['operator', 'init'], { env: { VAULT_ADDR: sealedServer.url } });
    assert.equal(res.code, 0, res.stderr);
    const req = sealedServer.requests.find((r) => r.method === 'PUT' && r.url === '/v1/sys/init');
    assert.deepEqual(req?.json, { secret_shares: 5, secret_threshold: 3 });
    assert.match(res.stdout, /^Unseal Key 1: qg==\nUnseal Key 2: uw==\n\nInitial Root Token: hvs\.root\n\n/);
  });

  it('prints the machine-readable form with -format=json', async () => {
    const res = await run(['operator', 'init', '-key-shares=2', '-key-threshold=2', '-format=json'], { env: { VAULT_ADDR: sealedServer.url } });
    const json = JSON.parse(res.stdout);
    assert.deepEqual(json.unseal_keys_b64, ['qg==', 'uw==']);
    assert.deepEqual(json.unseal_keys_hex, ['aa', 'bb']);
    assert.equal(json.unseal_threshold, 2);
    assert.equal(json.root_token, 'hvs.root');
  });

  it('reports the init status through the exit code', async () => {
    const res = await run(['operator', 'init', '-status'], { env: { VAULT_ADDR: sealedServer.url } });
    assert.deepEqual(res, { code: 2, stdout: 'Strongroom is not initialized\n', stderr: '' });
  });

  it('sends a share given as an argument, or read from a pipe when none is given', async () => {
    const arg = await run(['operator', 'unseal', 'abcd'], { env: { VAULT_ADDR: sealedServer.url } });
    assert.equal(arg.code, 0, arg.stderr);
    assert.deepEqual(sealedServer.requests.at(-2)?.json, { key: 'abcd' });
    assert.match(arg.stdout, /^Unseal Progress {4}2\/3$/m);
    const piped = await run(['operator', 'unseal'], { env: { VAULT_ADDR: sealedServer.url }, stdin: 'from-pipe\n' });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(sealedServer.requests.at(-2)?.json, { key: 'from-pipe' });
    const reset = await run(['operator', 'unseal', '-reset'], { env: { VAULT_ADDR: sealedServer.url } });
    assert.equal(reset.code, 0);
    assert.deepEqual(sealedServer.requests.at(-2)?.json, { reset: true });
  });
});

describe('operator seal, step-down, key-status, rotate', () => {
  it('seals and steps down with success lines', async () => {
    assert.deepEqual(await run(['operator', 'seal'], { env: { VAULT_ADDR: server.url } }), {
      code: 0,
      stdout: 'Success! Strongroom is sealed.\n',
      stderr: '',
    });
    const down = await run(['operator', 'step-down'], { env: { VAULT_ADDR: server.url } });
    assert.equal(down.stdout, `Success! Stepped down: ${server.url}\n`);
  });

  it('prints the key term and install time, after a rotation too', async () => {
    const res = await run(['operator', 'key-status'], { env: { VAULT_ADDR: server.url } });
    assert.equal(res.stdout, 'Key Term            2\nInstall Time        05 Mar 24 07:08 UTC\nEncryption Count    10\n');
    const rotated = await run(['operator', 'rotate'], { env: { VAULT_ADDR: server.url } });
    assert.match(rotated.stdout, /^Success! Rotated key\n\nKey Term {12}2\n/);
    const json = await run(['operator', 'key-status', '-format=json'], { env: { VAULT_ADDR: server.url } });
    assert.deepEqual(JSON.parse(json.stdout), { term: 2, install_time: '2024-03-05T07:08:09Z', encryptions: 10 });
  });
});

describe('operator generate-root and rekey', () => {
  it('starts a generation, shows the OTP the server made, and takes shares with the nonce', async () => {
    const init = await run(['operator', 'generate-root', '-init'], { env: { VAULT_ADDR: server.url } });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /^Nonce {9}gr-nonce$/m);
    assert.match(init.stdout, /^OTP {11}server-otp$/m);
    assert.match(init.stderr, /One-Time-Password has been generated/);
    const share = await run(['operator', 'generate-root', '-nonce=gr-nonce', 'share-1'], { env: { VAULT_ADDR: server.url } });
    assert.equal(share.code, 0, share.stderr);
    assert.deepEqual(server.requests.at(-1)?.json, { key: 'share-1', nonce: 'gr-nonce' });
    assert.match(share.stdout, /^Encoded Token {4}ENC$/m);
    const noNonce = await run(['operator', 'generate-root', 'share-1'], { env: { VAULT_ADDR: server.url } });
    assert.deepEqual(noNonce, { code: 1, stdout: '', stderr: 'Missing nonce value: specify it via the -nonce flag\n' });
    const both = await run(['operator', 'generate-root', '-init', '-otp=x', '-pgp-key=y'], { env: { VAULT_ADDR: server.url } });
    assert.equal(both.code, 1);
  });

  it('makes an OTP of the length the server asks for', async () => {
    const res = await run(['operator', 'generate-root', '-generate-otp'], { env: { VAULT_ADDR: server.url } });
    assert.match(res.stdout, /^[0-9A-Za-z]{28}$/);
  });

  it('starts a rekey and prints the new keys once the quorum is reached', async () => {
    const init = await run(['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2'], { env: { VAULT_ADDR: server.url } });
    assert.equal(init.code, 0, init.stderr);
    assert.deepEqual(server.requests.at(-1)?.json, { secret_shares: 3, secret_threshold: 2, backup: false, require_verification: false });
    assert.match(init.stdout, /^Rekey Progress\s+0\/3$/m);
    const done = await run(['operator', 'rekey', '-nonce=rk-nonce', 'old-share'], { env: { VAULT_ADDR: server.url } });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^Key 1: AQ==\nKey 2: Ag==\nKey 3: Aw==\n\nOperation nonce: rk-nonce\n/m);
    assert.match(done.stdout, /rekeyed with 3 key shares and a key threshold of 2/);
  });
});
