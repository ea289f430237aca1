#!/usr/bin/env node
// One load run in its own process (so the generator never shares a thread with what it measures).
// argv[2]: JSON {url, method, headers, body, connections, duration, amount}. Prints one JSON line.
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2]);
const opts = {
  url: o.url,
  method: o.method ?? 'GET',
  headers: o.headers ?? {},
  body: o.body,
  connections: o.connections ?? 10,
  timeout: 30,
};
if (o.amount) opts.amount = o.amount;
else opts.duration = o.duration ?? 10;
// Writes spread over `keys` distinct paths (`<url>-<n>`), as real clients write many secrets; same-key writes are
// serialised by design (check-and-set), which a separate scenario measures.
if (o.keys) {
  let n = 0;
  opts.requests = [{ setupRequest: (req) => ({ ...req, path: `${new URL(o.url).pathname}-${n++ % o.keys}` }) }];
}
const result = await autocannon(opts);
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
