// A newcomer's first steps with the CLI alone: start a file-backed server, init, unseal, enable kv v2, put, get.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { freePorts } from '@strongroom/storage/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'packages', 'cli', 'bin', 'strongroom.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let configPath: string;
let addr: string;
let server: ChildProcess | null = null;
let serverOutput = '';

/** The environment of a shell with nothing Vault-related set but what the test gives. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VAULT_') && !k.startsWith('BAO_')) env[k] = v;
  // The token helper writes ~/.vault-token: keep it in the test's folder.
  return { ...env, HOME: dir, VAULT_ADDR: addr, ...extra };
}

function cli(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: cleanEnv(extra), timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit code and output in a failure message, so a broken command says what it printed. */
function show(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- server\n${serverOutput.slice(-3000)}`;
}

/** A value of the key/value table the CLI prints (`Sealed    true`). */
function field(out: string, key: string): string | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${key} `));
  return line?.slice(key.length).trim();
}

async function startServer(): Promise<void> {
  serverOutput = '';
  const child = spawn(process.execPath, [bin, 'server', `-config=${configPath}`], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv({}) });
  server = child;
  child.stdout!.on('data', (d: Buffer) => (serverOutput += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (serverOutput += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    assert.equal(child.exitCode, null, `server exited during start:\n${serverOutput}`);
    const up = await fetch(`${addr}/v1/sys/seal-status`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    assert.ok(Date.now() < deadline, `server not listening within 30 s:\n${serverOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, as an operator's Ctrl-C or a service manager does; resolves with the exit code. */
async function stopServer(): Promise<number | null> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strongroom-newcomer-'));
  const [port] = (await freePorts(1)) as [number];
  addr = `http://127.0.0.1:${port}`;
  configPath = path.join(dir, 'server.hcl');
  await writeFile(
    configPath,
    `storage "file" {
  path = "${path.join(dir, 'data')}"
}
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_disable = true
}
api_addr = "${addr}"
disable_mlock = true
`,
  );
  await startServer();
});

after(async () => {
  await stopServer();
  await rm(dir, { recursive: true, force: true });
});

test('a newcomer initializes, unseals and uses a file-backed node with the CLI alone', async () => {
  const fresh = await cli(['status']);
  assert.equal(fresh.code, 2, show(fresh));
  assert.equal(field(fresh.stdout, 'Initialized'), 'false', show(fresh));

  const init = await cli(['operator', 'init', '-key-shares=5', '-key-threshold=3', '-format=json']);
  assert.equal(init.code, 0, show(init));
  const out = JSON.parse(init.stdout);
  assert.equal(out.unseal_keys_b64.length, 5);
  assert.equal(out.unseal_keys_hex.length, 5);
  assert.equal(out.unseal_shares, 5);
  assert.equal(out.unseal_threshold, 3);
  assert.equal(typeof out.root_token, 'string');
  const keys: string[] = out.unseal_keys_b64;
  const token: string = out.root_token;

  const sealed = await cli(['status']);
  assert.equal(sealed.code, 2, show(sealed));
  assert.equal(field(sealed.stdout, 'Sealed'), 'true', show(sealed));
  assert.equal(field(sealed.stdout, 'Unseal Progress'), '0/3', show(sealed));

  let nonce = '';
  for (const [i, key] of [keys[0]!, out.unseal_keys_hex[3] as string, keys[1]!].entries()) {
    const r = await cli(['operator', 'unseal', key]);
    assert.equal(r.code, 0, show(r));
    if (i < 2) {
      assert.equal(field(r.stdout, 'Sealed'), 'true', show(r));
      assert.equal(field(r.stdout, 'Unseal Progress'), `${i + 1}/3`, show(r));
      const n = field(r.stdout, 'Unseal Nonce') ?? '';
      if (i === 0) nonce = n;
      else assert.equal(n, nonce, 'one unseal attempt across the three commands');
    } else {
      assert.equal(field(r.stdout, 'Sealed'), 'false', show(r));
    }
  }
  const unsealed = await cli(['status']);
  assert.equal(unsealed.code, 0, show(unsealed));
  assert.equal(field(unsealed.stdout, 'Sealed'), 'false', show(unsealed));

  const withToken = { VAULT_TOKEN: token };
  const enable = await cli(['secrets', 'enable', '-path=secret', 'kv-v2'], withToken);
  assert.equal(enable.code, 0, show(enable));
  assert.match(enable.stdout, /Success! Enabled the kv-v2 secrets engine at: secret\//);

  const put = await cli(['kv', 'put', 'secret/newcomer', 'password=hunter2', 'user=ada'], withToken);
  assert.equal(put.code, 0, show(put));
  assert.equal(field(put.stdout, 'version'), '1', show(put));

  const get = await cli(['kv', 'get', '-format=json', 'secret/newcomer'], withToken);
  assert.equal(get.code, 0, show(get));
  assert.deepEqual(JSON.parse(get.stdout).data.data, { password: 'hunter2', user: 'ada' });
  const table = await cli(['kv', 'get', 'secret/newcomer'], withToken);
  assert.equal(table.code, 0, show(table));
  assert.equal(field(table.stdout, 'password'), 'hunter2', show(table));
  const one = await cli(['kv', 'get', '-field=password', 'secret/newcomer'], withToken);
  assert.equal(one.code, 0, show(one));
  assert.equal(one.stdout.trim(), 'hunter2');

  const missing = await cli(['kv', 'get', 'secret/nothing-here'], withToken);
  assert.equal(missing.code, 2, show(missing));
  assert.match(missing.stderr + missing.stdout, /No value found at secret\/data\/nothing-here/);
  const noToken = await cli(['kv', 'get', 'secret/newcomer']);
  assert.notEqual(noToken.code, 0, show(noToken));
  assert.match(noToken.stderr, /403/, show(noToken));

  // A restart leaves the node sealed, and the same shares (through the same commands) open it with the data.
  assert.equal(await stopServer(), 0, serverOutput);
  await startServer();
  const again = await cli(['status']);
  assert.equal(again.code, 2, show(again));
  for (const key of keys.slice(2, 5)) assert.equal((await cli(['operator', 'unseal', key])).code, 0);
  assert.equal((await cli(['status'])).code, 0);
  const after = await cli(['kv', 'get', '-field=user', 'secret/newcomer'], withToken);
  assert.equal(after.code, 0, show(after));
  assert.equal(after.stdout.trim(), 'ada');
});
