import { connect, type Socket } from 'node:net';

/** A parsed HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw client connection: writes bytes as given (so methods Node's client would refuse, or paths it would clean,
 * reach the server unchanged) and reads responses one after another off the same connection.
 */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(url: string): Promise<RawClient> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async more(): Promise<void> {
    if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString())}`);
    await new Promise<void>((r) => this.waiters.push(r));
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** One request: method, target, headers and an optional body (Content-Length added). */
  send(method: string, target: string, headers: Record<string, string> = {}, body?: string): void {
    const lines = [`${method} ${target} HTTP/1.1`, 'Host: localhost'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    this.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
  }

  /** Reads the next response (Content-Length or chunked; bodiless for 204/304 and when `head`). */
  async read(opts: { head?: boolean } = {}): Promise<RawResponse> {
    let end: number;
    while ((end = this.buf.indexOf('\r\n\r\n')) < 0) await this.more();
    const headText = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 4);
    const [statusLine, ...headerLines] = headText.split('\r\n');
    const status = Number(statusLine!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of headerLines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let body = Buffer.alloc(0);
    if (opts.head || status === 204 || status === 304) {
      // no body
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      while (this.buf.length < n) await this.more();
      body = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
    } else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        let nl: number;
        while ((nl = this.buf.indexOf('\r\n')) < 0) await this.more();
        const size = parseInt(this.buf.subarray(0, nl).toString(), 16);
        while (this.buf.length < nl + 2 + size + 2) await this.more();
        parts.push(this.buf.subarray(nl + 2, nl + 2 + size));
        this.buf = this.buf.subarray(nl + 2 + size + 2);
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
      body = this.buf;
      this.buf = Buffer.alloc(0);
    }
    return { status, headers, body: body.toString('utf8') };
  }

  /** Resolves once the server closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One request on a fresh connection. */
export async function rawRequest(url: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const c = await RawClient.open(url);
  try {
    c.send(method, target, { Connection: 'close', ...headers }, body);
    return await c.read({ head: method === 'HEAD' });
  } finally {
    c.close();
  }
}
