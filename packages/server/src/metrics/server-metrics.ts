import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the gauges read from the node at scrape time. */
export interface NodeStateSource {
  isSealed(): boolean;
  isActive(): boolean;
}

/** Vault's JSON form of `sys/metrics` (go-metrics' in-memory sink display). */
export interface MetricsJson {
  Timestamp: string;
  Gauges: Array<{ Name: string; Value: number; Labels: Record<string, string> }>;
  Points: unknown[];
  Counters: Array<{ Name: string; Count: number; Sum: number; Labels: Record<string, string> }>;
  Samples: Array<{ Name: string; Count: number; Sum: number; Mean: number; Labels: Record<string, string> }>;
}

export interface ServerMetricsOptions {
  /** Process metrics (heap, event loop, GC) under `vault_runtime_`; default on. */
  runtime?: boolean;
}

/**
 * The metrics of one server instance in its own prom-client Registry (never the global one, so several nodes can
 * live in one process). Names follow Vault's: prefix `vault_`.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'code'>;
  private readonly duration: Histogram<'method'>;
  private readonly inFlight: Gauge;

  constructor(node: NodeStateSource, opts: ServerMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'vault_http_requests_total',
      help: 'HTTP requests served, by method and status code.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.duration = new Histogram({
      name: 'vault_http_request_duration_seconds',
      help: 'Time to serve an HTTP request, by method.',
      labelNames: ['method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'vault_core_in_flight_requests',
      help: 'HTTP requests being served right now.',
      registers,
    });
    new Gauge({
      name: 'vault_core_unsealed',
      help: '1 when the node is unsealed.',
      registers,
      collect() {
        this.set(node.isSealed() ? 0 : 1);
      },
    });
    new Gauge({
      name: 'vault_core_active',
      help: '1 when the node is the active node of its cluster.',
      registers,
      collect() {
        this.set(node.isActive() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vault_core_standby',
      help: '1 when the node is an unsealed standby.',
      registers,
      collect() {
        this.set(!node.isSealed() && !node.isActive() ? 1 : 0);
      },
    });
    if (opts.runtime !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vault_runtime_' });
  }

  /** Called when a request starts; the returned function records its end. */
  startRequest(): (method: string, status: number) => void {
    this.inFlight.inc();
    const end = this.duration.startTimer();
    let done = false;
    return (method, status) => {
      if (done) return;
      done = true;
      this.inFlight.dec();
      end({ method });
      this.requests.inc({ method, code: String(status) });
    };
  }

  get prometheusContentType(): string {
    return this.registry.contentType;
  }

  prometheusText(): Promise<string> {
    return this.registry.metrics();
  }

  async json(now = new Date()): Promise<MetricsJson> {
    const out: MetricsJson = { Timestamp: now.toISOString(), Gauges: [], Points: [], Counters: [], Samples: [] };
    for (const m of await this.registry.getMetricsAsJSON()) {
      const name = m.name.replace(/_/g, '.');
      // prom-client's types declare a numeric enum; at run time the type is its name.
      const type = String(m.type);
      if (type === 'gauge') {
        for (const v of m.values) out.Gauges.push({ Name: name, Value: v.value, Labels: labels(v.labels) });
      } else if (type === 'counter') {
        for (const v of m.values) out.Counters.push({ Name: name, Count: v.value, Sum: v.value, Labels: labels(v.labels) });
      } else if (type === 'histogram' || type === 'summary') {
        const byLabels = new Map<string, { sum: number; count: number; labels: Record<string, string> }>();
        for (const v of m.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
          const { le: _le, quantile: _q, ...rest } = labels(v.labels);
          const key = JSON.stringify(rest);
          const agg = byLabels.get(key) ?? { sum: 0, count: 0, labels: rest };
          if (v.metricName?.endsWith('_sum')) agg.sum = v.value;
          else if (v.metricName?.endsWith('_count')) agg.count = v.value;
          byLabels.set(key, agg);
        }
        for (const a of byLabels.values()) {
          out.Samples.push({ Name: name, Count: a.count, Sum: a.sum, Mean: a.count === 0 ? 0 : a.sum / a.count, Labels: a.labels });
        }
      }
    }
    return out;
  }
}

function labels(l: Partial<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(l)) if (v !== undefined) out[k] = String(v);
  return out;
}
