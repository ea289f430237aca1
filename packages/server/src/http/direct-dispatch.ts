import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request served without an HTTP connection or express (one a standby forwarded): the HTTP layer runs the same
 * steps on it as on a request from a socket, and hands back what it would have written.
 */
export interface DirectRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  /** As Node's HTTP server presents them: lower-case names, repeats joined. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
  remotePort: number;
  /** Node id of the standby that forwarded the request. */
  forwardedFrom: string;
  /** Aborted when the standby cancels the call (its client went away), as a closed connection would be. */
  cancelled?: AbortSignal;
}

export interface DirectReply {
  status: number;
  /** Lower-case names, repeats as separate pairs. */
  headers: [name: string, value: string][];
  body: Buffer;
}

/**
 * Serves a request directly; resolves null when this node cannot (it is no longer the active one), having done
 * nothing with it.
 */
export type DirectDispatch = (req: DirectRequest) => Promise<DirectReply | null>;

/**
 * The writing half of a ServerResponse, enough for the HTTP layer's writers: it keeps the status, the headers and
 * the body, and adds the `Date` header a real response carries.
 */
export class CapturedResponse {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  private readonly headers = new Map<string, string | string[]>();
  private body: Buffer = Buffer.alloc(0);
  private readonly finished: Promise<void>;
  private settle!: () => void;

  constructor(private readonly head: boolean) {
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.headers.set(name.toLowerCase(), typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value]);
    return this;
  }

  end(chunk?: string | Uint8Array, encoding?: BufferEncoding): this {
    if (this.headersSent) return this;
    this.headersSent = true;
    // A HEAD, 204 or 304 response has no body, whatever was written (as on a connection).
    const bodyless = this.head || this.statusCode === 204 || this.statusCode === 304;
    if (chunk !== undefined && !bodyless) this.body = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk);
    this.settle();
    return this;
  }

  /** A response cut short before it ended: whoever waits learns so. One that ended already stands. */
  destroy(): this {
    if (this.headersSent) return this;
    this.destroyed = true;
    this.headersSent = true;
    this.settle();
    return this;
  }

  /** Resolves once the response is complete, or with 'destroyed' when it was cut short. */
  async reply(): Promise<DirectReply | 'destroyed'> {
    await this.finished;
    if (this.destroyed) return 'destroyed';
    const headers: [string, string][] = [];
    for (const [name, value] of this.headers) {
      if (Array.isArray(value)) for (const v of value) headers.push([name, v]);
      else headers.push([name, value as string]);
    }
    if (!this.headers.has('date')) headers.push(['date', new Date().toUTCString()]);
    return { status: this.statusCode, headers, body: this.body };
  }
}
