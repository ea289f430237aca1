import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findHaproxy } from './helpers/haproxy.js';

// `npm run drill -- --quick` as CI runs it: one round of every drill on the loopback lab (a real 3-server Consul,
// three nodes, HAProxy), under a recorded workload; it exits non-zero when a write was lost, the history is not
// linearizable (Porcupine) or two nodes were active at once.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the quick failover drill passes every check', { skip: !findHaproxy() && 'haproxy not installed', timeout: 600_000 }, async () => {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(root, 'scripts', 'drill', 'run.ts'), '--quick'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const summary = out.split('\n').filter((l) => /^- |acknowledged writes|^drill /.test(l));
  for (const l of summary) console.log(`# ${l}`);
  assert.equal(code, 0, out.slice(-3000));
  const report = JSON.parse(readFileSync(path.join(root, 'drill-report', 'report.json'), 'utf8'));
  assert.equal(report.passed, true);
  assert.deepEqual(report.lostWrites, []);
  assert.equal(report.linearizability.result, 'ok');
  assert.equal(report.doubleActiveSamples, 0);
  assert.ok(report.ackedWrites > 100, `${report.ackedWrites} acknowledged writes`);
});
