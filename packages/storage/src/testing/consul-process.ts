import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findConsul } from './consul-binary.js';
import { freePorts } from './ports.js';

/**
 * Settings that differ from a production Consul, so that tests run fast:
 * - `session_ttl_min = "1s"` (production minimum 10s), letting lock tests use short session TTLs;
 * - dev mode / in-memory or temporary data dirs, DNS and gRPC ports disabled;
 * - `raft_multiplier = 1` (also the production recommendation, named here for clarity).
 */
export const TEST_ONLY_CONSUL_SETTINGS = ['session_ttl_min=1s', 'dns/grpc ports disabled', 'temporary data_dir'];

export interface ConsulAgent {
  name: string;
  address: string; // host:port of the HTTP API
  host: string;
  process: ChildProcess;
  running: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** Starts this agent again with the same config and data dir. */
  restart(): Promise<void>;
}

export interface ConsulCluster {
  agents: ConsulAgent[];
  /** HTTP addresses of the agents, in order. */
  addresses: string[];
  leader(): Promise<string>;
  /** The agent that is the Raft leader now. */
  leaderAgent(): Promise<ConsulAgent>;
  waitForLeader(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

async function httpGet(address: string, pathname: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}${pathname}`, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: await res.text() };
}

async function leaderOf(address: string): Promise<string> {
  try {
    const { status, body } = await httpGet(address, '/v1/status/leader');
    return status === 200 ? (JSON.parse(body) as string) : '';
  } catch {
    return '';
  }
}

function startProcess(bin: string, args: string[], name: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // A test process that dies on an error must not leave its agents running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0 && !signal && process.env.STRONGROOM_TEST_VERBOSE) {
      process.stderr.write(`consul ${name} exited ${code}: ${tail}\n`);
    }
  });
  return child;
}

function makeAgent(bin: string, args: string[], name: string, host: string, address: string): ConsulAgent {
  // Only the agent's current process says whether it runs: a killed one may report its exit after a restart.
  const follow = (child: ChildProcess): ChildProcess => {
    child.on('exit', () => {
      if (agent.process === child) agent.running = false;
    });
    return child;
  };
  const agent: ConsulAgent = {
    name,
    host,
    address,
    process: null as unknown as ChildProcess,
    running: true,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      agent.running = false;
      agent.process.kill(signal);
    },
    async restart() {
      // Its ports are free only once the previous process has exited.
      const old = agent.process;
      if (old.exitCode === null && old.signalCode === null) await new Promise((r) => old.once('exit', r));
      agent.process = follow(startProcess(bin, args, name));
      agent.running = true;
    },
  };
  agent.process = follow(startProcess(bin, args, name));
  return agent;
}

async function stopAgent(a: ConsulAgent): Promise<void> {
  const p = a.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function clusterOf(agents: ConsulAgent[], dirs: string[]): ConsulCluster {
  const cluster: ConsulCluster = {
    agents,
    addresses: agents.map((a) => a.address),
    async leader() {
      for (const a of agents) {
        if (!a.running) continue;
        const l = await leaderOf(a.address);
        if (l) return l;
      }
      return '';
    },
    async leaderAgent() {
      const l = await cluster.leader();
      const host = l.split(':')[0];
      const found = agents.find((a) => a.host === host && a.running);
      if (!found) throw new Error(`no running agent is the leader (${l})`);
      return found;
    },
    async waitForLeader(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        let all = true;
        let leader = '';
        for (const a of agents) {
          if (!a.running) continue;
          const l = await leaderOf(a.address);
          if (!l) all = false;
          else leader = l;
        }
        if (all && leader) return leader;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('Consul elected no leader in time');
    },
    async stop() {
      await Promise.all(agents.map(stopAgent));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** One in-memory dev agent on loopback with free ports; resolves once it has a leader. */
export async function startConsulDev(): Promise<ConsulCluster> {
  const bin = findConsul();
  const [http, lan, wan, rpc] = (await freePorts(4)) as [number, number, number, number];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-consul-'));
  const cfg = path.join(dir, 'test.hcl');
  writeFileSync(cfg, 'session_ttl_min = "1s"\n');
  const args = [
    'agent', '-dev', '-bind=127.0.0.1', '-client=127.0.0.1', `-http-port=${http}`, '-dns-port=-1', '-grpc-port=-1', '-grpc-tls-port=-1',
    `-serf-lan-port=${lan}`, `-serf-wan-port=${wan}`, `-server-port=${rpc}`, '-log-level=warn', `-config-file=${cfg}`,
  ];
  const agent = makeAgent(bin, args, 'dev', '127.0.0.1', `127.0.0.1:${http}`);
  const cluster = clusterOf([agent], [dir]);
  try {
    await cluster.waitForLeader(20_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Three servers on 127.0.0.1, .2 and .3 (same ports, distinct addresses); resolves once a leader is elected. */
export async function startConsulCluster(size = 3): Promise<ConsulCluster> {
  const bin = findConsul();
  const [http, lan, wan, rpc] = (await freePorts(4)) as [number, number, number, number];
  const hosts = Array.from({ length: size }, (_, i) => `127.0.0.${i + 1}`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'strongroom-consul-cluster-'));
  const agents = hosts.map((host, i) => {
    const name = `s${i + 1}`;
    const cfg = path.join(root, `${name}.hcl`);
    writeFileSync(
      cfg,
      [
        'server = true',
        `bootstrap_expect = ${size}`,
        `data_dir = "${path.join(root, name)}"`,
        `node_name = "${name}"`,
        `bind_addr = "${host}"`,
        `client_addr = "${host}"`,
        `advertise_addr = "${host}"`,
        `retry_join = [${hosts.map((h) => `"${h}:${lan}"`).join(', ')}]`,
        `ports { http = ${http}, dns = -1, grpc = -1, grpc_tls = -1, serf_lan = ${lan}, serf_wan = ${wan}, server = ${rpc} }`,
        'session_ttl_min = "1s"',
        'performance { raft_multiplier = 1 }',
        'log_level = "warn"',
        'leave_on_terminate = false',
      ].join('\n') + '\n',
    );
    return makeAgent(bin, ['agent', `-config-file=${cfg}`], name, host, `${host}:${http}`);
  });
  const cluster = clusterOf(agents, [root]);
  try {
    await cluster.waitForLeader(60_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
