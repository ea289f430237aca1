import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runServer, type RunningServer } from '@strongroom/server';
import { freePorts, startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';
import { call } from './helpers/http.js';

// What an attacker with a copy of the storage sees: a real server on the file backend and on a real Consul is
// initialized, unsealed and given secrets, a token and a policy over HTTP; then every stored byte is scanned for
// them. Only the seal configuration and the HA lock are stored in the clear, and neither holds any of them.

interface Planted {
  /** Values that must not appear in any stored value or key, in any common encoding. */
  secrets: string[];
}

/** The byte patterns a careless store could leave a value in: as is, base64 (padded or not) and hex. */
function encodings(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  return [b, Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64').replace(/=+$/, '')), Buffer.from(b.toString('hex'))];
}

function assertClean(where: string, bytes: Buffer, planted: Planted): void {
  for (const s of planted.secrets) {
    for (const e of encodings(s)) {
      assert.equal(bytes.includes(e), false, `${where} holds ${JSON.stringify(s)} (as ${JSON.stringify(e.toString())})`);
    }
  }
}

/** Init 1/1 and unseal over HTTP, as an operator would; then plant the secrets. */
async function initAndPlant(srv: RunningServer): Promise<Planted> {
  const url = srv.addresses[0]!;
  const init = await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  assert.equal(init.status, 200, init.text);
  const key = init.body.keys_base64[0] as string;
  const root = init.body.root_token as string;
  const unseal = await call(url, 'PUT', '/v1/sys/unseal', { body: { key } });
  assert.equal(unseal.status, 200, unseal.text);
  assert.equal(unseal.body.sealed, false);
  await srv.node.waitActive();

  const kvSecret = 'kv2-password-Qw81Zx';
  const kvOther = 'kv2-api-key-Hn55Pr';
  const kv1Secret = 'kv1-value-Jc27Ms';
  const policyMarker = 'policy-rules-marker-Bt93Lk';
  const cubbySecret = 'cubby-value-Ux46Wd';
  const wrappedSecret = 'wrapped-value-Ep18Yg';
  const token = (o: object) => ({ token: root, ...o });

  let r = await call(url, 'POST', '/v1/sys/mounts/secret', token({ body: { type: 'kv', options: { version: '2' } } }));
  assert.equal(r.status, 204, r.text);
  r = await call(url, 'POST', '/v1/sys/mounts/plain', token({ body: { type: 'kv', options: { version: '1' } } }));
  assert.equal(r.status, 204, r.text);
  r = await call(url, 'POST', '/v1/secret/data/app/db', token({ body: { data: { password: kvSecret, api_key: kvOther } } }));
  assert.equal(r.status, 200, r.text);
  // A second version, so the version history is stored too.
  r = await call(url, 'POST', '/v1/secret/data/app/db', token({ body: { data: { password: kvSecret + '-v2' } } }));
  assert.equal(r.status, 200, r.text);
  r = await call(url, 'POST', '/v1/plain/app', token({ body: { value: kv1Secret } }));
  assert.equal(r.status, 204, r.text);
  r = await call(url, 'PUT', '/v1/sys/policy/app-reader', token({ body: { policy: `# ${policyMarker}\npath "secret/data/app/*" { capabilities = ["read"] }\n` } }));
  assert.equal(r.status, 204, r.text);
  r = await call(url, 'POST', '/v1/auth/token/create', token({ body: { policies: ['app-reader'], ttl: '1h' } }));
  assert.equal(r.status, 200, r.text);
  const child = r.body.auth.client_token as string;
  const accessor = r.body.auth.accessor as string;
  r = await call(url, 'GET', '/v1/secret/data/app/db', { token: child });
  assert.equal(r.body.data.data.password, kvSecret + '-v2', 'the planted token works');
  r = await call(url, 'PUT', '/v1/cubbyhole/note', { token: child, body: { value: cubbySecret } });
  assert.equal(r.status, 204, r.text);
  r = await call(url, 'PUT', '/v1/sys/wrapping/wrap', token({ body: { value: wrappedSecret }, headers: { 'x-vault-wrap-ttl': '10m' } }));
  assert.equal(r.status, 200, r.text);
  const wrapToken = r.body.wrap_info.token as string;

  return {
    secrets: [kvSecret, kvOther, kv1Secret, policyMarker, cubbySecret, wrappedSecret, root, child, accessor, wrapToken, key, Buffer.from(key, 'base64').toString('hex')],
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('nothing secret is stored in the clear', () => {
  let tmp: string;
  const quiet = new PassThrough().resume();

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-plaintext-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('file backend: no file name or content under the data folder holds a secret or a token', async () => {
    const data = path.join(tmp, 'data');
    const config = path.join(tmp, 'file.hcl');
    writeFileSync(config, `storage "file" { path = "${data}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\ndisable_mlock = true\n`);
    const srv = await runServer({ configPaths: [config], stdout: quiet, stderr: quiet, env: {} });
    let planted: Planted;
    try {
      planted = await initAndPlant(srv);
    } finally {
      await srv.close();
    }
    const files = filesUnder(data);
    assert.ok(files.length > 10, `only ${files.length} files stored`);
    let bytes = 0;
    for (const f of files) {
      const content = readFileSync(f);
      bytes += content.length;
      assertClean(f, content, planted);
      assertClean(`the name ${f}`, Buffer.from(path.relative(data, f)), planted);
    }
    // The scan does see stored bytes: the seal configuration is plain by design.
    assert.ok(readFileSync(files.find((f) => f.endsWith('seal-config'))!).includes('shamir'), 'core/seal-config not found in the clear');
    console.log(`file backend: scanned ${files.length} files, ${bytes} bytes`);
  });

  describe('consul backend', () => {
    let consul: ConsulCluster;
    let srv: RunningServer | undefined;
    const prefix = 'plaintext-scan/';

    before(async () => {
      consul = await startConsulDev();
    });
    after(async () => {
      await srv?.close();
      await consul?.stop();
    });

    it('no key or value under the prefix holds a secret or a token', async () => {
      const [apiPort, clusterPort] = (await freePorts(2)) as [number, number];
      const config = path.join(tmp, 'consul.hcl');
      writeFileSync(
        config,
        `storage "consul" {
  address = "${consul.addresses[0]}"
  path = "${prefix}"
  disable_registration = "true"
}
listener "tcp" {
  address = "127.0.0.1:${apiPort}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable = true
}
api_addr = "http://127.0.0.1:${apiPort}"
cluster_addr = "https://127.0.0.1:${clusterPort}"
disable_mlock = true
`,
      );
      srv = await runServer({ configPaths: [config], stdout: quiet, stderr: quiet, env: {} });
      const planted = await initAndPlant(srv);
      await srv.close();
      srv = undefined;

      const res = await fetch(`http://${consul.addresses[0]}/v1/kv/${prefix}?recurse=true`);
      assert.equal(res.status, 200);
      const pairs = (await res.json()) as { Key: string; Value: string | null }[];
      assert.ok(pairs.length > 10, `only ${pairs.length} keys stored`);
      let bytes = 0;
      for (const p of pairs) {
        const value = Buffer.from(p.Value ?? '', 'base64');
        bytes += value.length;
        assertClean(`consul value ${p.Key}`, value, planted);
        assertClean(`consul key ${p.Key}`, Buffer.from(p.Key), planted);
      }
      // The whole answer too, in case something hid in another field.
      assertClean('the consul answer', Buffer.from(JSON.stringify(pairs)), planted);
      // The scan does see stored bytes: the seal configuration is plain by design.
      const sealConfig = pairs.find((p) => p.Key === `${prefix}core/seal-config`);
      assert.ok(sealConfig && Buffer.from(sealConfig.Value ?? '', 'base64').includes('shamir'), 'core/seal-config not found in the clear');
      console.log(`consul backend: scanned ${pairs.length} keys, ${bytes} bytes`);
    });
  });
});
