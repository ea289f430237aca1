import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, Node } from '@strongroom/core';
import type { Registry } from 'prom-client';
import { ClusterIdentityStore, identityAdvertisement } from './cluster-identity.js';
import { ClusterListener, type HttpHandler } from './cluster-listener.js';
import { ForwardedRequests, type ForwardedOrigin } from './forwarded-requests.js';
import { ForwardingClient } from './forwarding-client.js';
import { registerForwardingMetrics, type ForwardingMetrics } from './forwarding-metrics.js';
import { decideStandbyRoute, type StandbyRoute } from './forwarding.js';
import { captureRequest, writeForwardedResponse } from './http-relay.js';

export interface InstallClusteringOptions {
  node: Node;
  /** The node's HTTP handler (the express app); the active serves forwarded requests through it. */
  handler: HttpHandler;
  /** `host:port` of the cluster listener: each listener's `cluster_address`. */
  clusterListenAddress: string | readonly string[];
  /** `disable_clustering`: no cluster listener, nothing advertised, and this node redirects instead of forwarding. */
  disableClustering?: boolean;
  /** The node's prom-client registry, for the forwarding metrics. */
  registry?: Registry;
  logger?: Logger;
  /** Heartbeat interval (ms), default 2000. */
  heartbeatMs?: number;
  /** Deadline of one forwarded request (ms), default 90 s. */
  forwardTimeoutMs?: number;
}

export interface StandbyRequestInfo {
  /** The request path below `/v1/`. */
  path: string;
  /** The request body as read (express.raw: inflated); forwarded as is. */
  body?: Buffer;
}

export interface Clustering {
  readonly forwarder: ForwardingClient;
  /**
   * Call on every request before reading its headers. For a request a standby forwarded, its origin (standby id,
   * client address and port); for any other request, undefined, and a client-sent forwarded-from header is removed.
   */
  forwardedOrigin(req: IncomingMessage): ForwardedOrigin | undefined;
  /** The routing decision for a request on this standby, with the node's current state filled in. */
  route(req: IncomingMessage & { originalUrl?: string }, path: string): StandbyRoute;
  /**
   * Serves a request on a standby: forwards it and writes the active's answer, or writes a 307. Resolves false
   * when the node answers the path itself (go on with the local handler). Throws NoActiveNodeError (503) or a
   * ForwardingError that is not safe to redirect: hand it to the error mapper.
   */
  serveStandby(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, info: StandbyRequestInfo): Promise<boolean>;
  /** Where the cluster listener listens while this node is active (empty otherwise). */
  listenerAddresses(): string[];
  /** Undoes the wiring: stops the listener and the forwarding link, and unsubscribes from the node. */
  close(): Promise<void>;
}

/**
 * Wires request forwarding into a node: the active publishes the cluster identity (through the barrier) and runs
 * the cluster listener for as long as it is active; standbys follow the advertised leader with a forwarding client.
 */
export function installClustering(o: InstallClusteringOptions): Clustering {
  const { node, logger } = o;
  const disabled = o.disableClustering ?? false;
  const addresses = typeof o.clusterListenAddress === 'string' ? [o.clusterListenAddress] : [...o.clusterListenAddress];
  const forwarded = new ForwardedRequests();
  const identities = new ClusterIdentityStore(node.barrier, logger);
  let metrics: ForwardingMetrics | null = null;
  const forwarder = new ForwardingClient({
    nodeId: node.id,
    heartbeatMs: o.heartbeatMs,
    forwardTimeoutMs: o.forwardTimeoutMs,
    logger,
    onForward: (outcome) => metrics?.forwarded(outcome),
  });
  if (o.registry) metrics = registerForwardingMetrics(o.registry, forwarder);

  let listener: ClusterListener | null = null;
  // Listener starts and stops run one after another, in the order the node's state changed.
  let listenerOps: Promise<void> = Promise.resolve();
  const stopListener = (): Promise<void> => {
    listenerOps = listenerOps.then(async () => {
      const l = listener;
      listener = null;
      await l?.stop();
    });
    return listenerOps;
  };

  // Called each time this node becomes active, for the fields it adds to its advertisement.
  const onBecameActive = async (): Promise<Record<string, unknown>> => {
    forwarder.setLeader(null);
    if (disabled) return {};
    const identity = await identities.loadOrCreate();
    await stopListener();
    listenerOps = listenerOps.then(async () => {
      // A step-down or seal meanwhile queued its stop behind this start, or came before it: then start nothing.
      if (!node.isActive()) return;
      const l = new ClusterListener({ identity, addresses, handler: o.handler, nodeId: node.id, isActive: () => node.isActive(), forwarded, logger });
      try {
        await l.start();
        listener = l;
      } catch (err) {
        // Still advertise: standbys then fail to connect and redirect clients, which keeps the cluster usable.
        logger?.error('cluster listener failed to start; standbys will redirect instead of forwarding', { error: (err as Error).message });
      }
    });
    await listenerOps;
    return { ...identityAdvertisement(identity), cluster_node_id: node.id };
  };

  const ha = node.ha;
  const unsubscribe = [
    ha?.contributeAdvertisement(onBecameActive),
    ha?.onLeaderChange((ad) => forwarder.setLeader(disabled || node.isSealed() || node.isActive() ? null : ad)),
    ha?.contributeLinkHealth(() => ({ ...forwarder.health() })),
    // A sealed standby drops the cluster key at once; a node that stops being active stops listening.
    node.on('sealed', () => {
      forwarder.setLeader(null);
      void stopListener();
    }),
    node.on('active', () => forwarder.setLeader(null)),
    node.on('standby', () => void stopListener()),
  ];

  const route = (req: IncomingMessage & { originalUrl?: string }, path: string): StandbyRoute =>
    decideStandbyRoute({
      path,
      originalUrl: req.originalUrl ?? req.url ?? '/',
      headers: req.headers,
      leader: ha?.currentLeader() ?? null,
      disableClustering: disabled,
      // A request that already crossed the cluster hop is never sent on again: no forwarding loops.
      canForward: forwarder.canForward() && !forwarded.originOf(req),
    });

  return {
    forwarder,
    forwardedOrigin: (req) => forwarded.originOf(req),
    route,
    async serveStandby(req, res, info) {
      let decision = route(req, info.path);
      if (decision.kind === 'forward') {
        // A client gone before its answer cancels the forwarded call.
        let cancel: (() => void) | null = null;
        const onClose = (): void => {
          if (!res.writableFinished) cancel?.();
        };
        res.once('close', onClose);
        try {
          const reply = await forwarder.forward(captureRequest(req, { body: info.body }), { cancelWith: (c) => (cancel = c) });
          writeForwardedResponse(res, reply);
          return true;
        } catch (err) {
          logger?.warn('request forwarding failed', { error: (err as Error).message });
          decision = decideStandbyRoute({
            path: info.path,
            originalUrl: req.originalUrl ?? req.url ?? '/',
            headers: req.headers,
            leader: ha?.currentLeader() ?? null,
            disableClustering: disabled,
            canForward: false,
            forwardError: err,
          });
        } finally {
          res.off('close', onClose);
        }
      }
      switch (decision.kind) {
        case 'local':
          return false;
        case 'redirect':
          res.statusCode = 307;
          res.setHeader('location', decision.location);
          res.end();
          return true;
        case 'error':
          throw decision.error;
        case 'forward':
          throw new Error('unreachable: forward decision after a failed forward');
      }
    },
    listenerAddresses: () => listener?.addresses() ?? [],
    async close() {
      for (const u of unsubscribe) u?.();
      forwarder.close();
      metrics?.unregister();
      await stopListener();
    },
  };
}
