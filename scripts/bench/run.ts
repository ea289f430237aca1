// `npm run bench [-- --quick] [--duration N] [--connections N] [--drills N]`: Strongroom against baselines measured
// in the same run on this machine. Absolute numbers vary between runs and machines; compare the ratios.
import { execFileSync, spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, startPostgres, type PostgresServer } from '@strongroom/core/testing';
import { consulVersion, findConsul, startConsulDev } from '@strongroom/storage/testing';
import { initAndUnseal, sleep, startNodes, stopNodes, unseal, waitForActive, type StrongroomNode } from '../../test/helpers/strongroom-cluster.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  const a = args[i]!;
  return Number(a.includes('=') ? a.split('=')[1] : args[i + 1]);
};
const quick = args.includes('--quick');
const duration = flag('duration', quick ? 3 : 10);
const connections = flag('connections', 10);
const drills = flag('drills', quick ? 1 : 5);
const memWrites = flag('mem-writes', quick ? 10_000 : 100_000);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}
interface Row extends Result {
  name: string;
  baseline?: string;
  ratio?: number;
  note?: string;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};

function child(cmd: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, cmd, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${cmd.join(' ')} exited ${code}${input ?? ''}`))));
  });
}

async function load(o: Record<string, unknown>): Promise<Result> {
  const opts: Record<string, unknown> = { connections, ...o };
  if (!opts.amount) opts.duration ??= duration;
  const out = await child([path.join(here, 'load.mjs'), JSON.stringify(opts)]);
  return JSON.parse(out.split('\n').pop()!) as Result;
}

function record(name: string, r: Result, baseline?: string, note?: string): void {
  const row: Row = { name, ...r, baseline, note };
  if (baseline) {
    const b = rows.find((x) => x.name === baseline)!;
    row.ratio = r.rps / b.rps;
  }
  rows.push(row);
  const ratio = row.ratio === undefined ? '' : `  ${row.ratio.toFixed(2)}x ${baseline}`;
  console.log(`  ${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms${ratio}${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`);
}

function cryptoFloor(seconds: number, size: number): Result {
  const key = randomBytes(32);
  const payload = randomBytes(size);
  const lat: number[] = [];
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const t = process.hrtime.bigint();
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      c.setAAD(Buffer.from('logical/bench/key'));
      c.update(payload);
      c.final();
      c.getAuthTag();
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  lat.sort((a, b) => a - b);
  return { rps: lat.length / ((Date.now() - started) / 1000), p50: lat[Math.floor(lat.length / 2)]!, p99: lat[Math.floor(lat.length * 0.99)]!, requests: lat.length, non2xx: 0, errors: 0 };
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function writeOk(node: StrongroomNode, token: string, i: number): Promise<boolean> {
  const r = await node.http('POST', '/v1/secret/data/failover', { data: { i } }, { 'x-vault-token': token }).catch(() => null);
  return r?.status === 200;
}

/** Time from the disruption until some other node accepts a write. */
async function gapUntilWrite(nodes: StrongroomNode[], token: string, except: number, started: number): Promise<number> {
  for (let i = 0; ; i++) {
    for (const n of nodes) {
      if (n.index === except || !n.alive) continue;
      if (await writeOk(n, token, i)) return Date.now() - started;
    }
    if (Date.now() - started > 60_000) throw new Error('no write accepted within 60 s of the disruption');
    await sleep(25);
  }
}

/**
 * `database creds`: each operation issues a PostgreSQL user (creds/<role>: CREATE ROLE in a transaction, a lease)
 * and revokes it (DROP ROLE, the lease removed), from `workers` concurrent clients for `seconds`.
 */
async function databaseCreds(node: StrongroomNode, token: string, seconds: number, workers: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const auth = { 'x-vault-token': token };
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const issued = await node.http('GET', '/v1/database/creds/bench', undefined, auth).catch(() => null);
        const revoked = issued?.status === 200 ? await node.http('PUT', '/v1/sys/leases/revoke', { lease_id: issued.body.lease_id }, auth).catch(() => null) : null;
        if (revoked?.status === 204) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), requests: latencies.length, non2xx: errors, errors };
}

async function main(): Promise<void> {
  // The same Consul the tests use: found, or built and cached on first use.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'consul', 'ensure.mjs')], { stdio: 'inherit' });
  const cores = os.cpus().length;
  const consulBin = findConsul();
  console.log(`Strongroom benchmark${quick ? ' (--quick)' : ''}: ${cores} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, ${consulVersion()} at ${consulBin}`);
  console.log(`duration ${duration}s per scenario, ${connections} connections. Absolute numbers vary between runs; compare the ratios.\n`);
  results.machine = { cores, node: process.version, consul: consulVersion(), quick, duration, connections };

  console.log('Baselines');
  const expressProc = spawn(process.execPath, [path.join(here, 'express-baseline.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((r) => expressProc.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
  record('express: bare handler', await load({ url: `http://127.0.0.1:${port}/fixed` }));
  expressProc.kill();
  record('crypto: AES-256-GCM encrypt 100 B', cryptoFloor(Math.min(duration, 3), 100));

  const consul = await startConsulDev();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-'));
  let nodes: StrongroomNode[] = [];
  let pgServer: PostgresServer | null = null;
  try {
    const consulLoad = (mode: string, size: number) =>
      child(['--conditions=source', '--import', 'tsx', path.join(here, 'consul-load.ts'), JSON.stringify({ address: consul.addresses[0], mode, connections, duration, size })]).then(
        (o) => JSON.parse(o.split('\n').pop()!) as Result,
      );
    record('consul: raw KV GET', await consulLoad('get', 100));
    record('consul: raw one-op txn PUT', await consulLoad('txn', 100));

    console.log('\nStrongroom (3 nodes over Consul; writes spread over 1000 keys unless marked)');
    nodes = await startNodes(consul, 3);
    const { keys, rootToken } = await initAndUnseal(nodes);
    const active = await waitForActive(nodes);
    const A = nodes[active]!;
    const S = nodes.find((n) => n.index !== active)!;
    const auth = { 'x-vault-token': rootToken, 'content-type': 'application/json' };
    await A.http('POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } }, auth);
    const small = JSON.stringify({ data: { value: 'x'.repeat(100 - 14) } });
    const big = JSON.stringify({ data: { value: 'x'.repeat(4096 - 14) } });
    await A.http('POST', '/v1/secret/data/small', JSON.parse(small), auth);
    await A.http('POST', '/v1/secret/data/big', JSON.parse(big), auth);
    // Logins hash the password (scrypt) and store a token and its lease: CPU-bound by design, so few per second.
    for (const [p, body] of [
      ['/v1/sys/auth/userpass', { type: 'userpass' }],
      ['/v1/auth/userpass/users/bench', { password: 'bench-password', token_policies: 'default' }],
      ['/v1/sys/mounts/transit', { type: 'transit' }],
      ['/v1/transit/keys/bench', {}],
    ] as const) {
      const r = await A.http('POST', p, body, auth);
      if (r.status >= 300) throw new Error(`bench setup: POST ${p} answered ${r.status}`);
    }
    const loginBody = JSON.stringify({ password: 'bench-password' });
    const encryptBody = JSON.stringify({ plaintext: randomBytes(100).toString('base64') });

    const scenarios = async (suffix: string) => {
      record(`kv v2 read 100 B (cached)${suffix}`, await load({ url: `${A.apiAddr}/v1/secret/data/small`, headers: auth }), 'express: bare handler');
      record(`kv v2 read 4 KiB (cached)${suffix}`, await load({ url: `${A.apiAddr}/v1/secret/data/big`, headers: auth }), 'express: bare handler');
      record(`kv v2 write 100 B${suffix}`, await load({ url: `${A.apiAddr}/v1/secret/data/w-small`, method: 'POST', headers: auth, body: small, keys: 1000 }), 'consul: raw one-op txn PUT');
      record(`kv v2 write 4 KiB${suffix}`, await load({ url: `${A.apiAddr}/v1/secret/data/w-big`, method: 'POST', headers: auth, body: big, keys: 1000 }), 'consul: raw one-op txn PUT');
      record(`kv v2 write 100 B, one key${suffix}`, await load({ url: `${A.apiAddr}/v1/secret/data/w-one`, method: 'POST', headers: auth, body: small }), 'consul: raw one-op txn PUT', 'same-key writes are serialised (check-and-set)');
      record(`userpass login${suffix}`, await load({ url: `${A.apiAddr}/v1/auth/userpass/login/bench`, method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody }), 'consul: raw one-op txn PUT', 'scrypt per login');
      record(`transit encrypt 100 B${suffix}`, await load({ url: `${A.apiAddr}/v1/transit/encrypt/bench`, method: 'POST', headers: auth, body: encryptBody }), 'express: bare handler');
      record(`token create${suffix}`, await load({ url: `${A.apiAddr}/v1/auth/token/create`, method: 'POST', headers: auth, body: JSON.stringify({ ttl: '1h', policies: ['default'] }) }), 'consul: raw one-op txn PUT');
    };
    await scenarios('');

    if (postgresAvailable()) {
      pgServer = await startPostgres();
      const setup = [
        ['/v1/sys/mounts/database', { type: 'database' }],
        ['/v1/database/config/pg', { plugin_name: 'postgresql-database-plugin', connection_url: pgServer.connectionUrl, username: pgServer.superuser, password: pgServer.password, allowed_roles: ['bench'] }],
        ['/v1/database/roles/bench', { db_name: 'pg', creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`], default_ttl: '1h' }],
      ] as const;
      for (const [p, body] of setup) {
        const r = await A.http('POST', p, body, auth);
        if (r.status >= 300) throw new Error(`bench setup: POST ${p} answered ${r.status}: ${r.text}`);
      }
      record('database creds (issue + revoke)', await databaseCreds(A, rootToken, duration, Math.min(connections, 4)), 'consul: raw one-op txn PUT', 'a PostgreSQL CREATE ROLE and DROP ROLE per operation');
    } else {
      console.log('  database creds: skipped (PostgreSQL binaries not installed)');
    }
    const forwarded = await load({ url: `${S.apiAddr}/v1/secret/data/small`, headers: auth });
    record('kv v2 read 100 B via standby (forwarded)', forwarded, 'express: bare handler');
    record('kv v2 write 100 B via standby (forwarded)', await load({ url: `${S.apiAddr}/v1/secret/data/w-fwd`, method: 'POST', headers: auth, body: small, keys: 1000 }), 'consul: raw one-op txn PUT');
    // Unloaded latency (one connection): the cost of the extra hop itself, not of sharing two cores three ways.
    const direct1 = await load({ url: `${A.apiAddr}/v1/secret/data/small`, headers: auth, connections: 1 });
    const forwarded1 = await load({ url: `${S.apiAddr}/v1/secret/data/small`, headers: auth, connections: 1 });
    record('kv v2 read 100 B, 1 connection', direct1, 'express: bare handler');
    record('kv v2 read 100 B via standby, 1 connection', forwarded1, 'express: bare handler');
    const mean = (r: Result) => 1000 / r.rps;
    results.forwarding = { directMeanMs: mean(direct1), forwardedMeanMs: mean(forwarded1), latencyRatio: mean(forwarded1) / mean(direct1), loadedP50: { direct: rows.find((r) => r.name === 'kv v2 read 100 B (cached)')!.p50, forwarded: forwarded.p50 } };
    console.log(`  forwarded/direct latency, one connection: ${(mean(forwarded1) / mean(direct1)).toFixed(2)}x (${mean(forwarded1).toFixed(2)} ms vs ${mean(direct1).toFixed(2)} ms mean)`);

    const auditFile = path.join(tmp, 'audit.log');
    const en = await A.http('PUT', '/v1/sys/audit/file', { type: 'file', options: { file_path: auditFile } }, auth);
    if (en.status < 300) {
      console.log('\nWith a file audit device');
      await scenarios(' +audit');
      for (const name of ['kv v2 read 100 B (cached)', 'kv v2 write 100 B']) {
        const without = rows.find((r) => r.name === name)!;
        const withAudit = rows.find((r) => r.name === `${name} +audit`)!;
        console.log(`  audit cost on ${name}: ${((1 - withAudit.rps / without.rps) * 100).toFixed(1)}%`);
      }
      await A.http('DELETE', '/v1/sys/audit/file', undefined, auth);
    }

    console.log('\nMemory');
    const pid = A.process.pid!;
    const before = rssKiB(pid);
    await load({ url: `${A.apiAddr}/v1/secret/data/mem`, method: 'POST', headers: auth, body: small, amount: memWrites, keys: memWrites });
    const afterKiB = rssKiB(pid);
    results.memory = { writes: memWrites, rssBeforeMiB: before / 1024, rssAfterMiB: afterKiB / 1024 };
    console.log(`  RSS of the active: ${(before / 1024).toFixed(1)} MiB before, ${(afterKiB / 1024).toFixed(1)} MiB after ${memWrites} kv writes`);

    console.log(`\nFailover (3 nodes, median of ${drills})`);
    const failover: Record<string, number[]> = { 'step-down': [], 'kill -9': [], SIGSTOP: [] };
    for (let d = 0; d < drills; d++) {
      for (const kind of Object.keys(failover)) {
        const cur = await waitForActive(nodes);
        const node = nodes[cur]!;
        const started = Date.now();
        if (kind === 'step-down') await node.http('PUT', '/v1/sys/step-down', undefined, auth);
        else if (kind === 'kill -9') node.kill('SIGKILL');
        else node.kill('SIGSTOP');
        failover[kind]!.push(await gapUntilWrite(nodes, rootToken, cur, started));
        if (kind === 'kill -9') {
          await node.start();
          await unseal(node, keys);
        } else if (kind === 'SIGSTOP') {
          node.kill('SIGCONT');
        }
        await sleep(500);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    results.failover = Object.fromEntries(Object.entries(failover).map(([k, v]) => [k, { medianMs: median(v), samples: v }]));
    for (const [k, v] of Object.entries(failover)) console.log(`  ${k.padEnd(10)} median ${median(v)} ms  (${v.join(', ')})`);
  } finally {
    await stopNodes(nodes).catch(() => undefined);
    await pgServer?.stop();
    await consul.stop();
    rmSync(tmp, { recursive: true, force: true });
  }

  results.rows = rows;
  mkdirSync(path.join(root, 'bench'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2));
  console.log('\nRatios (Strongroom / baseline, requests per second):');
  for (const r of rows.filter((x) => x.ratio !== undefined)) console.log(`  ${r.name.padEnd(44)} ${r.ratio!.toFixed(2)}x ${r.baseline}`);
  console.log(`\nwritten to bench/results.json; git ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()}`);
}

await main();
