// The HTTP client every command goes through: Vault's headers, one redirect followed (never https -> http), errors
// shaped like the Go client's, and the Go client's reading of 404 on logical paths (no value, unless a body says more).
import http from 'node:http';
import https from 'node:https';
import { ApiError, ConnectionError } from './errors.js';
import { dataOf, parseSecret, type Secret } from './secret.js';

export interface ClientConfig {
  /** Base address, e.g. `http://127.0.0.1:8200`. */
  address: string;
  token?: string;
  /** PEM bundle the server's certificate must chain to. */
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
  namespace?: string;
  wrapTtl?: string;
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | readonly string[]>;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export interface RawResponse {
  method: string;
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 1;
const USER_AGENT = 'strongroom-cli/0.1.0';

/** Percent-encodes what a path segment may not carry, leaving `/` and the usual sub-delimiters readable. */
function escapePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/gu, (c) => encodeURIComponent(c));
}

function encodeQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const v = query[key]!;
    for (const item of typeof v === 'string' ? [v] : v) params.append(key, item);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class Client {
  private currentToken: string | undefined;

  constructor(private readonly config: ClientConfig) {
    this.currentToken = config.token || undefined;
  }

  get address(): string {
    return this.config.address.replace(/\/+$/, '');
  }

  get token(): string | undefined {
    return this.currentToken;
  }

  setToken(token: string | undefined): void {
    this.currentToken = token || undefined;
  }

  url(path: string, query?: RequestOptions['query']): string {
    return `${this.address}/v1/${escapePath(path.replace(/^\/+/, ''))}${encodeQuery(query)}`;
  }

  /** Sends a request and returns whatever came back, whatever its status. */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, 'X-Vault-Request': 'true', ...opts.headers };
    if (this.currentToken) headers['X-Vault-Token'] = this.currentToken;
    if (this.config.namespace) headers['X-Vault-Namespace'] = this.config.namespace;
    if (this.config.wrapTtl) headers['X-Vault-Wrap-TTL'] = this.config.wrapTtl;
    let body: Buffer | undefined;
    if (opts.body !== undefined) {
      body = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    }
    let url = this.url(path, opts.query);
    for (let redirects = 0; ; redirects++) {
      const res = await this.send(method, url, headers, body);
      const location = res.headers.location;
      if (![301, 302, 307, 308].includes(res.status) || !location || redirects >= MAX_REDIRECTS) return res;
      const next = new URL(location, url);
      if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
        throw new ConnectionError(method, url, 'redirect would cause protocol downgrade');
      }
      url = next.toString();
    }
  }

  /** A request whose answer must be a success; returns the parsed JSON body, or null for an empty one (204). */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<unknown> {
    const res = await this.raw(method, path, opts);
    if (res.status >= 400) throw toApiError(res);
    return parseBody(res);
  }

  read(path: string, query?: RequestOptions['query']): Promise<Secret | null> {
    return this.logical('GET', path, { query });
  }

  write(path: string, data: unknown): Promise<Secret | null> {
    return this.logical('PUT', path, { body: data ?? {} });
  }

  list(path: string): Promise<Secret | null> {
    return this.logical('GET', path, { query: { list: 'true' } });
  }

  delete(path: string, query?: RequestOptions['query']): Promise<Secret | null> {
    return this.logical('DELETE', path, { query });
  }

  patch(path: string, data: unknown): Promise<Secret | null> {
    return this.logical('PATCH', path, { body: data ?? {}, contentType: 'application/merge-patch+json' });
  }

  /** Logical reads and writes: a 404 means "nothing there" unless its body carries data or warnings. */
  async logical(method: string, path: string, opts: RequestOptions = {}): Promise<Secret | null> {
    const res = await this.raw(method, path, opts);
    if (res.status === 404) {
      const secret = parseSecret(tryJson(res.body));
      if (secret && ((secret.warnings?.length ?? 0) > 0 || Object.keys(dataOf(secret)).length > 0)) return secret;
      return null;
    }
    if (res.status >= 400) throw toApiError(res);
    return parseSecret(parseBody(res));
  }

  private send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
    const target = new URL(url);
    const isTls = target.protocol === 'https:';
    const reqHeaders = { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
    const options: https.RequestOptions = {
      method,
      headers: reqHeaders,
      // One connection per request: a short-lived command must not be held open by idle keep-alive sockets.
      agent: false,
      timeout: this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    if (isTls) {
      options.ca = this.config.caCert;
      options.cert = this.config.clientCert;
      options.key = this.config.clientKey;
      options.rejectUnauthorized = !this.config.tlsSkipVerify;
      if (this.config.tlsServerName) options.servername = this.config.tlsServerName;
    }
    return new Promise((resolve, reject) => {
      const fail = (reason: string, cause?: unknown): void => reject(new ConnectionError(method, url, reason, { cause }));
      let req: http.ClientRequest;
      try {
        req = (isTls ? https : http).request(target, options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => fail(err.message, err));
          res.on('end', () =>
            resolve({
              method,
              url,
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        });
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err), err);
        return;
      }
      req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded)')));
      req.on('error', (err: NodeJS.ErrnoException) => fail(describeNetError(err, target), err));
      req.end(body);
    });
  }
}

function describeNetError(err: NodeJS.ErrnoException, target: URL): string {
  const host = target.host || target.hostname;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${host}: connect: connection refused`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${target.hostname}: no such host`;
    case 'ECONNRESET':
      return 'connection reset by peer';
    default:
      return err.message;
  }
}

function tryJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseBody(res: RawResponse): unknown {
  if (res.body.trim() === '') return null;
  try {
    return JSON.parse(res.body);
  } catch {
    throw new ApiError(res.method, res.url, res.status, [`invalid JSON in response: ${res.body.slice(0, 200)}`], true);
  }
}

export function toApiError(res: RawResponse): ApiError {
  const body = tryJson(res.body) as { errors?: unknown } | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const errors = Array.isArray(body.errors) ? body.errors.map(String) : [];
    return new ApiError(res.method, res.url, res.status, errors, false);
  }
  return new ApiError(res.method, res.url, res.status, [res.body], true);
}
