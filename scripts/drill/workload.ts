// The drills' client workload: writers and readers on a set of kv v2 keys, through the load balancer, each
// operation recorded with its start, end, outcome and value, for the linearizability and lost-write checks.
import { performance } from 'node:perf_hooks';

/** One recorded operation. Times in microseconds since the workload began; `return` null = outcome unknown. */
export interface Operation {
  client: number;
  kind: 'put' | 'get';
  key: string;
  /** The value written, or read ('' = not found). */
  value: string;
  call: number;
  return: number | null;
  /** HTTP status, or 0 for a transport failure or timeout. */
  status: number;
}

export interface WorkloadOptions {
  url: string;
  token: string;
  writers: number;
  readers: number;
  keys: number;
  /** One request's deadline (ms). */
  timeoutMs: number;
}

const now = (t0: number): number => Math.round((performance.now() - t0) * 1000);

/**
 * 503 answers that certainly changed nothing: the load balancer had no server, or the node refused before any work
 * (sealed, standby, no active known) or its write was fenced off by Consul. Other 5xx and lost answers may have
 * taken effect, and stay open-ended for the checker.
 */
const NOT_APPLIED = [/No server is available/i, /Vault is sealed/, /node is in standby mode/, /no active node found/, /no longer holds the HA lock/];

export class Workload {
  readonly history: Operation[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly t0 = performance.now();
  /** Wall-clock ms at t0, to place faults on the same time axis. */
  readonly startedAt = Date.now();

  constructor(private readonly o: WorkloadOptions) {}

  /** Microseconds since the workload began, for marking faults. */
  clock(): number {
    return now(this.t0);
  }

  start(): void {
    this.running = true;
    for (let c = 0; c < this.o.writers; c++) this.loops.push(this.loop(c, 'put'));
    for (let c = 0; c < this.o.readers; c++) this.loops.push(this.loop(this.o.writers + c, 'get'));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Reads every key once more, recorded like any read: the final state the checks compare against. */
  async finalReads(): Promise<Operation[]> {
    const out: Operation[] = [];
    for (let k = 0; k < this.o.keys; k++) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const op = await this.once(-1, 'get', `k${k}`, '');
        if (op.return !== null && (op.status === 200 || op.status === 404)) {
          out.push(op);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return out;
  }

  private async loop(client: number, kind: 'put' | 'get'): Promise<void> {
    let n = 0;
    while (this.running) {
      const key = `k${Math.floor(Math.random() * this.o.keys)}`;
      const op = await this.once(client, kind, key, kind === 'put' ? `c${client}-${n++}` : '');
      // A failed request is not retried at once: clients back off a little, as real ones do.
      if (op.status === 0 || op.status >= 500) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async once(client: number, kind: 'put' | 'get', key: string, value: string): Promise<Operation> {
    const call = now(this.t0);
    const op: Operation = { client, kind, key, value, call, return: null, status: 0 };
    try {
      const res = await fetch(`${this.o.url}/v1/secret/data/drill/${key}`, {
        method: kind === 'put' ? 'POST' : 'GET',
        headers: { 'x-vault-token': this.o.token, 'content-type': 'application/json' },
        ...(kind === 'put' ? { body: JSON.stringify({ data: { v: value } }) } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      op.status = res.status;
      const body = res.status === 200 ? ((await res.json()) as { data?: { data?: { v?: string } } }) : await res.text();
      // A client error changed nothing; a read answered; a write acknowledged. Anything else may or may not have
      // taken effect, and stays open-ended (return null) for the checker.
      if (res.status >= 400 && res.status < 500 && res.status !== 404) op.return = now(this.t0);
      else if (res.status === 503 && typeof body === 'string' && NOT_APPLIED.some((re) => re.test(body))) op.return = now(this.t0);
      else if (kind === 'get' && (res.status === 200 || res.status === 404)) {
        op.return = now(this.t0);
        op.value = res.status === 200 ? String((body as { data?: { data?: { v?: string } } }).data?.data?.v ?? '') : '';
      } else if (kind === 'put' && res.status === 200) op.return = now(this.t0);
    } catch {
      op.status = 0;
    }
    this.history.push(op);
    return op;
  }
}

/** Acknowledged writes, and whether each key's final value could follow the last of them on that key. */
export function lostWrites(history: Operation[], finals: Operation[]): { acked: number; lost: string[] } {
  const writes = history.filter((o) => o.kind === 'put');
  const acked = writes.filter((o) => o.status === 200 && o.return !== null);
  const lost: string[] = [];
  for (const f of finals) {
    const keyAcked = acked.filter((w) => w.key === f.key);
    if (keyAcked.length === 0) continue;
    const lastCall = Math.max(...keyAcked.map((w) => w.call));
    const producer = writes.find((w) => w.key === f.key && w.value === f.value);
    // Lost: the final value was written by a request that had ended before the last acknowledged write began.
    if (!producer || (producer.return !== null && producer.return < lastCall && producer.status === 200)) {
      const last = keyAcked.find((w) => w.call === lastCall)!;
      lost.push(`${f.key}: acknowledged ${last.value}, read back ${f.value || '(nothing)'}`);
    }
  }
  return { acked: acked.length, lost };
}
