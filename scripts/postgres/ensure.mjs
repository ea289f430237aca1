#!/usr/bin/env node
// Makes sure PostgreSQL's server binaries (initdb, postgres, pg_ctl) are on this machine, installing Debian's
// `postgresql` package only where they are missing. Tests that need a server start their own on loopback.
import { execSync, spawnSync } from 'node:child_process';

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0 || findPgBin(cmd) !== null;
}

function findPgBin(cmd) {
  const r = spawnSync('sh', ['-c', `ls -d /usr/lib/postgresql/*/bin/${cmd} 2>/dev/null | sort -V | tail -1`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return p || null;
}

if (['initdb', 'postgres', 'pg_ctl'].every(has)) {
  console.log('postgres: server binaries present');
} else if (process.getuid?.() === 0) {
  console.log('postgres: installing Debian package postgresql ...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null', { stdio: 'inherit' });
} else {
  console.warn('postgres: server binaries missing and not root; tests needing PostgreSQL will be skipped');
}
