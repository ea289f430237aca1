// `npm run drill [-- --quick] [--drills N] [--only NAME]`: failover drills on the loopback lab (a real 3-server
// Consul, three nodes, HAProxy following sys/health) under a client workload through the load balancer. Each drill
// injects a fault, measures the unavailability clients saw and the time to a new active, and heals; at the end the
// recorded history is checked: no acknowledged write lost, linearizable per key (Porcupine), never two actives.
// Writes drill-report/index.html and drill-report/report.json; exits non-zero when a check fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsulCluster } from '@strongroom/storage/testing';
import { startHaproxy } from '../../test/helpers/haproxy.js';
import { initAndUnseal, request, sleep, startNodes, stopNodes, waitForActive } from '../../test/helpers/strongroom-cluster.js';
import { FAULTS, healPartition, type Lab } from './faults.js';
import { summaryTable, writeReport, type DrillSummary, type Report, type RoundResult } from './report.js';
import { lostWrites, Workload, type Operation } from './workload.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const argValue = (name: string): string | undefined => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
};
const rounds = Number(argValue('drills') ?? (quick ? 1 : 3));
const only = argValue('only');
const outDir = path.join(root, 'drill-report');

const ensure = (script: string): string =>
  execFileSync(process.execPath, [path.join(root, 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;

/** Samples every live node's sys/health: a moment where two answer 200 is two actives. */
function healthSampler(lab: Lab): { stop(): Promise<{ samples: number; double: number }> } {
  let running = true;
  let samples = 0;
  let double = 0;
  const done = (async () => {
    while (running) {
      const codes = await Promise.all(
        lab.nodes.map((n) => (n.alive ? request(n.apiAddr, 'GET', '/v1/sys/health').then((r) => r.status, () => 0) : Promise.resolve(0))),
      );
      samples++;
      if (codes.filter((c) => c === 200).length > 1) double++;
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { samples, double };
    },
  };
}

/** The longest stretch, from shortly before the fault, without an acknowledged write through the balancer (ms). */
function unavailability(history: Operation[], from: number, to: number): number {
  const acks = history
    .filter((o) => o.kind === 'put' && o.status === 200 && o.return !== null && o.return >= from && o.return <= to)
    .map((o) => o.return!)
    .sort((a, b) => a - b);
  let worst = 0;
  let prev = from;
  for (const t of acks) {
    worst = Math.max(worst, t - prev);
    prev = t;
  }
  return Math.round(Math.max(worst, to - prev) / 1000);
}

async function main(): Promise<void> {
  ensure('consul/ensure.mjs');
  ensure('haproxy/ensure.mjs');
  const porcupine = ensure('porcupine/ensure.mjs');
  const faults = FAULTS.filter((f) => !only || f.name === only);
  if (faults.length === 0) throw new Error(`no drill named "${only}" (drills: ${FAULTS.map((f) => f.name).join(', ')})`);

  console.log(`drills: ${faults.map((f) => f.name).join(', ')}; ${rounds} round(s) each`);
  const consul = await startConsulCluster(3);
  const nodes = await startNodes(consul, 3);
  let lb: Awaited<ReturnType<typeof startHaproxy>> | null = null;
  let stopping = false;
  const shutdown = async () => {
    healPartition();
    await lb?.stop();
    await stopNodes(nodes);
    await consul.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      if (stopping) return;
      stopping = true;
      console.log('\nstopping the drill...');
      void shutdown().finally(() => process.exit(130));
    });
  }
  try {
    const { keys, rootToken } = await initAndUnseal(nodes);
    const lab: Lab = { consul, nodes, keys, token: rootToken };
    await nodes[await waitForActive(nodes)]!.http('POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } }, { 'x-vault-token': rootToken });
    lb = await startHaproxy(nodes.map((n) => n.apiAddr));
    const workload = new Workload({ url: lb.activeUrl, token: rootToken, writers: 4, readers: 4, keys: 8, timeoutMs: 10_000 });
    const health = healthSampler(lab);
    workload.start();
    await sleep(2000);

    const results: RoundResult[] = [];
    const summary: DrillSummary[] = [];
    for (const fault of faults) {
      const why = fault.unavailable?.();
      if (why) {
        console.log(`- ${fault.name}: skipped (${why})`);
        summary.push({ drill: fault.name, rounds: 0, medianUnavailableMs: 0, worstUnavailableMs: 0, skipped: why });
        continue;
      }
      const mine: RoundResult[] = [];
      for (let round = 1; round <= rounds; round++) {
        const active = await waitForActive(nodes, 60_000);
        const faultAt = workload.clock();
        const started = Date.now();
        await fault.inject(lab, active);
        const next = await waitForActive(nodes, 60_000, fault.changesActive ? active : undefined);
        const newActiveMs = fault.changesActive ? Date.now() - started : null;
        await fault.heal(lab, active);
        await sleep(3000);
        const windowEnd = workload.clock();
        const errorsByStatus: Record<string, number> = {};
        for (const o of workload.history) {
          if (o.call < faultAt || o.call > windowEnd || o.status === 200 || o.status === 404) continue;
          errorsByStatus[String(o.status)] = (errorsByStatus[String(o.status)] ?? 0) + 1;
        }
        const r: RoundResult = { drill: fault.name, round, unavailableMs: unavailability(workload.history, faultAt - 500_000, windowEnd), newActiveMs, errorsByStatus, faultAt, windowEnd };
        mine.push(r);
        console.log(`- ${fault.name} round ${round}: unavailable ${r.unavailableMs} ms${newActiveMs !== null ? `, node ${next} active after ${newActiveMs} ms` : ''}, errors ${JSON.stringify(errorsByStatus)}`);
      }
      const sorted = mine.map((r) => r.unavailableMs).sort((a, b) => a - b);
      summary.push({ drill: fault.name, rounds: mine.length, medianUnavailableMs: sorted[Math.floor(sorted.length / 2)]!, worstUnavailableMs: sorted[sorted.length - 1]! });
      results.push(...mine);
    }

    await workload.stop();
    const { samples, double } = await health.stop();
    const finals = await workload.finalReads();
    const history = [...workload.history, ...finals];
    const { acked, lost } = lostWrites(workload.history, finals);
    // Writes: acknowledged ones, and those whose outcome is unknown (open-ended); a write known to have changed
    // nothing is left out. Reads: those that answered.
    const checked = history.filter((o) =>
      o.kind === 'put' ? o.status === 200 || ((o.status === 0 || o.status >= 500) && o.return === null) : o.status === 200 || o.status === 404,
    );
    const input = JSON.stringify(checked);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'history.json'), input);
    // A long history takes the checker longer: about a second per thousand operations, at least a minute.
    const budget = Math.max(60, Math.ceil(checked.length / 1000));
    const verdict = spawnSync(porcupine, ['-timeout', `${budget}s`], { input, encoding: 'utf8' });
    const linearizability = JSON.parse(verdict.stdout || '{"result":"error","operations":0,"keys":0,"millis":0}') as Report['linearizability'];
    const report: Report = {
      startedAt: new Date(workload.startedAt).toISOString(),
      summary,
      ackedWrites: acked,
      lostWrites: lost,
      linearizability,
      doubleActiveSamples: double,
      healthSamples: samples,
      rounds: results,
      passed: lost.length === 0 && linearizability.result === 'ok' && double === 0,
    };
    const file = await writeReport(outDir, report, history);
    console.log(`\n${summaryTable(report)}\n\nreport: ${file}`);
    if (!report.passed) process.exitCode = 1;
  } finally {
    if (!stopping) await shutdown();
  }
}

await main();
