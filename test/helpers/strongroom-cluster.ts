// Strongroom nodes as separate processes (so SIGKILL and SIGSTOP are real) over a real Consul, for cluster tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, type ConsulCluster } from '@strongroom/storage/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'packages', 'cli', 'bin', 'strongroom.js');

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface StrongroomNode {
  index: number;
  apiAddr: string;
  clusterAddr: string;
  process: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
  alive: boolean;
  kill(signal: NodeJS.Signals): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  http(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
}

export interface NodeOptions {
  /** Extra HCL appended to each node's config. */
  extraConfig?: string;
  /** Extra lines inside the `storage "consul"` block. */
  storageExtra?: string;
  env?: Record<string, string>;
  /** Flags for node itself, e.g. `--cpu-prof` for a profile of each node. */
  nodeArgs?: string[];
}

export async function request(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(base + p, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** N nodes sharing `consul` (node i talks to Consul agent i mod size), not yet initialized. */
export async function startNodes(consul: ConsulCluster, count: number, o: NodeOptions = {}): Promise<StrongroomNode[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-nodes-'));
  const ports = await freePorts(count * 2);
  const nodes: StrongroomNode[] = [];
  for (let i = 0; i < count; i++) {
    const apiPort = ports[i * 2]!;
    const clusterPort = ports[i * 2 + 1]!;
    const apiAddr = `http://127.0.0.1:${apiPort}`;
    const clusterAddr = `https://127.0.0.1:${clusterPort}`;
    const configPath = path.join(dir, `node${i}.hcl`);
    writeFileSync(
      configPath,
      `storage "consul" {
  address = "${consul.addresses[i % consul.addresses.length]}"
  path = "strongroom/"
  session_ttl = "10s"
  lock_check_ttl = "2s"
  lock_delay = "0s"
  check_timeout = "2s"
  ${o.storageExtra ?? ''}
}
listener "tcp" {
  address = "127.0.0.1:${apiPort}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable = true
}
api_addr = "${apiAddr}"
cluster_addr = "${clusterAddr}"
disable_mlock = true
log_level = "info"
${o.extraConfig ?? ''}
`,
    );
    let out = '';
    const node: StrongroomNode = {
      index: i,
      apiAddr,
      clusterAddr,
      process: null as unknown as ChildProcess,
      output: () => out,
      alive: false,
      kill(signal) {
        node.process.kill(signal);
        if (signal === 'SIGKILL') node.alive = false;
      },
      async start() {
        const child = spawn(process.execPath, [...(o.nodeArgs ?? []), bin, 'server', `-config=${configPath}`], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...o.env },
        });
        node.process = child;
        node.alive = true;
        child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
        child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
        const killOnExit = (): void => {
          child.kill('SIGKILL');
        };
        process.on('exit', killOnExit);
        child.on('exit', () => {
          node.alive = false;
          process.removeListener('exit', killOnExit);
        });
        const deadline = Date.now() + 30_000;
        for (;;) {
          if (!node.alive) throw new Error(`node ${i} exited during start:\n${out}`);
          const ok = await request(apiAddr, 'GET', '/v1/sys/seal-status').then(
            () => true,
            () => false,
          );
          if (ok) return;
          if (Date.now() > deadline) throw new Error(`node ${i} did not listen within 30 s:\n${out}`);
          await sleep(100);
        }
      },
      async stop() {
        if (!node.alive) return;
        const exited = new Promise((r) => node.process.once('exit', r));
        node.process.kill('SIGCONT');
        node.process.kill('SIGTERM');
        const t = setTimeout(() => node.process.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      },
      http: (method, p, body, headers) => request(apiAddr, method, p, body, headers),
    };
    nodes.push(node);
  }
  await Promise.all(nodes.map((n) => n.start()));
  const stopAll = nodes.map((n) => n.stop.bind(n));
  // Remove the temporary configs once every node is stopped.
  (nodes as StrongroomNode[] & { cleanup?: () => Promise<void> }).cleanup = async () => {
    await Promise.all(stopAll.map((s) => s()));
    rmSync(dir, { recursive: true, force: true });
  };
  return nodes;
}

export async function stopNodes(nodes: StrongroomNode[]): Promise<void> {
  await (nodes as StrongroomNode[] & { cleanup?: () => Promise<void> }).cleanup?.();
}

/** Initializes through the first node and unseals every node with the same shares. */
export async function initAndUnseal(nodes: StrongroomNode[], shares = 3, threshold = 2): Promise<{ keys: string[]; rootToken: string }> {
  const init = await nodes[0]!.http('PUT', '/v1/sys/init', { secret_shares: shares, secret_threshold: threshold });
  if (init.status !== 200) throw new Error(`init failed: ${init.status} ${init.text}`);
  const keys = init.body.keys as string[];
  for (const n of nodes) await unseal(n, keys, threshold);
  return { keys, rootToken: init.body.root_token as string };
}

export async function unseal(node: StrongroomNode, keys: string[], threshold = 2): Promise<void> {
  for (const key of keys.slice(0, threshold)) {
    const r = await node.http('PUT', '/v1/sys/unseal', { key });
    if (r.status !== 200) throw new Error(`unseal of node ${node.index} failed: ${r.status} ${r.text}`);
  }
}

/** The index of the node whose health says active, waiting for one. */
export async function waitForActive(nodes: StrongroomNode[], timeoutMs = 30_000, except?: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const n of nodes) {
      if (!n.alive || n.index === except) continue;
      const h = await n.http('GET', '/v1/sys/health').catch(() => null);
      if (h?.status === 200) return n.index;
    }
    if (Date.now() > deadline) throw new Error(`no active node within ${timeoutMs} ms:\n${nodes.map((n) => `--- node ${n.index}\n${n.output().slice(-3000)}`).join('\n')}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
