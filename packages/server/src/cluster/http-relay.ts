import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ForwardedHttpRequest, ForwardedHttpResponse } from './forwarding-service.js';

/** Headers that describe one connection, not the request: never carried across the cluster hop (RFC 9110 7.6.1). */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

export interface CapturedRequestOptions {
  /**
   * The body exactly as it will be forwarded. express.raw() inflates gzip/deflate bodies, so by default the
   * `content-encoding` header is dropped along with the encoding; pass `bodyDecoded: false` for a body read raw.
   */
  body?: Buffer;
  bodyDecoded?: boolean;
}

/** The standby side: what to send to the active for a request the HTTP layer already read the body of. */
export function captureRequest(req: IncomingMessage & { originalUrl?: string }, o: CapturedRequestOptions = {}): ForwardedHttpRequest {
  const decoded = o.bodyDecoded ?? true;
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const key = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(key) || key === 'content-length' || (decoded && key === 'content-encoding')) continue;
    headers.push([name, raw[i + 1]!]);
  }
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    headers,
    body: o.body ?? Buffer.alloc(0),
    remoteAddress: req.socket.remoteAddress ?? '',
    remotePort: req.socket.remotePort ?? 0,
  };
}

/** Writes the active's answer to the client as it came: status, every header (repeats kept) and body. */
export function writeForwardedResponse(res: ServerResponse, r: ForwardedHttpResponse): void {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of r.headers) {
    const key = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(key)) continue;
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  // Headers the standby's own stack may have set already (X-Powered-By, a request id) give way to the active's.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? values[0]! : values);
  if (!grouped.has('content-length')) res.setHeader('content-length', r.body.length);
  res.statusCode = r.status;
  res.end(r.body);
}
