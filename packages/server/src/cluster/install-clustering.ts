import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { VERSION, type Logger, type Node } from '@strongroom/core';
import type { Registry } from 'prom-client';
import type { DirectDispatch } from '../http/direct-dispatch.js';
import { writeRedirect, type StandbyHandler } from '../http/standby.js';
import { ClusterIdentityStore, identityAdvertisement } from './cluster-identity.js';
import { ClusterListener } from './cluster-listener.js';
import { ForwardingClient } from './forwarding-client.js';
import { registerForwardingMetrics, type ForwardingMetrics } from './forwarding-metrics.js';
import { decideStandbyRoute, type StandbyRoute } from './forwarding.js';
import { captureRequest, writeForwardedResponse } from './http-relay.js';
import { PeerRegistry } from './peer-registry.js';

export interface InstallClusteringOptions {
  node: Node;
  /** The node's HTTP API for forwarded requests (buildApp's `dispatch`); the active serves them through it. */
  dispatch: DirectDispatch;
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

/**
 * Request forwarding of one node. As a StandbyHandler it serves what reaches the node while a standby: forwarded
 * to the active with the body as read (inflated), or a 307; it throws NoActiveNodeError (503) or a ForwardingError
 * that is not safe to redirect, for the error mapper.
 */
export interface Clustering extends StandbyHandler {
  readonly forwarder: ForwardingClient;
  /** The routing decision for a request on this standby, with the node's current state filled in. */
  route(req: IncomingMessage & { originalUrl?: string }): StandbyRoute;
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
  const identities = new ClusterIdentityStore(node.barrier, logger);
  let metrics: ForwardingMetrics | null = null;
  const heartbeatMs = o.heartbeatMs ?? 2000;
  // Standbys heard from while this node is active; one missed heartbeat or two are tolerated, as in Vault.
  const peers = new PeerRegistry(3 * heartbeatMs);
  const forwarder = new ForwardingClient({
    nodeId: node.id,
    sender: { apiAddr: node.options.apiAddr ?? '', clusterAddr: node.options.clusterAddr ?? '', hostname: hostname(), version: VERSION },
    heartbeatMs,
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
    peers.clear();
    if (disabled) return {};
    const identity = await identities.loadOrCreate();
    await stopListener();
    listenerOps = listenerOps.then(async () => {
      // A step-down or seal meanwhile queued its stop behind this start, or came before it: then start nothing.
      if (!node.isActive()) return;
      const l = new ClusterListener({
        identity,
        addresses,
        dispatch: o.dispatch,
        nodeId: node.id,
        isActive: () => node.isActive(),
        onEcho: (echo) => peers.record(echo),
        logger,
      });
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
    ha?.contributeLinkCheck(() => forwarder.unhealthy()),
    ha?.contributePeers(() => peers.list()),
    // A sealed standby drops the cluster key at once; a node that stops being active stops listening.
    node.on('sealed', () => {
      forwarder.setLeader(null);
      void stopListener();
    }),
    node.on('active', () => forwarder.setLeader(null)),
    node.on('standby', () => void stopListener()),
  ];

  const route = (req: IncomingMessage & { originalUrl?: string }, forwardError?: unknown): StandbyRoute =>
    decideStandbyRoute({
      originalUrl: req.originalUrl ?? req.url ?? '/',
      headers: req.headers,
      leader: ha?.currentLeader() ?? null,
      disableClustering: disabled,
      canForward: forwardError === undefined && forwarder.canForward(),
      ...(forwardError === undefined ? {} : { forwardError }),
    });

  return {
    forwarder,
    route: (req) => route(req),
    async serveStandby(req, res, body) {
      let decision = route(req);
      if (decision.kind === 'forward') {
        // A client gone before its answer cancels the forwarded call.
        let cancel: (() => void) | null = null;
        const onClose = (): void => {
          if (!res.writableFinished) cancel?.();
        };
        res.once('close', onClose);
        try {
          const reply = await forwarder.forward(captureRequest(req, { body }), { cancelWith: (c) => (cancel = c) });
          writeForwardedResponse(res, reply);
          return;
        } catch (err) {
          logger?.warn('request forwarding failed', { error: (err as Error).message });
          decision = route(req, err);
        } finally {
          res.off('close', onClose);
        }
      }
      if (decision.kind === 'redirect') writeRedirect(res, decision.location);
      else if (decision.kind === 'error') throw decision.error;
      else throw new Error('unreachable: forward decision after a failed forward');
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
