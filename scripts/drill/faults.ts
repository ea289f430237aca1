// The faults a drill injects into the lab, each with what brings the cluster back to full strength afterwards.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { ConsulCluster } from '@strongroom/storage/testing';
import { sleep, unseal, waitForActive, type StrongroomNode } from '../../test/helpers/strongroom-cluster.js';

export interface Lab {
  consul: ConsulCluster;
  nodes: StrongroomNode[];
  keys: string[];
  token: string;
}

export interface Fault {
  name: string;
  /** Whether the fault should move the active role to another node. */
  changesActive: boolean;
  /** Injects the fault; resolves at once. */
  inject(lab: Lab, active: number): Promise<void>;
  /** Restores what the fault took away (a restarted node unsealed, a stopped one continued). */
  heal(lab: Lab, active: number): Promise<void>;
  /** Why this fault cannot run here, or null. */
  unavailable?(): string | null;
}

async function restart(lab: Lab, index: number): Promise<void> {
  const node = lab.nodes[index]!;
  // A killed process keeps its ports until it has exited.
  if (node.process.exitCode === null && node.process.signalCode === null) await once(node.process, 'exit');
  await node.start();
  await unseal(node, lab.keys);
}

export const FAULTS: Fault[] = [
  {
    name: 'step-down',
    changesActive: true,
    async inject(lab, active) {
      await lab.nodes[active]!.http('PUT', '/v1/sys/step-down', undefined, { 'x-vault-token': lab.token });
    },
    async heal() {},
  },
  {
    name: 'kill -9',
    changesActive: true,
    async inject(lab, active) {
      lab.nodes[active]!.kill('SIGKILL');
    },
    async heal(lab, active) {
      await restart(lab, active);
    },
  },
  {
    name: 'SIGSTOP',
    changesActive: true,
    async inject(lab, active) {
      lab.nodes[active]!.kill('SIGSTOP');
    },
    async heal(lab, active) {
      // Continued only once another node took over: the frozen one then finds its lock gone, and never writes.
      await waitForActive(lab.nodes, 60_000, active);
      lab.nodes[active]!.kill('SIGCONT');
      await sleep(1000);
    },
  },
  {
    name: 'standby restart',
    changesActive: false,
    async inject(lab, active) {
      const standby = lab.nodes.find((n) => n.index !== active && n.alive)!;
      standby.kill('SIGKILL');
      await restart(lab, standby.index);
    },
    async heal() {},
  },
  {
    name: 'consul leader kill',
    changesActive: false,
    async inject(lab) {
      const leader = await lab.consul.leaderAgent();
      leader.kill('SIGKILL');
      (lab as Lab & { killedAgent?: typeof leader }).killedAgent = leader;
    },
    async heal(lab) {
      const l = lab as Lab & { killedAgent?: { restart(): Promise<void> } };
      await l.killedAgent?.restart();
      await lab.consul.waitForLeader(30_000);
    },
  },
  {
    name: 'partition',
    changesActive: true,
    unavailable: () => (nft(['list', 'tables']).ok ? null : 'nftables (Debian nftables) is not installed or not permitted here'),
    async inject(lab, active) {
      const node = lab.nodes[active]!;
      const agent = lab.consul.addresses[active % lab.consul.addresses.length]!;
      cutOff([agent, node.apiAddr, node.clusterAddr].map(endpointOf));
    },
    async heal() {
      healPartition();
      await sleep(1000);
    },
  },
];

/** The table the partition drill's rules live in, removed whole when the drill heals or the process ends. */
const TABLE = 'strongroom_drill';

function nft(args: string[], input?: string): { ok: boolean; err: string } {
  const r = spawnSync('nft', args, { input, encoding: 'utf8' });
  return { ok: r.status === 0, err: r.stderr ?? String(r.error ?? '') };
}

/** An address as `host:port` (loopback addresses of the lab: the Consul agents are 127.0.0.1 to .3, on any port). */
function endpointOf(address: string): { host: string; port: number } {
  const u = new URL(address.includes('://') ? address : `http://${address}`);
  return { host: u.hostname, port: Number(u.port) };
}

/**
 * Partitions the active node from Consul and from its peers on loopback: every packet to its Consul agent's HTTP
 * address, its API address and its cluster address is dropped, so it can neither refresh its lock nor be reached by the
 * other nodes, the load balancer's health checks or clients, while the rest of the cluster carries on.
 */
function cutOff(endpoints: { host: string; port: number }[]): void {
  healPartition();
  const drops = endpoints.map((e) => `    ip daddr ${e.host} tcp dport ${e.port} drop`).join('\n');
  const rules = `table inet ${TABLE} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n${drops}\n  }\n}\n`;
  const r = nft(['-f', '-'], rules);
  if (!r.ok) throw new Error(`nft refused the partition rules: ${r.err}`);
  process.once('exit', healPartition);
}

export function healPartition(): void {
  nft(['delete', 'table', 'inet', TABLE]);
}
