// The faults a drill injects into the lab, each with what brings the cluster back to full strength afterwards.
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
    unavailable: () => 'the lab runs every node on loopback in one network namespace; cutting one off needs the node in a namespace of its own (ip netns + nftables), which the lab does not set up yet',
    async inject() {},
    async heal() {},
  },
];
