import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
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

/** Headers of which Node's HTTP server keeps the first occurrence only (see `message.headers` in Node's docs). */
const SINGLE_VALUE_HEADERS: ReadonlySet<string> = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
]);

/**
 * The active side: a forwarded request's headers (lower-case names, repeats as arrays) as Node's HTTP server would
 * present them, with the `host` and `content-length` a connection always carries.
 */
export function joinRequestHeaders(headers: Record<string, string | string[]>, bodyLength: number): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    const v = headers[name]!;
    if (!Array.isArray(v)) out[name] = v;
    else if (name === 'set-cookie') out[name] = [...v];
    else if (SINGLE_VALUE_HEADERS.has(name)) out[name] = v[0];
    else out[name] = v.join(name === 'cookie' ? '; ' : ', ');
  }
  out.host ||= 'localhost:80';
  if (bodyLength > 0) out['content-length'] = String(bodyLength);
  return out;
}

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
  const flat: string[] = [];
  for (const [name, values] of grouped) for (const v of values) flat.push(name, v);
  if (!grouped.has('content-length')) flat.push('content-length', String(r.body.length));
  // One call with every header (repeats as separate lines, as setHeader with a list writes them).
  res.writeHead(r.status, flat);
  res.end(r.body);
}
