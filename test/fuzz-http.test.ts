import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { runServer, type RunningServer } from '@strongroom/server';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { request, type FuzzRequest } from './helpers/fuzz-requests.js';
import { call, raw, type Reply } from './helpers/http.js';

// The HTTP API as a property: whatever a client sends (any method including LIST, encoded and traversing paths, odd
// headers, every JSON shape with __proto__/constructor keys, deep nesting, invalid UTF-8, gzip lies), the answer
// is a 2xx, a 3xx or a 4xx in Vault's `{"errors":[...]}` shape, never a 5xx (no storage outage here), never the
// data folder's path, and the node keeps serving. CI runs a fixed seed and a few hundred requests;
// STRONGROOM_FUZZ_RUNS=20000 (and optionally STRONGROOM_FUZZ_SEED) runs a long campaign.

const TOTAL_RUNS = Number(process.env.STRONGROOM_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.STRONGROOM_FUZZ_SEED ?? 20261203);
const BATCH = 50;

interface Target {
  url: string;
  root: string;
  /** Strings no answer may contain. */
  secrets: string[];
}

interface Tally {
  requests: number;
  byClass: Record<string, number>;
  crashes: number;
}

async function prepare(url: string, root: string): Promise<void> {
  const ok = (r: Reply) => assert.ok(r.status < 300, `${r.status} ${r.text}`);
  ok(await call(url, 'POST', '/v1/sys/mounts/kv1', { token: root, body: { type: 'kv', options: { version: '1' } } }));
  ok(await call(url, 'POST', '/v1/sys/auth/userpass', { token: root, body: { type: 'userpass' } }));
  ok(await call(url, 'POST', '/v1/sys/auth/approle', { token: root, body: { type: 'approle' } }));
  ok(await call(url, 'PUT', '/v1/auth/userpass/users/alice', { token: root, body: { password: 'pw', policies: ['default'] } }));
  ok(await call(url, 'PUT', '/v1/kv1/canary', { token: root, body: { alive: 'yes' } }));
}

function problemWith(r: Reply, req: FuzzRequest, t: Target): string | null {
  for (const s of t.secrets) if (r.text.includes(s) || JSON.stringify(r.headers).includes(s)) return `answer discloses ${s}`;
  if (r.status >= 200 && r.status < 400) return null;
  if (r.status >= 400 && r.status < 500) {
    // HEAD answers carry no body.
    if (req.method === 'HEAD') return null;
    if (r.body && typeof r.body === 'object' && Array.isArray(r.body.errors)) return null;
    // Vault's own answer to a kv v2 path outside data/, metadata/...: a 404 response carrying a warning.
    if (r.status === 404 && r.body && Array.isArray(r.body.warnings) && r.body.warnings.length) return null;
    return `${r.status} without {"errors":[...]}: ${r.text.slice(0, 200)}`;
  }
  return `status ${r.status}: ${r.text.slice(0, 300)}`;
}

function describeReq(req: FuzzRequest): string {
  const body = req.body ? JSON.stringify(req.body.subarray(0, 120).toString('latin1')) : '<none>';
  return `${req.method} ${req.target.slice(0, 200)} token=${req.token} headers=${JSON.stringify(req.headers)} body=${body}`;
}

async function health(t: Target): Promise<void> {
  const r = await call(t.url, 'GET', '/v1/sys/health');
  assert.equal(r.status, 200, `node stopped serving: ${r.status} ${r.text}`);
  const read = await call(t.url, 'GET', '/v1/kv1/canary', { token: t.root });
  assert.equal(read.status, 200, `canary unreadable: ${read.status} ${read.text}`);
}

async function campaign(ctx: TestContext, t: Target, runs: number, seed: number): Promise<Tally> {
  const tally: Tally = { requests: 0, byClass: {}, crashes: 0 };
  await fc.assert(
    fc.asyncProperty(request, async (req) => {
      const token = req.token === 'root' ? t.root : req.token === 'garbage' ? 'hvs.notatoken' : undefined;
      let r: Reply;
      try {
        r = await raw(t.url, req.method, req.target, { ...(token ? { token } : {}), headers: req.headers, ...(req.body ? { body: req.body } : {}) });
      } catch (err) {
        tally.crashes++;
        throw new Error(`no answer (${(err as Error).message}) to ${describeReq(req)}`, { cause: err });
      }
      tally.requests++;
      const cls = `${Math.floor(r.status / 100)}xx`;
      tally.byClass[cls] = (tally.byClass[cls] ?? 0) + 1;
      if (process.env.STRONGROOM_FUZZ_LOG) process.stderr.write(`${r.status} ${req.method} ${req.target.slice(0, 100)} ${r.text.slice(0, 100)}\n`);
      const p = problemWith(r, req, t);
      if (p) throw new Error(`${p}\n  request: ${describeReq(req)}`);
      if (tally.requests % BATCH === 0) await health(t);
    }),
    { numRuns: runs, seed, endOnFailure: process.env.STRONGROOM_FUZZ_SHRINK ? false : true },
  );
  await health(t);
  ctx.diagnostic(`${runs} runs, seed ${seed}: ${JSON.stringify(tally)}`);
  return tally;
}

describe('generated HTTP requests', { timeout: Math.max(120_000, TOTAL_RUNS * 60) }, () => {
  let dev: TestServer;
  let file: RunningServer;
  let fileRoot = '';
  let tmp = '';
  let data = '';
  const quiet = new PassThrough().resume();

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-fuzz-'));
    data = path.join(tmp, 'data');
    const config = path.join(tmp, 'server.hcl');
    writeFileSync(config, `storage "file" { path = "${data}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\ndisable_mlock = true\n`);
    file = await runServer({ configPaths: [config], stdout: quiet, stderr: quiet, env: {}, drainTimeoutMs: 1000 });
    const url = file.addresses[0]!;
    const init = await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(init.status, 200, init.text);
    const unseal = await call(url, 'PUT', '/v1/sys/unseal', { body: { key: init.body.keys[0] } });
    assert.equal(unseal.body.sealed, false, unseal.text);
    fileRoot = init.body.root_token;
    await prepare(url, fileRoot);
    dev = await startTestServer();
    await prepare(dev.url, dev.rootToken);
  });
  after(async () => {
    await dev?.close();
    await file?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const secrets = () => [...new Set([tmp, data, realpathSync(tmp), os.tmpdir() === '/tmp' ? tmp : realpathSync(os.tmpdir())])];

  it('a dev node answers every request with a 2xx, 3xx or a 4xx in Vault shape and keeps serving', async (ctx) => {
    await campaign(ctx, { url: dev.url, root: dev.rootToken, secrets: secrets() }, Math.ceil(TOTAL_RUNS / 2), SEED);
  });

  it('a file-backed node does the same and never discloses its data folder', async (ctx) => {
    await campaign(ctx, { url: file.addresses[0]!, root: fileRoot, secrets: secrets() }, Math.ceil(TOTAL_RUNS / 2), SEED + 1);
  });
});
