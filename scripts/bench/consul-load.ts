// Raw Consul KV through the same `consul` client the storage backend uses: GET of one key, or a one-op txn PUT,
// with `connections` concurrent callers for `duration` seconds. argv[2]: JSON options. Prints one JSON line.
import { ConsulClient } from '@strongroom/storage';

const o = JSON.parse(process.argv[2]!) as { address: string; mode: 'get' | 'txn'; connections: number; duration: number; size: number };
const client = new ConsulClient({ address: o.address });
const key = `bench/raw-${process.pid}`;
const value = Buffer.alloc(o.size, 'x');
await client.txn([{ Verb: 'set', Key: key, Value: value.toString('base64') }]);
const latencies: number[] = [];
const end = Date.now() + o.duration * 1000;
async function worker(): Promise<void> {
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    if (o.mode === 'get') await client.kvGet(key);
    else await client.txn([{ Verb: 'set', Key: key, Value: value.toString('base64') }]);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: o.connections }, worker));
const seconds = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
process.stdout.write(JSON.stringify({ rps: latencies.length / seconds, p50: pct(50), p99: pct(99), requests: latencies.length, non2xx: 0, errors: 0 }) + '\n');
client.close();
