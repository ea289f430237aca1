import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';

/**
 * The `LIST` verb. Node's HTTP parser refuses methods it does not know before any request handler runs, yet
 * node-vault, hvac and Vault's own CLI send `LIST /v1/...`. On the parser's `clientError` for an invalid method whose
 * bytes start with `LIST `, the connection is taken over: its request line is rewritten to
 * `GET <path>?list=true` (Vault treats both alike), a `Connection: close` header is added, and the bytes (and what
 * follows on the socket) are replayed through the same server as a new in-process connection whose output is
 * written back to the client's socket. That connection closes after the response; the client reconnects for its
 * next request, as it does after any `Connection: close`.
 *
 * Node's parser no longer watches such a connection, so the shim enforces what it would have: the server's
 * `headersTimeout` until the request's headers are in and `requestTimeout` until its body is (408 and close), a
 * parser error on the replayed bytes answers and closes, and the client's socket stays open (and counted against
 * the server's `maxConnections`) only as long as the replayed connection lives.
 */

/** The longest request line we wait for before giving up (Node's default header limit is 16 KiB). */
const MAX_REQUEST_LINE = 16 * 1024;

type ParserError = Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number };

/** Node's own replies to a request it cannot parse (what it sends when no `clientError` listener exists). */
const PARSER_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export function installListShim(server: HttpServer | HttpsServer): void {
  // Client sockets already handed over: later parser errors on them (e.g. at end of input) are not ours to answer.
  const taken = new WeakSet<Duplex>();
  // The replayed connections' request timers, told when their request arrives.
  const watchers = new WeakMap<Duplex, (req: IncomingMessage) => void>();
  server.on('request', (req: IncomingMessage) => watchers.get(req.socket)?.(req));
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    if (socket instanceof ShimSocket) {
      // The replayed bytes did not parse: answer as Node would have, and let go of the client's socket.
      replyAndClose(socket, PARSER_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request');
      return;
    }
    if (taken.has(socket)) return;
    if (err.code === 'HPE_INVALID_METHOD' && err.rawPacket) {
      const start = listRequestStart(err.rawPacket, err.bytesParsed ?? 0);
      if (start >= 0) {
        taken.add(socket);
        replayAsGet(server, socket as Socket, err.rawPacket.subarray(start), watchers);
        return;
      }
      // Any other method the parser refuses: Vault answers an unknown method with 405.
      replyAndClose(socket, '405 Method Not Allowed', '{"errors":[]}');
      return;
    }
    replyAndClose(socket, PARSER_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request');
  });
}

/** Offset of the `LIST ` request line that failed to parse, or -1. Requests before it in the chunk were served. */
function listRequestStart(raw: Buffer, errorAt: number): number {
  const at = raw.lastIndexOf('LIST ', Math.max(errorAt, 0));
  if (at < 0) return -1;
  return at === 0 || raw[at - 1] === 0x0a ? at : -1;
}

