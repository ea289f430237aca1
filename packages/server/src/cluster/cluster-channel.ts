import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect as tlsConnect, createSecureContext, type PeerCertificate } from 'node:tls';
import { sameCertificate, type ClusterIdentity } from './cluster-identity.js';
import {
  GRPC_CONTENT_TYPE,
  GrpcCallError,
  GrpcStatus,
  MESSAGE_HEADER_BYTES,
  formatTimeout,
  statusFromHttp,
  statusOf,
  unframeMessage,
  type GrpcStatusObject,
} from './grpc-wire.js';

export interface ClusterChannelOptions {
  /** `host:port` of the active's cluster listener. */
  target: string;
  identity: ClusterIdentity;
  /** The largest response message accepted, in bytes. */
  maxMessageBytes: number;
  /** First wait before reconnecting after a failed connection attempt; it grows 1.6 times per failure. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface CallOptions {
  /** Milliseconds since the epoch. */
  deadline: number;
  signal?: AbortSignal;
  /** Receives a function that cancels the call: cheaper than a signal when the caller holds no AbortController. */
  cancelWith?: (cancel: () => void) => void;
}

/**
 * `idle`: no connection, the next call opens one. `connecting`. `ready`. `failure`: the last attempt failed and calls
 * fail at once until the backoff has passed. `closed`: for good.
 */
export type ChannelState = 'idle' | 'connecting' | 'ready' | 'failure' | 'closed';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** How long a closed channel's calls in flight may still run before their connection is cut. */
const CLOSE_GRACE_MS = 10_000;
/** gRPC's default minimum connect timeout. */
const CONNECT_TIMEOUT_MS = 20_000;

/**
 * One HTTP/2 connection over mutual TLS to the active node, carrying unary gRPC calls. Every call of the node shares
 * it, each on its own stream, so concurrent calls never wait for one another. The server must present exactly the
 * advertised certificate (pinned on top of the chain check). A lost connection is reopened by the next call; a
 * failed attempt makes calls fail fast for a backoff, as gRPC channels do.
 */
