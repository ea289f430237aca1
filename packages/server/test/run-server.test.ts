import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ConfigError, runServer, type RunningServer } from '../src/index.js';

/** Collects what a server prints. */
function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

// Response bodies are checked field by field against Vault's shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const r = await fetch(url, init);
  const t = await r.text();
  return { status: r.status, body: t === '' ? undefined : JSON.parse(t) };
}

describe('runServer with a configuration file', () => {
  let dir: string;
  let configPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-server-'));
    configPath = join(dir, 'server.hcl');
    await writeFile(
      configPath,
      `
storage "file" { path = "${join(dir, 'data')}" }
listener "tcp" {
  address = "127.0.0.1:0"
  tls_disable = true
  telemetry { unauthenticated_metrics_access = true }
}
telemetry { prometheus_retention_time = "1h" }
log_level = "warn"
`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the banner, initializes, unseals, keeps data across restarts', async () => {
    const out = capture();
    let srv: RunningServer = await runServer({ configPaths: [configPath], stdout: out.stream, env: {} });
    const url = srv.addresses[0]!;
    try {
      const banner = out.text();
      assert.match(banner, /^==> Strongroom server configuration:\n\n/);
      assert.match(banner, /\n {17}Storage: file \(HA disabled\)\n/);
      assert.match(banner, /\n {13}Api Address: http:\/\/127\.0\.0\.1:\d+\n/);
      assert.match(banner, /\n {14}Listener 1: tcp \(addr: "127\.0\.0\.1:\d+", cluster address: "127\.0\.0\.1:\d+", max_request_size: "33554432", tls: "disabled"\)\n/);
      assert.match(banner, /\n {15}Log Level: warn\n/);
      assert.match(banner, /==> Strongroom server started! Log data will stream in below:/);

      assert.equal((await fetch(`${url}/v1/sys/health`)).status, 501);
      const init = await json(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }) });
      assert.equal(init.status, 200);
      const key = init.body.keys_base64[0] as string;
      const token = init.body.root_token as string;
      assert.equal((await fetch(`${url}/v1/sys/health`)).status, 503);
      assert.equal((await json(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) })).body.sealed, false);
      await srv.node.waitActive();
      assert.equal((await fetch(`${url}/v1/sys/health`)).status, 200);
      const mount = await fetch(`${url}/v1/sys/mounts/kv`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: '{"type":"kv"}' });
      assert.equal(mount.status, 204);
      assert.equal((await fetch(`${url}/v1/kv/kept`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: '{"v":"1"}' })).status, 204);

      // Prometheus text, without a token thanks to the listener's unauthenticated_metrics_access.
      const prom = await fetch(`${url}/v1/sys/metrics?format=prometheus`);
      assert.equal(prom.status, 200);
      const text = await prom.text();
      assert.match(text, /^vault_core_unsealed 1$/m);
      assert.match(text, /^vault_http_requests_total\{method="PUT",code="200"\} \d+$/m);

      await srv.close();
      await srv.closed;
      await assert.rejects(fetch(`${url}/v1/sys/health`));

      srv = await runServer({ configPaths: [configPath], stdout: capture().stream, env: {} });
      const url2 = srv.addresses[0]!;
      assert.equal((await fetch(`${url2}/v1/sys/health`)).status, 503);
      await json(`${url2}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
      await srv.node.waitActive();
      const kept = await json(`${url2}/v1/kv/kept`, { headers: { 'X-Vault-Token': token } });
      assert.deepEqual(kept.body.data, { v: '1' });
    } finally {
      await srv.close();
    }
  });

  it('reloads the log level on SIGHUP and dumps telemetry on SIGUSR1', async () => {
    const errOut = capture();
    const hupBefore = process.listenerCount('SIGHUP');
    const srv = await runServer({ configPaths: [configPath], stdout: capture().stream, stderr: errOut.stream, installSignalHandlers: true, env: {} });
    try {
      assert.equal(process.listenerCount('SIGHUP'), hupBefore + 1);
      assert.equal(srv.logger.level(), 'warn');
      await writeFile(configPath, (await readFile(configPath, 'utf8')).replace('log_level = "warn"', 'log_level = "debug"'));
      process.emit('SIGHUP');
      await waitFor(() => srv.logger.level() === 'debug');

      process.emit('SIGUSR1');
      await waitFor(() => errOut.text().includes('vault_core_unsealed'));
      assert.match(errOut.text(), /==> Strongroom telemetry dump/);
      assert.match(errOut.text(), /^sealed: true$/m);
    } finally {
      await srv.close();
      await writeFile(configPath, (await readFile(configPath, 'utf8')).replace('log_level = "debug"', 'log_level = "warn"'));
    }
    assert.equal(process.listenerCount('SIGHUP'), hupBefore);
  });

  it('fails with a ConfigError naming the address when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const cfg = join(dir, 'taken.hcl');
    await writeFile(cfg, `storage "inmem" {}\nlistener "tcp" {\n address = "127.0.0.1:${port}"\n tls_disable = true\n}\n`);
    try {
      await assert.rejects(runServer({ configPaths: [cfg], stdout: capture().stream, env: {} }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /cannot listen/);
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it('refuses to start without a configuration', async () => {
    await assert.rejects(runServer({ stdout: capture().stream, env: {} }), ConfigError);
  });
});

describe('runServer in dev mode', () => {
  it('prints the unseal key and the chosen root token, and logs no secrets', async () => {
    const out = capture();
    const srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', devRootTokenId: 'dev-root', logLevel: 'trace', stdout: out.stream, env: {} });
    try {
      assert.equal(srv.rootToken, 'dev-root');
      const url = srv.addresses[0]!;
      assert.match(out.text(), /\nUnseal Key: \S{40,}\nRoot Token: dev-root\n/);
      assert.match(out.text(), /\n {17}Storage: inmem/);
      const before = out.text().length;
      const put = await fetch(`${url}/v1/secret/data/logged`, {
        method: 'POST',
        headers: { 'X-Vault-Token': 'dev-root' },
        body: JSON.stringify({ data: { password: 'never-in-a-log-line' } }),
      });
      assert.equal(put.status, 200);
      const created = await json(`${url}/v1/auth/token/create`, { method: 'POST', headers: { 'X-Vault-Token': 'dev-root' }, body: '{}' });
      await fetch(`${url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': created.body.auth.client_token } });
      const logs = out.text().slice(before);
      assert.match(logs, /http request/);
      assert.ok(!logs.includes('never-in-a-log-line'));
      assert.ok(!logs.includes('dev-root'));
      assert.ok(!logs.includes(created.body.auth.client_token));
    } finally {
      await srv.close();
    }
  });

  it('writes JSON log lines when log_format is json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strongroom-server-'));
    const cfg = join(dir, 'log.hcl');
    await writeFile(cfg, 'log_format = "json"\n');
    const out = capture();
    const srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', configPaths: [cfg], stdout: out.stream, env: {} });
    try {
      const line = out.text().split('\n').find((l) => l.startsWith('{'));
      assert.ok(line);
      const entry = JSON.parse(line);
      assert.equal(typeof entry.message, 'string');
      assert.equal(typeof entry.level, 'string');
      assert.equal(typeof entry.timestamp, 'string');
    } finally {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('runServer with a TLS listener', { skip: !hasOpenssl() && 'openssl is not installed' }, () => {
  let dir: string;
  let srv: RunningServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const cfg = join(dir, 'tls.hcl');
    await writeFile(cfg, `listener "tcp" {\n address = "127.0.0.1:0"\n tls_cert_file = "${join(dir, 'cert.pem')}"\n tls_key_file = "${join(dir, 'key.pem')}"\n}\n`);
    srv = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', configPaths: [cfg], stdout: capture().stream, env: {} });
  });
  after(async () => {
    await srv.close();
    await rm(dir, { recursive: true, force: true });
  });

  function tlsCall(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${srv.addresses[1]}${path}`,
        { method, rejectUnauthorized: false, headers: { 'X-Vault-Token': srv.rootToken! } },
        (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: b }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves HTTPS next to the dev listener, LIST included', async () => {
    assert.match(srv.addresses[1]!, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await tlsCall('POST', '/v1/secret/data/tls/a', '{"data":{"x":1}}')).status, 200);
    const listed = await tlsCall('LIST', '/v1/secret/metadata/tls');
    assert.equal(listed.status, 200);
    assert.deepEqual(JSON.parse(listed.body).data.keys, ['a']);
    await srv.reload();
    assert.equal((await tlsCall('GET', '/v1/secret/data/tls/a')).status, 200);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
