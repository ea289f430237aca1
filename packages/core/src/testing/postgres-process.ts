import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '@strongroom/storage/testing';

/** A throwaway PostgreSQL server on loopback, from the machine's own binaries, for tests. */
export interface PostgresServer {
  host: string;
  port: number;
  /** The superuser the tests configure Strongroom with, and its password. */
  superuser: string;
  password: string;
  /** `postgresql://{{username}}:{{password}}@127.0.0.1:<port>/postgres`, as a Vault connection URL is written. */
  connectionUrl: string;
  /** A URL logging in as someone else, for checking an issued credential. */
  urlFor(user: string, password: string): string;
  /** Stops the server (fast shutdown) and removes its data folder. Idempotent. */
  stop(): Promise<void>;
}

/** `initdb`/`postgres` on PATH, or in Debian's versioned folder where its package put them. */
export function findPostgresBin(name: 'initdb' | 'postgres'): string | null {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const r = spawnSync('sh', ['-c', `ls -d /usr/lib/postgresql/*/bin/${name} 2>/dev/null | sort -V | tail -1`], { encoding: 'utf8' });
  return r.stdout.trim() || null;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`). */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (r.status === 0) {
      const uid = Number(r.stdout.trim());
      const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
      return { uid, gid };
    }
  }
  throw new Error('PostgreSQL cannot run as root and neither a postgres nor a nobody user exists');
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Whether this machine can run a test PostgreSQL (its binaries are installed). */
export function postgresAvailable(): boolean {
  return findPostgresBin('initdb') !== null && findPostgresBin('postgres') !== null;
}

/**
 * Starts a PostgreSQL server in a temporary folder on a free loopback port, with password (scram-sha-256)
 * authentication for a superuser. Settings that differ from production, for speed: fsync off, no WAL archiving.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const initdb = findPostgresBin('initdb');
  const postgres = findPostgresBin('postgres');
  if (!initdb || !postgres) throw new Error('PostgreSQL server binaries not found (run scripts/postgres/ensure.mjs)');
  const user = serverUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-pg-'));
  const data = path.join(dir, 'data');
  const superuser = 'strongroom_admin';
  const password = `pw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`);
  chmodSync(dir, 0o700);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(initdb, ['-D', data, '-U', superuser, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'], {
    ...asUser,
    stdio: 'ignore',
    env: { ...process.env, LC_ALL: 'C' },
  });
  const [port] = (await freePorts(1)) as [number];
  const child: ChildProcess = spawn(
    postgres,
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    { ...asUser, stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  // A test process that dies on an error must not leave its server running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  // The port opens before the server accepts sessions ("the database system is starting up"): wait for both.
  while (!(await portOpen(port)) || !tail.includes('ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopped = false;
  const urlFor = (u: string, p: string): string => `postgresql://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/postgres`;
  return {
    host: '127.0.0.1',
    port,
    superuser,
    password,
    connectionUrl: `postgresql://{{username}}:{{password}}@127.0.0.1:${port}/postgres`,
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      // SIGINT is PostgreSQL's fast shutdown: it ends the sessions and exits.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
