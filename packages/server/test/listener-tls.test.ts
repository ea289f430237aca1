import assert from 'node:assert/strict';
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { ConfigError, runServer, type RunningServer } from '../src/index.js';

// The listener's TLS and timeout options act, as in Vault: a required client certificate is required, the cipher
// suites named are the only ones offered (ECDHE + AEAD by default), and http_read_header_timeout closes a client
// that never finishes its headers.

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

interface Issued {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  key: webcrypto.CryptoKey;
}

async function issue(name: string, issuer?: Issued, ext: x509.Extension[] = []): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: `01${randomBytes(8).toString('hex')}`,
      subject: `CN=${name}`,
      issuer: issuer ? issuer.cert.subject : `CN=${name}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingKey: issuer ? issuer.key : keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: alg,
      extensions: issuer ? ext : [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem, cert, key: keys.privateKey };
}

const quiet = () => new PassThrough().resume();

interface Reply {
  status: number;
  body: string;
}

function get(url: string, opts: { ca: string; cert?: string; key?: string; ciphers?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}/v1/sys/health`, { ...opts, agent: false, servername: 'localhost' }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: b }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listener TLS options', () => {
  let dir: string;
  let ca: Issued;
  let server: Issued;
  let client: Issued;
  let rogue: Issued;
  const running: RunningServer[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-listener-tls-'));
    ca = await issue('test-ca');
    server = await issue('localhost', ca, [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ]);
    client = await issue('client', ca, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]);
    const otherCa = await issue('other-ca');
    rogue = await issue('rogue', otherCa, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]);
    await writeFile(join(dir, 'ca.pem'), ca.certPem);
    await writeFile(join(dir, 'server.pem'), server.certPem);
    await writeFile(join(dir, 'server-key.pem'), server.keyPem);
  });
  after(async () => {
    for (const s of running) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(extra: string): Promise<{ url: string; log: () => string }> {
    const cfg = join(dir, `listener-${running.length}.hcl`);
    await writeFile(
      cfg,
      `listener "tcp" {\n address = "127.0.0.1:0"\n tls_cert_file = "${join(dir, 'server.pem')}"\n tls_key_file = "${join(dir, 'server-key.pem')}"\n${extra}\n}\n`,
    );
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', configPaths: [cfg], stdout, stderr: quiet(), env: {}, drainTimeoutMs: 500 });
    running.push(srv);
    return { url: srv.addresses[1]!, log: () => out };
  }

  it('tls_require_and_verify_client_cert refuses a client without a certificate, or with one from another CA', async () => {
    const { url, log } = await start(` tls_require_and_verify_client_cert = true\n tls_client_ca_file = "${join(dir, 'ca.pem')}"`);
    assert.doesNotMatch(log(), /not supported/);
    assert.equal((await get(url, { ca: ca.certPem, cert: client.certPem, key: client.keyPem })).status, 200);
    await assert.rejects(get(url, { ca: ca.certPem }));
    await assert.rejects(get(url, { ca: ca.certPem, cert: rogue.certPem, key: rogue.keyPem }));
  });

  it('tls_cipher_suites limits TLS 1.2 to the named suites; the default offers ECDHE with AEAD only', async () => {
    const named = await start(' tls_cipher_suites = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"');
    assert.equal((await get(named.url, { ca: ca.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).status, 200);
    await assert.rejects(get(named.url, { ca: ca.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }));
    const plain = await start('');
    assert.equal((await get(plain.url, { ca: ca.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })).status, 200);
    await assert.rejects(get(plain.url, { ca: ca.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA' }));
    assert.equal((await get(plain.url, { ca: ca.certPem })).status, 200, 'TLS 1.3 still works');
  });

  it('an unknown or weak cipher suite name refuses to start', async () => {
    for (const name of ['TLS_RSA_WITH_AES_128_CBC_SHA', 'NOT_A_SUITE']) {
      await assert.rejects(start(` tls_cipher_suites = "${name}"`), (err: Error) => err instanceof ConfigError && err.message.includes(name));
    }
  });

  it('tls_max_version = "tls12" refuses a client that only speaks TLS 1.3', async () => {
    const { url } = await start(' tls_max_version = "tls12"');
    assert.equal((await get(url, { ca: ca.certPem })).status, 200);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = httpsRequest(`${url}/v1/sys/health`, { ca: ca.certPem, minVersion: 'TLSv1.3', agent: false }, resolve);
        req.on('error', reject);
        req.end();
      }),
    );
  });

  it('http_read_timeout closes a connection whose body never finishes', async () => {
    const cfg = join(dir, 'read-timeout.hcl');
    await writeFile(cfg, 'listener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n http_read_timeout = "400ms"\n http_idle_timeout = "2s"\n}\n');
    const srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', configPaths: [cfg], stdout: quiet(), stderr: quiet(), env: {}, drainTimeoutMs: 500 });
    running.push(srv);
    const u = new URL(srv.addresses[1]!);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const s = netConnect(Number(u.port), u.hostname, () => s.write('PUT /v1/secret/data/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"da'));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
      setTimeout(() => reject(new Error('the connection stayed open')), 10_000).unref();
    });
    assert.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  it('http_read_header_timeout closes a connection whose headers never finish', async () => {
    const cfg = join(dir, 'plain.hcl');
    await writeFile(cfg, 'listener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n http_read_header_timeout = "300ms"\n}\n');
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', configPaths: [cfg], stdout, stderr: quiet(), env: {}, drainTimeoutMs: 500 });
    running.push(srv);
    assert.doesNotMatch(out, /not supported/);
    const u = new URL(srv.addresses[1]!);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const s = netConnect(Number(u.port), u.hostname, () => s.write('GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n'));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
      setTimeout(() => reject(new Error('the connection stayed open')), 10_000).unref();
    });
    assert.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  });
});
