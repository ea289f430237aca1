// HTTP and raw-storage helpers for the end-to-end seal tests: one request per call on a chosen client, Vault's
// error and seal-status shapes, and the bytes a backend holds (what someone with the disks or Consul would read).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runServer, type RunningServer } from '@strongroom/server';
import { freePorts, type ConsulCluster } from '@strongroom/storage/testing';

// Response bodies are checked field by field against Vault's shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  contentType: string;
  body: Json;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is instead of `body`'s JSON. */
  raw?: string | Buffer;
  token?: string;
  agent?: http.Agent;
}

/** One HTTP request; each `agent` is a separate client with its own connections. */
export function call(base: string, method: string, p: string, o: CallOptions = {}): Promise<Reply> {
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (o.token) headers['x-vault-token'] = o.token;
  if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(new URL(p, base), { method, headers, agent: o.agent ?? false, timeout: 30_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Json;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
    // A server may answer (413) and close before it read all of a huge body: the answer is what counts.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(payload);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A 4xx with Vault's error body: a non-empty list of messages. */
export function assertClientError(r: Reply, status: number | null, message?: RegExp): void {
  if (status === null) assert.ok(r.status >= 400 && r.status < 500, `expected a 4xx, got ${r.status} ${r.text}`);
  else assert.equal(r.status, status, r.text);
  assert.match(r.contentType, /^application\/json/);
  assert.ok(Array.isArray(r.body?.errors), `no errors list in ${r.text}`);
  assert.ok(r.body.errors.length > 0 && r.body.errors.every((e: unknown) => typeof e === 'string' && e.length > 0), r.text);
  if (message) assert.match(r.body.errors.join('\n'), message);
}

/** The fields of Vault's `sys/seal-status` answer for a Shamir seal, and what each must hold. */
export function assertSealStatus(s: Json, want: { initialized: boolean; sealed: boolean; t: number; n: number; progress: number; storage: string }): void {
  assert.equal(s.type, 'shamir');
  assert.equal(s.initialized, want.initialized);
  assert.equal(s.sealed, want.sealed);
  assert.equal(s.t, want.t);
  assert.equal(s.n, want.n);
  assert.equal(s.progress, want.progress);
  assert.equal(typeof s.nonce, 'string');
  if (want.progress === 0) assert.equal(s.nonce, '');
  else assert.match(s.nonce, /^[0-9a-f-]{36}$/);
  assert.equal(typeof s.version, 'string');
  assert.ok(s.version.length > 0);
  assert.equal(typeof s.build_date, 'string');
  assert.ok(!Number.isNaN(Date.parse(s.build_date)), `build_date ${s.build_date}`);
  assert.equal(s.migration, false);
  assert.equal(s.recovery_seal, false);
  assert.equal(s.storage_type, want.storage);
  if (!want.sealed) {
    assert.equal(typeof s.cluster_name, 'string');
    assert.equal(typeof s.cluster_id, 'string');
  }
}

/** The raw bytes under a backend: what an attacker with the storage reads. */
export interface RawStorage {
  kind: 'file' | 'consul';
  storageBlock: string;
  /** Every stored value by key. */
  entries(): Promise<Map<string, Buffer>>;
  put(key: string, value: Buffer): Promise<void>;
  cleanup(): Promise<void>;
}

export async function fileStorage(): Promise<RawStorage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strongroom-seal-e2e-'));
  const data = path.join(dir, 'data');
  // The file backend keeps key `a/b/c` in the file `a/b/_c`.
  const fileOf = (key: string): string => {
    const segs = key.split('/');
    const last = segs.pop()!;
    return path.join(data, ...segs, `_${last}`);
  };
  return {
    kind: 'file',
    storageBlock: `storage "file" { path = "${data}" }`,
    async entries() {
      const out = new Map<string, Buffer>();
      for (const rel of await readdir(data, { recursive: true, withFileTypes: true })) {
        if (!rel.isFile()) continue;
        const full = path.join(rel.parentPath, rel.name);
        // Every file is scanned; files that are not keys (journal, temporaries) keep their file name.
        const relDir = path.relative(data, rel.parentPath);
        const key = rel.name.startsWith('_') ? path.join(relDir, rel.name.slice(1)).split(path.sep).join('/') : `(file) ${full}`;
        out.set(key, await readFile(full));
      }
      return out;
    },
    put: (key, value) => writeFile(fileOf(key), value),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function consulStorage(consul: ConsulCluster, prefix: string): RawStorage {
  const base = `http://${consul.addresses[0]}/v1/kv/`;
  return {
    kind: 'consul',
    storageBlock: `storage "consul" {
  address = "${consul.addresses[0]}"
  path = "${prefix}"
  session_ttl = "10s"
  lock_check_ttl = "2s"
  lock_delay = "0s"
}`,
    async entries() {
      const res = await fetch(`${base}${prefix}?recurse=true`);
      assert.equal(res.status, 200);
      const out = new Map<string, Buffer>();
      for (const e of (await res.json()) as { Key: string; Value: string | null }[]) {
        out.set(e.Key.slice(prefix.length), Buffer.from(e.Value ?? '', 'base64'));
      }
      return out;
    },
    async put(key, value) {
      const res = await fetch(`${base}${prefix}${key}`, { method: 'PUT', body: value });
      assert.equal(res.status, 200);
    },
    cleanup: async () => {
      await fetch(`${base}${prefix}?recurse=true`, { method: 'DELETE' });
    },
  };
}

export interface StartedServer {
  srv: RunningServer;
  url: string;
  /** What the server logged since it started. */
  output: () => string;
}

/** A server on `storage`, in this process; a fresh port each start (restarts reuse the storage only). */
export async function startServer(storage: RawStorage, dir: string): Promise<StartedServer> {
  const [api, cluster] = (await freePorts(2)) as [number, number];
  const configPath = path.join(dir, `server-${api}.hcl`);
  await writeFile(
    configPath,
    `${storage.storageBlock}
listener "tcp" {
  address = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable = true
}
api_addr = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
disable_mlock = true
log_level = "info"
`,
  );
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-100_000)));
  const srv = await runServer({ configPaths: [configPath], stdout: out, stderr: out, env: {}, drainTimeoutMs: 2000 });
  return { srv, url: srv.addresses[0]!, output: () => text };
}

export async function waitActive(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const h = await call(url, 'GET', '/v1/sys/health');
    if (h.status === 200) return;
    assert.ok(Date.now() < deadline, `node not active within 30 s: ${h.status} ${h.text}`);
    await sleep(50);
  }
}

/** A byte sequence of `needle` in `hay`, in any of the encodings a careless layer would store it in. */
export function leaks(hay: Buffer, needle: string): boolean {
  const b = Buffer.from(needle, 'utf8');
  return [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('base64').replace(/=+$/, ''))].some((x) => hay.includes(x));
}
