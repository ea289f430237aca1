// What every real-client test runs against: two Strongroom nodes (separate processes, not yet initialized) over a
// Consul dev agent, and a throwaway PostgreSQL behind the database engine.
import { startPostgres, type PostgresServer } from '@strongroom/core/testing';
import { startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';
import { startNodes, stopNodes, type StrongroomNode } from './strongroom-cluster.js';

export interface ClientLab {
  nodes: StrongroomNode[];
  pg: PostgresServer;
  /** How the client sessions find PostgreSQL: PG_CONNECTION_URL, PG_HOST, PG_PORT, PG_USER, PG_PASSWORD. */
  pgEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startClientLab(): Promise<ClientLab> {
  const pg = await startPostgres();
  let consul: ConsulCluster | null = null;
  let nodes: StrongroomNode[] = [];
  const stop = async (): Promise<void> => {
    await stopNodes(nodes);
    await consul?.stop();
    await pg.stop();
  };
  try {
    consul = await startConsulDev();
    nodes = await startNodes(consul, 2);
  } catch (err) {
    await stop();
    throw err;
  }
  const pgEnv = { PG_CONNECTION_URL: pg.connectionUrl, PG_HOST: pg.host, PG_PORT: String(pg.port), PG_USER: pg.superuser, PG_PASSWORD: pg.password };
  return { nodes, pg, pgEnv, stop };
}

/** A client session's JSON report (its last line of output); a failed session fails with the nodes' logs. */
export function sessionReport(lab: ClientLab, client: string, r: { code: number | null; stdout: string; stderr: string }): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const logs = lab.nodes.map((n) => `--- node ${n.index}\n${n.output().slice(-4000)}`).join('\n');
  if (r.code !== 0) throw new Error(`${client} session failed (exit ${r.code}):\n${r.stderr}\n${logs}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
