import { createSecureContext, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { LeaderAdvertisement, Logger } from '@strongroom/core';
import { identityFromAdvertisement, sameCertificate, type ClusterIdentity } from './cluster-identity.js';
import { ForwardingError } from './errors.js';
import {
  MAX_MESSAGE_BYTES,
  echoMethod,
  forwardRequestMethod,
  type EchoReply,
  type EchoSender,
  type ForwardedHttpRequest,
  type ForwardedHttpResponse,
} from './forwarding-service.js';

export interface ForwardingClientOptions {
  /** This node's id, sent with every forwarded request so the active's audit log names the standby. */
  nodeId: string;
  /** Who this node is, sent with each heartbeat for the active's `sys/ha-status`. */
  sender?: EchoSender;
  /** Interval of the Echo heartbeat (ms); the link counts as healthy while one succeeded within two intervals. */
  heartbeatMs?: number;
  /** Deadline of one forwarded request (ms); Vault's `max_request_duration` default is 90 s. */
  forwardTimeoutMs?: number;
  logger?: Logger;
  /** Called once per forwarded request: 'ok' when the active answered (whatever its status), else 'error'. */
  onForward?: (outcome: 'ok' | 'error') => void;
}

/** What a standby adds to `sys/health` and `sys/leader` (Vault's field names). */
export interface ForwardingHealth {
  ha_connection_healthy: boolean;
  /** Milliseconds since the last successful heartbeat; 0 before the first one. */
  last_request_forwarding_heartbeat_ms: number;
}

interface Link {
  client: grpc.Client;
  identity: ClusterIdentity;
  target: string;
  /** Node id the active advertised, checked against the heartbeat's answer when known. */
  activeNodeId: string | null;
  timer: NodeJS.Timeout;
  since: number;
  lastHeartbeat: number | null;
  heartbeatInFlight: boolean;
  /** What the previous heartbeat measured, reported with the next one. */
  echoDurationMs: number;
  clockSkewMs: number;
}

/** gRPC codes that mean the request never reached the active's HTTP handler: safe to redirect the client. */
const TRANSPORT_CODES = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.UNAUTHENTICATED, grpc.status.UNIMPLEMENTED, grpc.status.PERMISSION_DENIED]);

/** A keepalive ping after this long without traffic; the connection is dropped when one goes unanswered. */
const KEEPALIVE_MS = 10_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;
/** The channel drops its connection after this long without a call; the heartbeat keeps it well inside. */
const IDLE_TIMEOUT_MS = 24 * 3_600_000;

/**
 * The standby's link to the active: follows the advertised leader (cluster address and certificate), keeps one
 * mutual-TLS gRPC channel to it (one HTTP/2 connection, a stream per request), heartbeats it, and forwards client
 * requests over it. The server's certificate must be exactly the advertised one (pinning), on top of being signed by it.
 */
export class ForwardingClient {
  private link: Link | null = null;
  private readonly heartbeatMs: number;
  private readonly forwardTimeoutMs: number;

  constructor(private readonly o: ForwardingClientOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 2000;
    this.forwardTimeoutMs = o.forwardTimeoutMs ?? 90_000;
  }

  /** Follows a leader change: reconnects when the cluster address or certificate changed; null drops the link. */
  setLeader(ad: LeaderAdvertisement | null): void {
    let identity: ClusterIdentity | null = null;
    let target = '';
    if (ad) {
      target = dialTarget(ad.cluster_addr);
      try {
        identity = identityFromAdvertisement(ad);
      } catch (err) {
        this.o.logger?.warn('active node advertised an unusable cluster identity; redirecting instead of forwarding', {
          error: (err as Error).message,
        });
      }
    }
    const cur = this.link;
    if (cur && identity && cur.target === target && sameCertificate(cur.identity.certDer, identity.certDer)) return;
    this.disconnect();
    if (!identity || target === '') return;
    const activeNodeId = typeof ad?.['cluster_node_id'] === 'string' ? ad['cluster_node_id'] : null;
    this.link = this.connect(target, identity, activeNodeId);
    this.o.logger?.info('request forwarding connecting to the active node', { cluster_addr: target });
  }

  /** True when a link to an active exists and is not known to be broken. */
  canForward(): boolean {
    const link = this.link;
    if (!link) return false;
    const state = link.client.getChannel().getConnectivityState(false);
    return state !== grpc.connectivityState.TRANSIENT_FAILURE && state !== grpc.connectivityState.SHUTDOWN;
  }

  /**
   * Sends one request to the active and resolves with its answer, whatever the status. Rejects with
   * ForwardingError; `transport` on it means the active never saw the request and the client may be redirected.
   * `signal` or `cancelWith` (handed a function that cancels) abandon the call, e.g. when the client went away.
   */
  forward(
    req: ForwardedHttpRequest,
    opts: { timeoutMs?: number; signal?: AbortSignal; cancelWith?: (cancel: () => void) => void } = {},
  ): Promise<ForwardedHttpResponse> {
    const link = this.link;
    if (!link) {
      this.o.onForward?.('error');
      return Promise.reject(new ForwardingError('no connection to the active node', true));
    }
    const deadline = Date.now() + (opts.timeoutMs ?? this.forwardTimeoutMs);
    const { signal } = opts;
    return new Promise<ForwardedHttpResponse>((resolve, reject) => {
      const call = link.client.makeUnaryRequest(
        forwardRequestMethod.path,
        forwardRequestMethod.requestSerialize,
        forwardRequestMethod.responseDeserialize,
        { ...req, originNodeId: this.o.nodeId },
        { deadline },
        (err, reply) => {
          signal?.removeEventListener('abort', cancel);
          if (err || !reply) {
            this.o.onForward?.('error');
            const code = err?.code ?? grpc.status.UNKNOWN;
            reject(new ForwardingError(`request forwarding failed: ${err?.details ?? 'no reply'}`, TRANSPORT_CODES.has(code), code, { cause: err }));
            return;
          }
          this.o.onForward?.('ok');
          resolve(reply);
        },
      );
      // grpc-js answers asynchronously, so `cancel` exists by the time the callback above runs.
      const cancel = (): void => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      opts.cancelWith?.(cancel);
    });
  }

