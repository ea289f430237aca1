import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@strongroom/core';
import type { DirectDispatch } from '../http/direct-dispatch.js';
import { sameCertificate, type ClusterIdentity } from './cluster-identity.js';
import {
  MAX_MESSAGE_BYTES,
  forwardingServiceDefinition,
  type EchoReply,
  type EchoRequest,
  type ForwardRequestMessage,
  type ForwardedHttpResponse,
} from './forwarding-service.js';
import { HOP_BY_HOP_HEADERS, joinRequestHeaders } from './http-relay.js';

export interface ClusterListenerOptions {
  identity: ClusterIdentity;
  /** `host:port` to listen on (a listener's `cluster_address`); port 0 picks a free port. */
  addresses: readonly string[];
  /** The node's HTTP API for forwarded requests (buildApp's `dispatch`). */
  dispatch: DirectDispatch;
  /** This node's id, returned by the heartbeat. */
  nodeId: string;
  /** Forwarded requests are served only while this holds; otherwise the standby is told to redirect. */
  isActive?: () => boolean;
  /** Called with each heartbeat this node accepted as the active: who the standby is and when it was heard. */
  onEcho?: (echo: EchoRequest) => void;
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
  private server: grpc.Server | null = null;
  private bound: string[] = [];

  constructor(private readonly o: ClusterListenerOptions) {}

  /** Binds every address; resolves with the bound `host:port`s (the real port where 0 was asked). */
  async start(): Promise<string[]> {
    if (this.server) return this.bound;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Nothing reads channelz; left on, it records every call.
      'grpc.enable_channelz': 0,
    });
    server.addService(forwardingServiceDefinition, {
      ForwardRequest: (call: grpc.ServerUnaryCall<ForwardRequestMessage, ForwardedHttpResponse>, cb: grpc.sendUnaryData<ForwardedHttpResponse>) => {
        this.forwardRequest(call).then(
          (r) => cb(null, r),
          (err: unknown) => {
            const status = toServiceError(err);
            if (status.code === grpc.status.INTERNAL && !call.cancelled) {
              this.o.logger?.error('forwarded request failed on the active node', { error: (err as Error).message });
            }
            cb(status);
          },
        );
      },
      Echo: (call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => {
        const refusal = this.refusal(call);
        if (refusal) {
          cb(refusal);
          return;
        }
        this.o.onEcho?.(call.request);
        cb(null, { time: Date.now(), activeNodeId: this.o.nodeId });
      },
    });
    // Node's TLS default floor is 1.2; the handshake is refused for anything older, and for a client certificate
    // that does not chain to the cluster certificate.
    const creds = grpc.ServerCredentials.createSsl(
      Buffer.from(this.o.identity.certPem),
      [{ cert_chain: Buffer.from(this.o.identity.certPem), private_key: Buffer.from(this.o.identity.keyPem) }],
      true,
    );
    this.server = server;
    try {
      for (const address of this.o.addresses) {
        const hostPort = listenAddress(address);
        const port = await new Promise<number>((resolve, reject) =>
          server.bindAsync(hostPort, creds, (err, p) => (err ? reject(err) : resolve(p))),
        );
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
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.o.logger?.info('cluster listener stopped');
  }

  /** Why a call is refused: the peer's certificate is not exactly the cluster certificate, or we are not active. */
  private refusal(call: grpc.ServerUnaryCall<unknown, unknown>): Partial<grpc.StatusObject> | null {
    if (!this.peerPinned(call)) return { code: grpc.status.UNAUTHENTICATED, details: 'peer certificate is not the cluster certificate' };
    if (this.o.isActive && !this.o.isActive()) return { code: grpc.status.UNAVAILABLE, details: 'node is not active' };
    return null;
  }

  /** Whether the call's connection presented exactly the cluster certificate (checked on every call). */
  private peerPinned(call: grpc.ServerUnaryCall<unknown, unknown>): boolean {
    return sameCertificate(call.getAuthContext().sslPeerCertificate?.raw, this.o.identity.certDer);
  }

  private async forwardRequest(call: grpc.ServerUnaryCall<ForwardRequestMessage, ForwardedHttpResponse>): Promise<ForwardedHttpResponse> {
    const refusal = this.refusal(call);
    if (refusal) throw refusal;
    const m = call.request;
    if (!METHOD.test(m.method) || !m.url.startsWith('/') || m.url.startsWith('//')) {
      throw { code: grpc.status.INVALID_ARGUMENT, details: 'malformed forwarded request' };
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of m.headers) {
      const key = name.toLowerCase();
      if (HOP_BY_HOP_HEADERS.has(key) || key === 'content-length') continue;
      const prev = headers[key];
      headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    // grpc-js may report a call as cancelled after it was answered; by then aborting does nothing.
    const cancelled = new AbortController();
    call.once('cancelled', () => cancelled.abort());
    // A standby forwards the body as it read it, already inflated and without its content-encoding.
    const reply = await this.o.dispatch({
      method: m.method.toUpperCase(),
      url: m.url,
      headers: joinRequestHeaders(headers, m.body.length),
      body: m.body,
      remoteAddress: m.remoteAddress,
      remotePort: m.remotePort,
      forwardedFrom: m.originNodeId,
      cancelled: cancelled.signal,
    });
    if (!reply) throw { code: grpc.status.UNAVAILABLE, details: 'node is not active' };
    return { status: reply.status, headers: reply.headers.filter(([name]) => !HOP_BY_HOP_HEADERS.has(name)), body: reply.body };
  }
}

/** `host:port` for gRPC's bind: a bare `:port` means every interface; a scheme is tolerated. */
export function listenAddress(address: string): string {
  const a = address.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return a.startsWith(':') ? `0.0.0.0${a}` : a;
}

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    return err as Partial<grpc.StatusObject>;
  }
  return { code: grpc.status.INTERNAL, details: 'forwarded request failed on the active node' };
}
