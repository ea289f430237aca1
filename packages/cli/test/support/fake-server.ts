// A tiny HTTP server that answers like a Vault server from a table of canned replies, and records the requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Sent as is instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export type Route = (req: SeenRequest) => Reply | undefined;

export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** `routes` maps "METHOD /v1/path?query" (query optional in the key) to a reply or a function of the request. */
export async function startFakeServer(routes: Record<string, Reply | Route>): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(seen);
      const path = (req.url ?? '').split('?')[0];
      const route = routes[`${req.method} ${req.url}`] ?? routes[`${req.method} ${path}`];
      const reply = typeof route === 'function' ? route(seen) : route;
      if (!reply) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [] }));
        return;
      }
      const status = reply.status ?? 200;
      if (reply.raw !== undefined) {
        res.writeHead(status, reply.headers ?? { 'Content-Type': 'text/plain' });
        res.end(reply.raw);
        return;
      }
      if (reply.body === undefined) {
        res.writeHead(status === 200 ? 204 : status, reply.headers ?? {});
        res.end();
        return;
      }
      res.writeHead(status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A logical response envelope around `data`. */
export function envelope(data: Record<string, unknown> | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: 'req-1',
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  };
}