  health(): ForwardingHealth {
    const link = this.link;
    const last = link?.lastHeartbeat ?? null;
    if (!link || last === null) return { ha_connection_healthy: false, last_request_forwarding_heartbeat_ms: 0 };
    const age = Date.now() - last;
    return { ha_connection_healthy: age <= 2 * this.heartbeatMs, last_request_forwarding_heartbeat_ms: age };
  }

  /**
   * Vault's "HA unhealthy": a link to the active exists and no heartbeat succeeded within two intervals of the
   * last success, or of connecting when none did yet. False without a link: no active to reach is not unhealthy.
   */
  unhealthy(): boolean {
    const link = this.link;
    if (!link) return false;
    return Date.now() - (link.lastHeartbeat ?? link.since) > 2 * this.heartbeatMs;
  }

  /** Seconds since the last heartbeat (or since connecting, before the first); 0 without a link. For metrics. */
  heartbeatAgeSeconds(): number {
    const link = this.link;
    if (!link) return 0;
    return (Date.now() - (link.lastHeartbeat ?? link.since)) / 1000;
  }

  /** Address of the active this client forwards to, `host:port`, or null. */
  target(): string | null {
    return this.link?.target ?? null;
  }

  close(): void {
    this.disconnect();
  }

  private connect(target: string, identity: ClusterIdentity, activeNodeId: string | null): Link {
    const context = createSecureContext({
      ca: identity.certPem,
      cert: identity.certPem,
      key: identity.keyPem,
      minVersion: 'TLSv1.2',
    });
    const pinned = identity.certDer;
    const creds = grpc.credentials.createFromSecureContext(context, {
      // Replaces the host-name check: the peer must present exactly the advertised certificate. It runs once per
      // connection, at the handshake.
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        sameCertificate(cert.raw, pinned) ? undefined : new Error('cluster peer certificate does not match the advertised one'),
    });
    const client = new grpc.Client(target, creds, {
      // The certificate names the cluster (its CN, also its one DNS name), not a host.
      'grpc.ssl_target_name_override': identity.serverName,
      'grpc.default_authority': identity.serverName,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // A restarted active should be found again within about a heartbeat.
      'grpc.initial_reconnect_backoff_ms': Math.min(1000, this.heartbeatMs),
      'grpc.max_reconnect_backoff_ms': Math.max(1000, this.heartbeatMs),
      // One connection for the link's whole life: its own subchannel (not shared with, or kept for, other clients),
      // kept open while idle, and a peer that stopped answering is noticed by keepalive pings.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.keepalive_time_ms': KEEPALIVE_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.client_idle_timeout_ms': IDLE_TIMEOUT_MS,
      // Nothing reads channelz; left on, it records every call.
      'grpc.enable_channelz': 0,
    });
    const link: Link = {
      client,
      identity,
      target,
      activeNodeId,
      since: Date.now(),
      lastHeartbeat: null,
      heartbeatInFlight: false,
      echoDurationMs: 0,
      clockSkewMs: 0,
      timer: setInterval(() => this.heartbeat(link), this.heartbeatMs),
    };
    link.timer.unref();
    this.heartbeat(link);
    return link;
  }

  private heartbeat(link: Link): void {
    if (link.heartbeatInFlight || this.link !== link) return;
    link.heartbeatInFlight = true;
    const start = Date.now();
    link.client.makeUnaryRequest(
      echoMethod.path,
      echoMethod.requestSerialize,
      echoMethod.responseDeserialize,
      { nodeId: this.o.nodeId, time: start, ...this.o.sender, echoDurationMs: link.echoDurationMs, clockSkewMs: link.clockSkewMs },
      { deadline: start + this.heartbeatMs },
      (err, reply?: EchoReply) => {
        link.heartbeatInFlight = false;
        if (this.link !== link) return;
        const now = Date.now();
        link.echoDurationMs = now - start;
        link.clockSkewMs = reply ? reply.time - now : 0;
        if (err || !reply) {
          this.o.logger?.debug('request forwarding heartbeat failed', { error: err?.details });
          return;
        }
        if (link.activeNodeId !== null && reply.activeNodeId !== link.activeNodeId) {
          this.o.logger?.warn('cluster peer is not the advertised active node', { peer: reply.activeNodeId });
          return;
        }
        link.lastHeartbeat = Date.now();
      },
    );
  }

  private disconnect(): void {
    const link = this.link;
    if (!link) return;
    this.link = null;
    clearInterval(link.timer);
    link.client.close();
  }
}

/** `https://host:port` (an advertisement's cluster_addr) -> `host:port` for gRPC. */
export function dialTarget(clusterAddr: string): string {
  return clusterAddr.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}
