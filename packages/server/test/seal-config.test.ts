import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ConfigError, finalizeConfig, parseConfigText, runServer } from '../src/index.js';
import { readKey } from '../src/server/build-seal.js';

const listener = 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\n';
const load = (text: string, env: Record<string, string> = {}, format: 'hcl' | 'json' = 'hcl') => finalizeConfig(parseConfigText(text, format, 'server.hcl'), env);

describe('seal blocks in the configuration', () => {
  it('seal "static" (OpenBao\'s keys), in HCL and JSON', () => {
    const c = load(`${listener}seal "static" {\n  current_key_id = "20250606-1"\n  current_key = "file:///keys/new"\n  previous_key_id = "20250306-1"\n  previous_key = "env://OLD_KEY"\n}\n`);
    assert.deepEqual(c.seals, [{ type: 'static', currentKeyId: '20250606-1', currentKey: 'file:///keys/new', previousKeyId: '20250306-1', previousKey: 'env://OLD_KEY' }]);
    const j = load(JSON.stringify({ listener: { tcp: { address: '127.0.0.1:0', tls_disable: true } }, storage: { inmem: {} }, seal: { static: { current_key_id: 'a', current_key: 'env://K' } } }), {}, 'json');
    assert.equal(j.seals[0]!.type, 'static');
    assert.deepEqual(load(`${listener}seal "shamir" {}\n`).seals, []);
    assert.deepEqual(load(listener).seals, []);
  });

  it('seal "transit" (Vault\'s keys), the token from VAULT_TOKEN, the environment winning as in Vault', () => {
    const hcl = `${listener}seal "transit" {\n  address = "https://unsealer:8200"\n  key_name = "autounseal"\n  mount_path = "transit-x/"\n  namespace = "ns1/"\n  disable_renewal = "true"\n  tls_ca_cert = "/ca.pem"\n  tls_server_name = "unsealer"\n  tls_skip_verify = "false"\n}\n`;
    const c = load(hcl, { VAULT_TOKEN: 's.token' });
    assert.deepEqual(c.seals[0], {
      type: 'transit', address: 'https://unsealer:8200', token: 's.token', keyName: 'autounseal', mountPath: 'transit-x/', namespace: 'ns1/',
      disableRenewal: true, tlsSkipVerify: false, tlsCaCert: '/ca.pem', tlsServerName: 'unsealer',
    });
    assert.throws(() => load(hcl), /seal "transit": token is required \(or VAULT_TOKEN\)/);
    assert.throws(() => load(`${listener}seal "transit" { token = "t"\n address = "http://x" }\n`), /key_name is required/);
    assert.throws(() => load(`${listener}seal "transit" { token = "t"\n key_name = "k"\n address = "ftp://x" }\n`), /not an http/);
    const d = load(`${listener}seal "transit" { token = "t"\n key_name = "k"\n address = "http://x:1" }\n`);
    assert.equal((d.seals[0] as { mountPath: string }).mountPath, 'transit/');
  });

  it('refuses unknown seal types, a half-given previous key, disabled seals and several seals, naming the block', () => {
    assert.throws(() => load(`${listener}seal "awskms" {}\n`), (e: Error) => e instanceof ConfigError && /server.hcl: seal "awskms" is not supported/.test(e.message));
    assert.throws(() => load(`${listener}seal "static" { current_key_id = "a" }\n`), /seal "static": current_key is required/);
    assert.throws(() => load(`${listener}seal "static" { current_key_id = "a"\n current_key = "env://K"\n previous_key_id = "b" }\n`), /previous_key and previous_key_id go together/);
    assert.throws(() => load(`${listener}seal "static" { current_key_id = "a"\n current_key = "env://K"\n disabled = true }\n`), /disabled seals/);
    assert.throws(() => load(`${listener}seal "static" { current_key_id = "a"\n current_key = "env://K" }\nseal "static" { current_key_id = "b"\n current_key = "env://K" }\n`), /not supported yet/);
  });
});

describe('static seal keys at start-up', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-seal-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads file:// (raw bytes, hex or base64), env:// and literal keys', async () => {
    const key = randomBytes(32);
    await writeFile(join(dir, 'raw'), key);
    await writeFile(join(dir, 'hex'), `${key.toString('hex')}\n`);
    assert.deepEqual(Buffer.from(readKey(`file://${join(dir, 'raw')}`, 'k', {})), key);
    assert.deepEqual(Buffer.from(readKey(`file://${join(dir, 'hex')}`, 'k', {})), key);
    assert.deepEqual(Buffer.from(readKey('env://K', 'k', { K: key.toString('base64') })), key);
    assert.deepEqual(Buffer.from(readKey(key.toString('hex'), 'k', {})), key);
  });

  it('a wrong length or an unreadable file stops the start-up with the block and the cause', async () => {
    await writeFile(join(dir, 'short'), randomBytes(16));
    const start = (_unused: string, env: Record<string, string> = {}) =>
      runServer({ configPaths: [join(dir, 'server.hcl')], stdout: new PassThrough(), env }).then(
        async (s) => {
          await s.close();
          throw new Error('started');
        },
        (e: Error) => e,
      );
    const write = (keyLine: string) => writeFile(join(dir, 'server.hcl'), `${listener}seal "static" {\n  current_key_id = "one"\n  ${keyLine}\n}\n`);
    await write(`current_key = "file://${join(dir, 'short')}"`);
    let err = await start('');
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /seal "static": current_key \(file ".*short", 16 bytes\): the key must be 32 bytes/);
    await write('current_key = "env://UNSEAL_KEY"');
    err = await start('', { UNSEAL_KEY: randomBytes(16).toString('base64') });
    assert.match(err.message, /seal "static": current_key \(environment variable UNSEAL_KEY\): the key must be 32 bytes, got 16/);
    await write(`current_key = "file://${join(dir, 'missing')}"`);
    err = await start('');
    assert.match(err.message, /seal "static": current_key: cannot read ".*missing": ENOENT/);
    await write('current_key = "env://UNSEAL_KEY"');
    err = await start('');
    assert.match(err.message, /seal "static": current_key: environment variable UNSEAL_KEY is not set/);
  });

  it('a server with a static seal and file storage unseals itself after init and at every start', async () => {
    const key = randomBytes(32);
    await writeFile(join(dir, 'key'), key);
    await writeFile(
      join(dir, 'file.hcl'),
      `storage "file" { path = "${join(dir, 'data')}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nseal "static" {\n  current_key_id = "one"\n  current_key = "file://${join(dir, 'key')}"\n}\n`,
    );
    let srv = await runServer({ configPaths: [join(dir, 'file.hcl')], stdout: new PassThrough(), env: {} });
    try {
      const url = srv.addresses[0]!;
      const init = (await (await fetch(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ recovery_shares: 1, recovery_threshold: 1 }) })).json()) as { recovery_keys: string[]; keys: string[] };
      assert.equal(init.recovery_keys.length, 1);
      assert.deepEqual(init.keys, []);
      const status = (await (await fetch(`${url}/v1/sys/seal-status`)).json()) as Record<string, unknown>;
      assert.equal(status.sealed, false);
      assert.equal(status.type, 'static');
      assert.equal(status.recovery_seal, true);
    } finally {
      await srv.close();
    }
    srv = await runServer({ configPaths: [join(dir, 'file.hcl')], stdout: new PassThrough(), env: {} });
    try {
      await srv.node.waitActive(10_000);
      assert.equal(srv.node.isSealed(), false);
    } finally {
      await srv.close();
    }
  });
});