export class ClusterChannel {
  private session: ClientHttp2Session | null = null;
  private connecting: Promise<ClientHttp2Session> | null = null;
  private current: ChannelState = 'idle';
  private lastError = '';
  private backoffMs: number;
  private backoffTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly o: ClusterChannelOptions) {
    this.backoffMs = o.initialBackoffMs;
    const i = o.target.lastIndexOf(':');
    this.host = o.target.slice(0, i).replace(/^\[(.*)\]$/, '$1');
    this.port = Number(o.target.slice(i + 1));
  }

  state(): ChannelState {
    return this.current;
  }

  /**
   * One unary call: `message` is the request already framed as a gRPC message; resolves with the response message.
   * Rejects with GrpcCallError: UNAVAILABLE when the connection failed or dropped, DEADLINE_EXCEEDED, CANCELLED
   * (`signal`), or the status the server answered.
   */
  async call(path: string, message: Buffer, opts: CallOptions): Promise<Buffer> {
    if (this.current === 'closed') throw new GrpcCallError(GrpcStatus.UNAVAILABLE, 'channel closed');
    if (this.current === 'failure') throw new GrpcCallError(GrpcStatus.UNAVAILABLE, `no connection to the active node: ${this.lastError}`);
    const session = this.session ?? (await this.connected(opts));
    return this.request(session, path, message, opts);
  }

  /** No new calls; those in flight may finish (their deadlines bound them), then the connection goes. */
  close(): void {
    this.current = 'closed';
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const s = this.session;
    this.session = null;
    if (!s) return;
    s.close();
    setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** The connection being opened, waited for no longer than the call's deadline allows (or until it is cancelled). */
  private async connected(opts: CallOptions): Promise<ClientHttp2Session> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded while connecting')), Math.max(0, opts.deadline - Date.now()));
      onAbort = () => reject(new GrpcCallError(GrpcStatus.CANCELLED, 'cancelled'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      opts.cancelWith?.(onAbort);
    });
    try {
      return await Promise.race([this.connect(), giveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private connect(): Promise<ClientHttp2Session> {
    if (this.connecting) return this.connecting;
    const { identity } = this.o;
    this.current = 'connecting';
    const secureContext = createSecureContext({ ca: identity.certPem, cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.2' });
    const pinned = identity.certDer;
    const attempt = new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = http2.connect(`https://${identity.serverName}`, {
        createConnection: () => {
          const socket = tlsConnect({
            host: this.host,
            port: this.port,
            secureContext,
            servername: identity.serverName,
            ALPNProtocols: ['h2'],
            // Replaces the host-name check: the peer must present exactly the advertised certificate.
            checkServerIdentity: (_host: string, cert: PeerCertificate) =>
              sameCertificate(cert.raw, pinned) ? undefined : new Error('cluster peer certificate does not match the advertised one'),
          });
          // Small messages both ways: never hold one back waiting for an acknowledgement (Nagle).
          socket.setNoDelay(true);
          return socket;
        },
        maxSessionMemory: Number.MAX_SAFE_INTEGER,
      });
      // An address that never answers fails the attempt, as gRPC's minimum connect timeout does.
      const timeout = setTimeout(() => session.destroy(new Error('connection attempt timed out')), CONNECT_TIMEOUT_MS);
      timeout.unref();
      session.once('close', () => clearTimeout(timeout));
      const onError = (err: Error): void => reject(err);
      session.once('error', onError);
      session.once('connect', () => {
        clearTimeout(timeout);
        session.off('error', onError);
        // Errors after the handshake end the session; its calls fail through their streams.
        session.on('error', () => undefined);
        resolve(session);
      });
      session.once('close', () => reject(new Error('connection closed')));
      const dead = (): void => {
        if (this.session === session) {
          this.session = null;
          if (this.current === 'ready') this.current = 'idle';
        }
      };
      session.once('close', dead);
      // The server is shutting down: no new streams on this connection; calls in flight finish.
      session.once('goaway', dead);
    });
    this.connecting = attempt.then(
      (session) => {
        this.connecting = null;
        if (this.current === 'closed') {
          session.destroy();
          throw new GrpcCallError(GrpcStatus.UNAVAILABLE, 'channel closed');
        }
        if (session.closed || session.destroyed) {
          this.current = 'idle';
          throw new GrpcCallError(GrpcStatus.UNAVAILABLE, 'connection closed');
        }
        this.session = session;
        this.current = 'ready';
        this.backoffMs = this.o.initialBackoffMs;
        if (this.inFlight === 0) session.unref();
        return session;
      },
      (err: Error) => {
        this.connecting = null;
        if (this.current !== 'closed') this.fail(err.message);
        throw new GrpcCallError(GrpcStatus.UNAVAILABLE, `cannot connect to the active node: ${err.message}`);
      },
    );
    return this.connecting;
  }

  /** A failed attempt: calls fail at once until the (jittered, growing) backoff has passed. */
  private fail(reason: string): void {
    this.current = 'failure';
    this.lastError = reason;
    const wait = this.backoffMs * (0.8 + Math.random() * 0.4);
    this.backoffMs = Math.min(this.backoffMs * 1.6, this.o.maxBackoffMs);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.current === 'failure') this.current = 'idle';
    }, wait);
    this.backoffTimer.unref();
  }

  private request(session: ClientHttp2Session, path: string, message: Buffer, opts: CallOptions): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const remaining = opts.deadline - Date.now();
      if (remaining <= 0) {
        reject(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded'));
        return;
      }
      if (opts.signal?.aborted) {
        reject(new GrpcCallError(GrpcStatus.CANCELLED, 'cancelled'));
        return;
      }
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(
          {
            ':method': 'POST',
            ':path': path,
            'content-type': GRPC_CONTENT_TYPE,
            te: 'trailers',
            'grpc-timeout': formatTimeout(remaining),
          },
          { endStream: false },
        );
      } catch (err) {
        // The session is closing (GOAWAY) or gone: the request never left.
        if (this.session === session) this.session = null;
        if (this.current === 'ready') this.current = 'idle';
        reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, `connection to the active node lost: ${(err as Error).message}`));
        return;
      }
      if (this.inFlight++ === 0) session.ref();
      let settled = false;
      let status: GrpcStatusObject | undefined;
      let local: GrpcStatusObject | undefined;
      let httpStatus = 0;
      let size = 0;
      const chunks: Buffer[] = [];
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (--this.inFlight === 0 && !session.destroyed) session.unref();
        const out = local ?? status ?? lostStatus(stream, httpStatus);
        if (out.code !== GrpcStatus.OK) {
          reject(new GrpcCallError(out.code, out.details));
          return;
        }
        const payload = unframeMessage(chunks);
        if (Buffer.isBuffer(payload)) resolve(payload);
        else reject(new GrpcCallError(payload.code, payload.details));
      };
      const abort = (s: GrpcStatusObject): void => {
        local ??= s;
        if (!stream.destroyed) stream.close(NGHTTP2_CANCEL);
        finish();
      };
      const onAbort = (): void => abort({ code: GrpcStatus.CANCELLED, details: 'cancelled' });
      const timer = setTimeout(() => abort({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'deadline exceeded' }), remaining);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      opts.cancelWith?.(onAbort);
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status'] ?? 0);
        // Trailers-only: the status came with the headers.
        status ??= statusOf(headers);
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.o.maxMessageBytes + MESSAGE_HEADER_BYTES) {
          abort({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'response message larger than the limit' });
          return;
        }
        chunks.push(chunk);
      });
      stream.on('trailers', (trailers) => {
        status ??= statusOf(trailers);
      });
      stream.on('error', () => undefined);
      stream.on('close', finish);
      stream.end(message);
    });
  }
}

/** Why a stream ended without a status: the connection dropped (or the server refused the stream), or HTTP said so. */
function lostStatus(stream: ClientHttp2Stream, httpStatus: number): GrpcStatusObject {
  const rst = stream.rstCode;
  if (httpStatus !== 0 && httpStatus !== 200) return { code: statusFromHttp(httpStatus), details: `HTTP status ${httpStatus}` };
  if (rst === NGHTTP2_REFUSED_STREAM || stream.session?.destroyed || stream.session?.closed || rst === undefined) {
    return { code: GrpcStatus.UNAVAILABLE, details: 'connection to the active node dropped' };
  }
  if (rst === NGHTTP2_CANCEL) return { code: GrpcStatus.CANCELLED, details: 'call cancelled by the server' };
  return { code: GrpcStatus.INTERNAL, details: `stream reset with code ${rst}` };
}
