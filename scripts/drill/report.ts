// The drill report: report.json, and index.html with a timeline chart per drill (drawn as SVG by Vega-Lite) and the
// summary table the command also prints.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Operation } from './workload.js';

export interface RoundResult {
  drill: string;
  round: number;
  /** Longest stretch without an acknowledged write through the load balancer, around the fault (ms). */
  unavailableMs: number;
  /** From the fault to a node answering 200 on sys/health (null when the drill keeps the active). */
  newActiveMs: number | null;
  errorsByStatus: Record<string, number>;
  /** Microseconds on the workload's clock. */
  faultAt: number;
  windowEnd: number;
}

export interface DrillSummary {
  drill: string;
  rounds: number;
  medianUnavailableMs: number;
  worstUnavailableMs: number;
  skipped?: string;
}

export interface Report {
  startedAt: string;
  summary: DrillSummary[];
  ackedWrites: number;
  lostWrites: string[];
  linearizability: { result: string; operations: number; keys: number; millis: number };
  doubleActiveSamples: number;
  healthSamples: number;
  rounds: RoundResult[];
  passed: boolean;
}

/** Requests per second through the load balancer, answered and failed, in 250 ms buckets around a fault. */
function timeline(history: Operation[], r: RoundResult): { t: number; series: string; rate: number }[] {
  const from = r.faultAt - 3_000_000;
  const to = r.windowEnd;
  const bucket = 250_000;
  const n = Math.max(1, Math.ceil((to - from) / bucket));
  const ok = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  for (const op of history) {
    const end = op.return ?? op.call;
    if (end < from || end >= to) continue;
    const i = Math.floor((end - from) / bucket);
    if (op.status === 200 || op.status === 404 || op.status === 204) ok[i]!++;
    else failed[i]!++;
  }
  const out: { t: number; series: string; rate: number }[] = [];
  for (let i = 0; i < n; i++) {
    const t = (from + i * bucket - r.faultAt) / 1e6;
    out.push({ t, series: 'answered', rate: ok[i]! * 4 }, { t, series: 'failed', rate: failed[i]! * 4 });
  }
  return out;
}

async function chart(history: Operation[], r: RoundResult): Promise<string> {
  const marks = [{ t: 0, what: 'fault' }, ...(r.newActiveMs !== null ? [{ t: r.newActiveMs / 1000, what: 'new active' }] : [])];
  const spec = vl.compile({
    width: 640,
    height: 160,
    title: `${r.drill} (round ${r.round})`,
    layer: [
      {
        data: { values: timeline(history, r) },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds from the fault' },
          y: { field: 'rate', type: 'quantitative', title: 'requests/s via HAProxy' },
          color: { field: 'series', type: 'nominal', scale: { domain: ['answered', 'failed'], range: ['#2a7', '#d33'] } },
        },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', strokeDash: [4, 3] },
        encoding: { x: { field: 't', type: 'quantitative' }, color: { value: '#555' }, tooltip: { field: 'what' } },
      },
    ],
  } as vl.TopLevelSpec).spec;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}

export function summaryTable(report: Report): string {
  const lines = ['drill                 rounds  median unavailable  worst unavailable'];
  for (const s of report.summary) {
    if (s.skipped) lines.push(`${s.drill.padEnd(22)}skipped: ${s.skipped}`);
    else lines.push(`${s.drill.padEnd(22)}${String(s.rounds).padStart(6)}  ${`${s.medianUnavailableMs} ms`.padStart(18)}  ${`${s.worstUnavailableMs} ms`.padStart(17)}`);
  }
  lines.push(
    '',
    `acknowledged writes: ${report.ackedWrites}   lost: ${report.lostWrites.length}   linearizability (Porcupine): ${report.linearizability.result} ` +
      `(${report.linearizability.operations} operations, ${report.linearizability.keys} keys)   two actives at once: ${report.doubleActiveSamples} of ${report.healthSamples} samples`,
  );
  return lines.join('\n');
}

export async function writeReport(dir: string, report: Report, history: Operation[]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report, null, 2));
  const firstRounds = report.rounds.filter((r) => r.round === 1);
  const charts = await Promise.all(firstRounds.map((r) => chart(history, r)));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Strongroom failover drills</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}pre{background:#f4f4f4;padding:1rem}</style></head>
<body><h1>Strongroom failover drills</h1><p>${esc(report.startedAt)} &middot; ${report.passed ? 'every check passed' : '<b>a check failed</b>'}</p>
<pre>${esc(summaryTable(report))}</pre>
${report.lostWrites.length ? `<h2>Lost writes</h2><pre>${esc(report.lostWrites.join('\n'))}</pre>` : ''}
${charts.map((svg) => `<div>${svg}</div>`).join('\n')}
</body></html>
`;
  const file = path.join(dir, 'index.html');
  writeFileSync(file, html);
  return file;
}
