import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@strongroom/core';
import { inject } from 'light-my-request';
import { directDispatchOf } from '../http/direct-dispatch.js';
import { sameCertificate, type ClusterIdentity } from './cluster-identity.js';
import { FORWARDED_FROM_HEADER, ForwardedRequests } from './forwarded-requests.js';
import { MAX_MESSAGE_BYTES, echoMethod, forwardRequestMethod, type ForwardRequestMessage } from './forwarding-service.js';
import { UnaryGrpcServer, type UnaryCallContext, type UnaryHandler } from './grpc-server.js';
import { GrpcStatus, type GrpcStatusObject } from './grpc-wire.js';
import { HOP_BY_HOP_HEADERS, joinRequestHeaders } from './http-relay.js';

/**
 * The node's own HTTP request handler (the express app). Forwarded requests go to its direct dispatcher when it has
 * one (buildApp's app does); otherwise they are injected into it as if they came from a connection.
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ClusterListenerOptions {
  identity: ClusterIdentity;
  /** `host:port` to listen on (a listener's `cluster_address`); port 0 picks a free port. */
  addresses: readonly string[];
  handler: HttpHandler;
  /** This node's id, returned by the heartbeat. */
  nodeId: string;
  /** Forwarded requests are served only while this holds; otherwise the standby is told to redirect. */
  isActive?: () => boolean;
  /** Where injected requests are remembered, so the HTTP layer can tell them from client requests. */
  forwarded?: ForwardedRequests;
  logger?: Logger;
}

const METHOD = /^[A-Za-z][A-Za-z-]{0,31}$/;

/**
 * The active node's cluster port: gRPC over mutual TLS where the cluster certificate is both the only trusted CA
 * and the certificate each side presents, so only a node that could read it from the barrier (an unsealed one)
 * gets through the handshake. The client's certificate must also be the cluster certificate exactly: every call
 * over a connection that presented another one is refused.
 */
export class ClusterListener {
  readonly forwarded: ForwardedRequests;
  private server: UnaryGrpcServer | null = null;
  private bound: string[] = [];

  constructor(private readonly o: ClusterListenerOptions) {
    this.forwarded = o.forwarded ?? new ForwardedRequests();
  }

