import type { LeaderAdvertisement, Logger } from '@strongroom/core';
import { ClusterChannel } from './cluster-channel.js';
import { identityFromAdvertisement, sameCertificate, type ClusterIdentity } from './cluster-identity.js';
import { ForwardingError } from './errors.js';
import {
  MAX_MESSAGE_BYTES,
  echoMethod,
  forwardRequestMethod,
  type ForwardedHttpRequest,
  type ForwardedHttpResponse,
} from './forwarding-service.js';
import { GrpcCallError, GrpcStatus } from './grpc-wire.js';

export interface ForwardingClientOptions {
  /** This node's id, sent with every forwarded request so the active's audit log names the standby. */
  nodeId: string;
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
  channel: ClusterChannel;
  identity: ClusterIdentity;
  target: string;
  /** Node id the active advertised, checked against the heartbeat's answer when known. */
  activeNodeId: string | null;
  timer: NodeJS.Timeout;
  since: number;
  lastHeartbeat: number | null;
  heartbeatInFlight: boolean;
}

/** gRPC codes that mean the request never reached the active's HTTP handler: safe to redirect the client. */
const TRANSPORT_CODES = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.UNAUTHENTICATED, GrpcStatus.UNIMPLEMENTED, GrpcStatus.PERMISSION_DENIED]);

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
    const state = this.link?.channel.state();
    return state !== undefined && state !== 'failure' && state !== 'closed';
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
    const message = forwardRequestMethod.requestMessage({ ...req, originNodeId: this.o.nodeId });
    const deadline = Date.now() + (opts.timeoutMs ?? this.forwardTimeoutMs);
    return link.channel.call(forwardRequestMethod.path, message, { deadline, signal: opts.signal, cancelWith: opts.cancelWith }).then(
      (reply) => {
        let decoded: ForwardedHttpResponse;
        try {
          decoded = forwardRequestMethod.responseDeserialize(reply);
        } catch (err) {
          this.o.onForward?.('error');
          throw new ForwardingError(`request forwarding failed: ${(err as Error).message}`, false, GrpcStatus.INTERNAL, { cause: err });
        }
        this.o.onForward?.('ok');
        return decoded;
      },
      (err: unknown) => {
        this.o.onForward?.('error');
        const code = err instanceof GrpcCallError ? err.code : GrpcStatus.UNKNOWN;
        const details = err instanceof GrpcCallError ? err.details : String(err);
        throw new ForwardingError(`request forwarding failed: ${details}`, TRANSPORT_CODES.has(code), code, { cause: err });
      },
    );
  }

  health(): ForwardingHealth {
    const link = this.link;
    const last = link?.lastHeartbeat ?? null;
    if (!link || last === null) return { ha_connection_healthy: false, last_request_forwarding_heartbeat_ms: 0 };
    const age = Date.now() - last;
    return { ha_connection_healthy: age <= 2 * this.heartbeatMs, last_request_forwarding_heartbeat_ms: age };
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
    const channel = new ClusterChannel({
      target,
      identity,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      // A restarted active should be found again within about a heartbeat.
      initialBackoffMs: Math.min(1000, this.heartbeatMs),
      maxBackoffMs: Math.max(1000, this.heartbeatMs),
    });
    const link: Link = {
      channel,
      identity,
      target,
      activeNodeId,
      since: Date.now(),
      lastHeartbeat: null,
      heartbeatInFlight: false,
      timer: setInterval(() => this.heartbeat(link), this.heartbeatMs),
    };
    link.timer.unref();
    this.heartbeat(link);
    return link;
  }

  private heartbeat(link: Link): void {
    if (link.heartbeatInFlight || this.link !== link) return;
    link.heartbeatInFlight = true;
    const message = echoMethod.requestMessage({ nodeId: this.o.nodeId, time: Date.now() });
    link.channel
      .call(echoMethod.path, message, { deadline: Date.now() + this.heartbeatMs })
      .then((raw) => echoMethod.responseDeserialize(raw))
      .then(
        (reply) => {
          link.heartbeatInFlight = false;
          if (this.link !== link) return;
          if (link.activeNodeId !== null && reply.activeNodeId !== link.activeNodeId) {
            this.o.logger?.warn('cluster peer is not the advertised active node', { peer: reply.activeNodeId });
            return;
          }
          link.lastHeartbeat = Date.now();
        },
        (err: unknown) => {
          link.heartbeatInFlight = false;
          if (this.link !== link) return;
          this.o.logger?.debug('request forwarding heartbeat failed', { error: err instanceof GrpcCallError ? err.details : String(err) });
        },
      );
  }

  private disconnect(): void {
    const link = this.link;
    if (!link) return;
    this.link = null;
    clearInterval(link.timer);
    link.channel.close();
  }
}

/** `https://host:port` (an advertisement's cluster_addr) -> `host:port` for gRPC. */
export function dialTarget(clusterAddr: string): string {
  return clusterAddr.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}