function replyAndClose(socket: Duplex, status: string, body = ''): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const head = `HTTP/1.1 ${status}\r\nConnection: close\r\n`;
    const json = body === '' ? '' : `Content-Type: application/json\r\n`;
    socket.end(`${head}${json}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.once('finish', () => socket.destroy());
  } else {
    socket.destroy();
  }
}

/** `LIST /p?q HTTP/1.1` -> `GET /p?q&list=true HTTP/1.1` plus `Connection: close`; null if it is not a request line. */
export function rewriteListLine(line: string): string | null {
  const m = /^LIST (\S+) (HTTP\/\d\.\d)\r?$/.exec(line);
  if (!m) return null;
  const target = m[1]!;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const params = q < 0 ? [] : target.slice(q + 1).split('&').filter((p) => p !== '' && p !== 'list' && !p.startsWith('list='));
  params.push('list=true');
  return `GET ${path}?${params.join('&')} ${m[2]}\r\nConnection: close\r\n`;
}

/**
 * The server's header and request deadlines for the one request of a taken-over connection, counted from the
 * takeover (the `LIST ` bytes were the request's first). On expiry: 408 and close, as Node's own check does.
 */
function requestDeadlines(server: HttpServer | HttpsServer, socket: Socket, fail: (status: string) => void): { headersIn(req: IncomingMessage): void; stop(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const after = (ms: number): NodeJS.Timeout | undefined => {
    if (!(ms > 0)) return undefined;
    const t = setTimeout(() => fail('408 Request Timeout'), ms);
    t.unref();
    timers.add(t);
    return t;
  };
  const clear = (t: NodeJS.Timeout | undefined): void => {
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(t);
  };
  const headers = after(server.headersTimeout);
  const whole = after(server.requestTimeout);
  const stop = (): void => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  socket.once('close', stop);
  return {
    headersIn(req) {
      clear(headers);
      // The body is in once the parser completed the message, which it does right after a body-less request's
      // headers; a handler that never reads the body would not see 'end'.
      setImmediate(() => req.complete && clear(whole));
      req.once('end', () => clear(whole));
    },
    stop,
  };
}

function replayAsGet(
  server: HttpServer | HttpsServer,
  socket: Socket,
  first: Buffer,
  watchers: WeakMap<Duplex, (req: IncomingMessage) => void>,
): void {
  // Detach Node's parser: drop its data listener; adding ours below also stops the native read path.
  socket.removeAllListeners('data');
  let head: Buffer = Buffer.from(first);
  let shim: ShimSocket | null = null;
  let failed = false;
  const fail = (status: string): void => {
    if (failed) return;
    failed = true;
    deadlines.stop();
    // The replayed connection may have begun a response; replyAndClose then just cuts the connection.
    replyAndClose(shim ?? socket, status);
  };
  const deadlines = requestDeadlines(server, socket, fail);

  const start = (): void => {
    if (failed) return;
    const nl = head.indexOf(0x0a);
    if (nl < 0) {
      if (head.length > MAX_REQUEST_LINE) fail('414 URI Too Long');
      return;
    }
    const line = rewriteListLine(head.subarray(0, nl).toString('latin1'));
    if (line === null) {
      fail('400 Bad Request');
      return;
    }
    shim = new ShimSocket(socket, server instanceof TlsServer);
    watchers.set(shim, (req) => deadlines.headersIn(req));
    const rest = head.subarray(nl + 1);
    const launch = (): void => {
      if (server instanceof TlsServer) server.emit('secureConnection', shim);
      else server.emit('connection', shim);
      shim!.push(Buffer.concat([Buffer.from(line, 'latin1'), rest]));
    };
    // A response still being written on this socket goes first (only with pipelining).
    const inFlight = (socket as { _httpMessage?: NodeJS.EventEmitter & { writableFinished?: boolean } | null })._httpMessage;
    if (inFlight && !inFlight.writableFinished) inFlight.once('finish', launch);
    else launch();
  };

  socket.on('data', (chunk: Buffer) => {
    if (failed) return;
    if (shim) {
      if (!shim.push(chunk)) socket.pause();
      return;
    }
    head = Buffer.concat([head, chunk]);
    start();
  });
  socket.on('end', () => shim?.push(null));
  socket.on('close', () => shim?.destroy());
  start();
}

/**
 * The in-process connection a rewritten LIST request is served on: reads what the client sends, writes the
 * server's output to the client's socket, and carries the client's address for the request.
 */
class ShimSocket extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: boolean | undefined;

  constructor(
    private readonly real: Socket,
    tls: boolean,
  ) {
    super({ allowHalfOpen: true });
    this.remoteAddress = real.remoteAddress;
    this.remotePort = real.remotePort;
    this.remoteFamily = real.remoteFamily;
    this.localAddress = real.localAddress;
    this.localPort = real.localPort;
    if (tls) this.encrypted = true;
  }

  override _read(): void {
    this.real.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.real.destroyed) {
      cb(new Error('connection closed'));
      return;
    }
    this.real.write(chunk, encoding, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.real.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.real.destroy();
    cb(err);
  }

  // net.Socket methods the HTTP server may call on its connections; the real socket's settings stand.
  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  address(): AddressInfo | object {
    return this.real.address();
  }
}
