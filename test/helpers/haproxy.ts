// HAProxy in front of Strongroom nodes on loopback, with the lab's own configuration (deploy/haproxy.cfg): the
// same file the docker-compose lab mounts, its addresses given through the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@strongroom/storage/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HAPROXY_CONFIG = path.join(root, 'deploy', 'haproxy.cfg');

export function findHaproxy(): string | null {
  return ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'].find((p) => existsSync(p)) ?? null;
}

export interface Haproxy {
  /** Routes to the active node only. */
  activeUrl: string;
  /** Routes to any unsealed node. */
  readsUrl: string;
  statsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts HAProxy for nodes listening at `apiAddrs` (http://host:port, at most three). */
export async function startHaproxy(apiAddrs: string[]): Promise<Haproxy> {
  const bin = findHaproxy();
  if (!bin) throw new Error('haproxy is not installed (scripts/haproxy/ensure.mjs)');
  const [active, reads, stats] = (await freePorts(3)) as [number, number, number];
  const hostPort = (i: number) => (apiAddrs[i] ?? apiAddrs[0]!).replace(/^https?:\/\//, '');
  const env = {
    ...process.env,
    STRONGROOM_1: hostPort(0),
    STRONGROOM_2: hostPort(1),
    STRONGROOM_3: hostPort(2),
    LB_ACTIVE_BIND: `127.0.0.1:${active}`,
    LB_READS_BIND: `127.0.0.1:${reads}`,
    LB_STATS_BIND: `127.0.0.1:${stats}`,
  };
  // -db: stay in the foreground, so the process is ours to stop and never outlives the lab or the test.
  const child = spawn(bin, ['-db', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const statsUrl = `http://127.0.0.1:${stats}/stats`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${tail}`);
    const up = await fetch(statsUrl, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not start: ${tail}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    activeUrl: `http://127.0.0.1:${active}`,
    readsUrl: `http://127.0.0.1:${reads}`,
    statsUrl,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      process.removeListener('exit', killOnExit);
    },
  };
}
