#!/usr/bin/env node
// Finds or creates a Python virtual environment holding a pinned hvac (HashiCorp Vault's Python client, from PyPI)
// and psycopg2-binary, cached outside the checkout under ~/.cache/strongroom/hvac-venv-<versions>, and prints the
// path of its python. The hvac compatibility test runs test/clients/hvac_session.py with it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HVAC = '2.4.0';
const PSYCOPG2 = '2.9.13';
const cacheBase = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
const venv = path.join(cacheBase, 'strongroom', `hvac-venv-${HVAC}-psycopg2-${PSYCOPG2}`);
const python = path.join(venv, 'bin', 'python');
// Written last: a venv without it is an interrupted install and is made again.
const complete = path.join(venv, '.strongroom-complete');

if (!existsSync(complete)) {
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(path.dirname(venv), { recursive: true });
  console.error(`hvac: creating a virtual environment with hvac ${HVAC} and psycopg2-binary ${PSYCOPG2} from PyPI...`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
  try {
    execFileSync('python3', ['-m', 'venv', venv], quiet);
  } catch {
    // Debian's python3 lacks ensurepip until python3-venv is installed.
    if (process.getuid?.() !== 0) throw new Error('hvac: python3 -m venv failed (install python3-venv)');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null'], quiet);
    rmSync(venv, { recursive: true, force: true });
    execFileSync('python3', ['-m', 'venv', venv], quiet);
  }
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `hvac==${HVAC}`, `psycopg2-binary==${PSYCOPG2}`], quiet);
  writeFileSync(complete, `hvac==${HVAC}\npsycopg2-binary==${PSYCOPG2}\n`);
}
console.log(python);
