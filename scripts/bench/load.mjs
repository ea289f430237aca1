#!/usr/bin/env node
// One load run in its own process (so the generator never shares a thread with what it measures).
// argv[2]: JSON {url, method, headers, body, connections, duration, amount}. Prints one JSON line.
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: o.url,
  method: o.method ?? 'GET',
  headers: o.headers ?? {},
  body: o.body,
  connections: o.connections ?? 10,
  duration: o.amount ? undefined : (o.duration ?? 10),
  amount: o.amount,
  timeout: 30,
});
const ok = result['2xx'];
process.stdout.write(
  JSON.stringify({
    rps: ok / (result.duration || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }) + '\n',
);
