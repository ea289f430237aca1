// Small HTTP clients for the end-to-end tests: `call` (fetch, JSON in and out) and `raw` (bytes on a socket, so
// paths reach the server exactly as written: no `..` collapsing, no re-encoding).
import { connect } from 'node:net';

export interface Reply {
  status: number;
  headers: Headers | Record<string, string>;
  /** Parsed JSON, or null when the body is empty or not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** One request through fetch; `body` is sent as JSON unless it already is a string or a Buffer. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['x-vault-token'] = opts.token;
  let body: string | Buffer | undefined;
  if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: parse(text), text };
}

/**
 * One request written byte for byte on a fresh connection (`Connection: close`), read until the server closes it.
 * The target is sent as given, so traversal and encoded slashes reach the server unchanged.
 */
export function raw(base: string, method: string, target: string, opts: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(base);
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${u.host}`, 'Connection: close'];
  if (opts.token) lines.push(`X-Vault-Token: ${opts.token}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(body ? Buffer.concat([head, body]) : head);
    });
    s.setTimeout(30_000, () => s.destroy(new Error(`no answer to ${method} ${target}`)));
    s.on('data', (d: Buffer) => chunks.push(d));
    // The server may answer (413) and close before reading the whole body: the write then fails, the answer stands.
    s.on('error', (err) => (chunks.length ? undefined : reject(err)));
    s.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        reject(new Error(`no HTTP response to ${method} ${target}: ${JSON.stringify(all.toString('latin1'))}`));
        return;
      }
      const [statusLine, ...headerLines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let rest: Buffer = all.subarray(end + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
      else if (headers['content-length'] !== undefined) rest = rest.subarray(0, Number(headers['content-length']));
      const text = rest.toString('utf8');
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: parse(text), text });
    });
  });
}

function dechunk(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const nl = buf.indexOf('\r\n', at);
    if (nl < 0) break;
    const size = parseInt(buf.subarray(at, nl).toString(), 16);
    if (!size) break;
    parts.push(buf.subarray(nl + 2, nl + 2 + size));
    at = nl + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