  /** Binds every address; resolves with the bound `host:port`s (the real port where 0 was asked). */
  async start(): Promise<string[]> {
    if (this.server) return this.bound;
    const { identity } = this.o;
    const handlers = new Map<string, UnaryHandler>([
      [forwardRequestMethod.path, (msg, call) => this.forwardRequest(msg, call)],
      [
        echoMethod.path,
        async (msg, call) => {
          this.refuse(call);
          try {
            echoMethod.requestDeserialize(msg);
          } catch (err) {
            throw status(GrpcStatus.INTERNAL, `cannot decode the heartbeat: ${(err as Error).message}`);
          }
          return echoMethod.responseMessage({ time: Date.now(), activeNodeId: this.o.nodeId });
        },
      ],
    ]);
    // The cluster certificate is the only CA, and the certificate each side presents; each connection's client
    // certificate is also pinned to it exactly, and a call over a connection that fails the pin is refused.
    const server = new UnaryGrpcServer({
      keyPem: identity.keyPem,
      certPem: identity.certPem,
      caPem: identity.certPem,
      isPinned: (der) => sameCertificate(der, identity.certDer),
      handlers,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      onInternalError: (err, _path, cancelled) => {
        if (!cancelled) this.o.logger?.error('forwarded request failed on the active node', { error: (err as Error).message });
      },
    });
    this.server = server;
    try {
      for (const address of this.o.addresses) {
        const hostPort = listenAddress(address);
        const port = await server.bind(hostPort);
        this.bound.push(`${hostPort.slice(0, hostPort.lastIndexOf(':'))}:${port}`);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.o.logger?.info('cluster listener started', { addresses: this.bound });
    return this.bound;
  }

  addresses(): string[] {
    return [...this.bound];
  }

  /** Stops accepting, gives in-flight calls `graceMs` to finish, then cuts every connection. */
  async stop(graceMs = 1000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.bound = [];
    await server.close(graceMs);
    this.o.logger?.info('cluster listener stopped');
  }

  /** Throws the status refusing a call: the peer's certificate is not exactly the cluster certificate, or we are not active. */
  private refuse(call: UnaryCallContext): void {
    if (!call.peerPinned) throw status(GrpcStatus.UNAUTHENTICATED, 'peer certificate is not the cluster certificate');
    if (this.o.isActive && !this.o.isActive()) throw status(GrpcStatus.UNAVAILABLE, 'node is not active');
  }

  private async forwardRequest(msg: Buffer, call: UnaryCallContext): Promise<Buffer> {
    this.refuse(call);
    let m: ForwardRequestMessage;
    try {
      m = forwardRequestMethod.requestDeserialize(msg);
    } catch (err) {
      throw status(GrpcStatus.INTERNAL, `cannot decode the forwarded request: ${(err as Error).message}`);
    }
    if (!METHOD.test(m.method) || !m.url.startsWith('/') || m.url.startsWith('//')) {
      throw status(GrpcStatus.INVALID_ARGUMENT, 'malformed forwarded request');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of m.headers) {
      const key = name.toLowerCase();
      if (HOP_BY_HOP_HEADERS.has(key) || key === 'content-length' || key === FORWARDED_FROM_HEADER) continue;
      const prev = headers[key];
      headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    headers[FORWARDED_FROM_HEADER] = m.originNodeId;
    const method = m.method.toUpperCase();
    // The HTTP layer serves the request without express when it can; a body still encoded needs express to inflate it.
    const direct = directDispatchOf(this.o.handler);
    if (direct && headers['content-encoding'] === undefined) {
      const reply = await direct({
        method,
        url: m.url,
        headers: joinRequestHeaders(headers, m.body.length),
        body: m.body,
        remoteAddress: m.remoteAddress,
        remotePort: m.remotePort,
        forwardedFrom: m.originNodeId,
      });
      if (!reply) throw status(GrpcStatus.UNAVAILABLE, 'node is not active');
      const out = reply.headers.filter(([name]) => !HOP_BY_HOP_HEADERS.has(name));
      return forwardRequestMethod.responseMessage({ status: reply.status, headers: out, body: reply.body });
    }
    return this.inject(m, method, headers, call);
  }

  /** Serves a forwarded request through the handler as if it came from a connection. */
  private async inject(m: ForwardRequestMessage, method: string, headers: Record<string, string | string[]>, call: UnaryCallContext): Promise<Buffer> {
    const origin = { nodeId: m.originNodeId, remoteAddress: m.remoteAddress, remotePort: m.remotePort };
    const res = await inject(
      (req, res) => {
        // A client that goes away cancels the request as a closed connection would.
        call.onCancel(() => req.destroy(new Error('forwarded request cancelled')));
        this.forwarded.mark(req, origin);
        // The mock socket has only an address; the audit log wants the port too.
        Object.assign(req.socket, { remotePort: m.remotePort });
        pinMethods(req, REQUEST_METHODS);
        pinMethods(res, RESPONSE_METHODS);
        this.o.handler(req, res);
      },
      {
        method: method as 'GET',
        url: m.url,
        // light-my-request invents a user-agent when there is none; keep the client's absence of one.
        headers: { 'user-agent': undefined as unknown as string, ...headers },
        ...(m.body.length > 0 ? { payload: m.body } : {}),
        remoteAddress: m.remoteAddress,
        // Vault's LIST method is not among Node's methods; the HTTP layer handles it like a real connection does.
        validate: false,
      },
    );
    const out: [string, string][] = [];
    for (const name in res.headers) {
      const value = res.headers[name];
      if (value === undefined || HOP_BY_HOP_HEADERS.has(name)) continue;
      if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
      else out.push([name, String(value)]);
    }
    return forwardRequestMethod.responseMessage({ status: res.statusCode, headers: out, body: res.rawPayload });
  }
}

/**
 * express swaps the prototype of every request and response for its own (which inherit from Node's), and would
 * so bypass the methods through which light-my-request feeds the body and captures the reply. Copying them onto
 * the objects themselves keeps them in force whatever prototype a framework installs.
 */
const REQUEST_METHODS = ['destroy'] as const;
const RESPONSE_METHODS = ['writeHead', 'write', 'end', 'destroy', 'setTimeout', 'addTrailers'] as const;

function pinMethods(target: object, names: readonly string[]): void {
  const t = target as Record<string, unknown>;
  for (const name of names) {
    const fn = t[name];
    if (typeof fn === 'function' && !Object.hasOwn(t, name)) t[name] = fn;
  }
}

/** `host:port` to bind: a bare `:port` means every interface; a scheme is tolerated. */
export function listenAddress(address: string): string {
  const a = address.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return a.startsWith(':') ? `0.0.0.0${a}` : a;
}

function status(code: number, details: string): GrpcStatusObject {
  return { code, details };
}
