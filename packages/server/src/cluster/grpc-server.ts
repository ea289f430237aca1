import http2, { type Http2SecureServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import {
  GRPC_CONTENT_TYPE,
  GrpcStatus,
  MESSAGE_HEADER_BYTES,
  encodeMessage,
  parseTimeout,
  unframeMessage,
  type GrpcStatusObject,
} from './grpc-wire.js';

/** What a handler learns about its call besides the request message. */
export interface UnaryCallContext {
  /** Whether the peer's certificate is exactly the pinned one (the chain alone only proves the cluster key signed it). */
  readonly peerPinned: boolean;
  /** True once the client cancelled the call or its deadline passed. */
  readonly cancelled: boolean;
  /** Runs `fn` when the call is cancelled (at once if it already was); a call answered in time never runs it. */
  onCancel(fn: () => void): void;
}

/**
 * Handles one unary call: resolves with the response, already framed as a gRPC message. A rejection with an
 * object carrying a numeric `code` is sent as that status; anything else as INTERNAL.
 */
export type UnaryHandler = (message: Buffer, ctx: UnaryCallContext) => Promise<Buffer>;

export interface UnaryGrpcServerOptions {
  keyPem: string;
  certPem: string;
  /** The only CA a client certificate may chain to. */
  caPem: string;
  /** Whether a client certificate (DER) is the one every call must present. */
  isPinned: (der: Buffer | undefined) => boolean;
  /** By method path, `/package.Service/Method`. */
  handlers: ReadonlyMap<string, UnaryHandler>;
  maxMessageBytes: number;
  /** Called for a handler failure that is not a status (it becomes INTERNAL). */
  onInternalError?: (err: unknown, path: string, cancelled: boolean) => void;
}

interface Listening {
  server: Http2SecureServer;
  sessions: Set<Http2Session>;
  closed: boolean;
}

const RESPONSE_HEADERS = { ':status': 200, 'content-type': `${GRPC_CONTENT_TYPE}+proto`, 'grpc-accept-encoding': 'identity' } as const;

/**
 * Unary gRPC calls over HTTP/2 and mutual TLS, on node:http2: each call is one stream, so concurrent calls of one
 * connection never wait for one another. The client certificate is checked against the pin once per connection.
 */
export class UnaryGrpcServer {
  private readonly listening: Listening[] = [];
  private readonly pinned = new WeakMap<Http2Session, boolean>();

  constructor(private readonly o: UnaryGrpcServerOptions) {}

  /** Listens on `host:port` (a bracketed IPv6 host is fine); resolves with the port bound. */
  async bind(hostPort: string): Promise<number> {
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i).replace(/^\[(.*)\]$/, '$1');
    const port = Number(hostPort.slice(i + 1));
    const server = http2.createSecureServer({
      key: this.o.keyPem,
      cert: this.o.certPem,
      ca: this.o.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      // Node's floor is 1.2 already; said here because the cluster link must never go below it.
      minVersion: 'TLSv1.2',
      allowHTTP1: false,
      noDelay: true,
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
    });
    const entry: Listening = { server, sessions: new Set(), closed: false };
    server.on('session', (session) => {
      // A handshake that was under way when the listener closed: the connection goes too.
      if (entry.closed) {
        session.destroy();
        return;
      }
      entry.sessions.add(session);
      session.once('close', () => entry.sessions.delete(session));
      session.on('error', () => undefined);
      const cert = (session.socket as unknown as { getPeerCertificate?: () => { raw?: Buffer } }).getPeerCertificate?.();
      this.pinned.set(session, this.o.isPinned(cert?.raw));
    });
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
    // A failed handshake or a broken connection ends that connection only.
    server.on('tlsClientError', () => undefined);
    server.on('sessionError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    this.listening.push(entry);
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** Stops accepting; calls in flight get `graceMs` to finish, then every connection is cut. */
  async close(graceMs: number): Promise<void> {
    const all = this.listening.splice(0);
    for (const entry of all) {
      entry.closed = true;
      entry.server.close();
      for (const s of entry.sessions) s.close();
    }
    const open = (): boolean => all.some(({ sessions }) => sessions.size > 0);
    const deadline = Date.now() + graceMs;
    while (open() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const { sessions } of all) for (const s of sessions) s.destroy();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const contentType = headers['content-type'];
    if (headers[':method'] !== 'POST' || typeof contentType !== 'string' || !contentType.startsWith(GRPC_CONTENT_TYPE)) {
      respondHttp(stream, 415);
      return;
    }
    const handler = this.o.handlers.get(path);
    if (!handler) return sendStatus(stream, { code: GrpcStatus.UNIMPLEMENTED, details: `unknown method ${path}` });
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      return sendStatus(stream, { code: GrpcStatus.UNIMPLEMENTED, details: `message encoding ${String(encoding)} is not supported` });
    }
    const timeoutMs = parseTimeout(headers['grpc-timeout']);
    if (timeoutMs === null) return sendStatus(stream, { code: GrpcStatus.INTERNAL, details: 'malformed grpc-timeout' });
    const call = new Call(stream, this.pinned.get(stream.session as Http2Session) ?? false);
    if (timeoutMs !== undefined) call.deadlineIn(timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (call.done) return;
      size += chunk.length;
      if (size > this.o.maxMessageBytes + MESSAGE_HEADER_BYTES) {
        call.finish({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'request message larger than the limit' });
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (call.done) return;
      const message = unframeMessage(chunks);
      if (!Buffer.isBuffer(message)) {
        call.finish(message);
        return;
      }
      handler(message, call).then(
        (reply) => call.finish(reply),
        (err: unknown) => {
          const status = statusOfError(err);
          if (status) call.finish(status);
          else {
            this.o.onInternalError?.(err, path, call.cancelled);
            call.finish({ code: GrpcStatus.INTERNAL, details: 'internal error' });
          }
        },
      );
    });
  }
}

/** One call's state: answered once, cancelled when the client goes away or the deadline passes. */
class Call implements UnaryCallContext {
  done = false;
  cancelled = false;
  private cancelHooks: (() => void)[] | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: ServerHttp2Stream,
    readonly peerPinned: boolean,
  ) {
    stream.once('close', () => {
      if (!this.done) this.cancel();
      this.done = true;
      if (this.timer) clearTimeout(this.timer);
    });
  }

  onCancel(fn: () => void): void {
    if (this.cancelled) fn();
    else (this.cancelHooks ??= []).push(fn);
  }

  deadlineIn(ms: number): void {
    this.timer = setTimeout(() => {
      this.finish({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'deadline exceeded' });
      this.cancel();
    }, ms);
  }

  finish(out: Buffer | GrpcStatusObject): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    if (Buffer.isBuffer(out)) sendMessage(this.stream, out);
    else sendStatus(this.stream, out);
  }

  private cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const hooks = this.cancelHooks;
    this.cancelHooks = null;
    for (const fn of hooks ?? []) fn();
  }
}

function writable(stream: ServerHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed && !stream.headersSent;
}

function sendMessage(stream: ServerHttp2Stream, framed: Buffer): void {
  if (!writable(stream)) return;
  stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }));
  stream.end(framed);
}

/** A status without a message: trailers-only, the status in the one HEADERS frame. */
function sendStatus(stream: ServerHttp2Stream, s: GrpcStatusObject): void {
  if (!writable(stream)) return;
  stream.respond({ ...RESPONSE_HEADERS, 'grpc-status': String(s.code), 'grpc-message': encodeMessage(s.details) }, { endStream: true });
}

function respondHttp(stream: ServerHttp2Stream, status: number): void {
  if (!writable(stream)) return;
  stream.respond({ ':status': status }, { endStream: true });
}

function statusOfError(err: unknown): GrpcStatusObject | null {
  if (err === null || typeof err !== 'object' || typeof (err as { code?: unknown }).code !== 'number') return null;
  const { code, details } = err as { code: number; details?: unknown };
  return { code, details: typeof details === 'string' ? details : '' };
}
