import type { Node, Logger } from '@strongroom/core';
import { ConsulBackend, type Backend, type HABackend } from '@strongroom/storage';
import type { Express, Request as ExpressRequest } from 'express';
import { installClustering, type Clustering } from '../cluster/index.js';
import type { ServerConfig } from '../config/types.js';
import type { StandbyHook } from '../http/build-app.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { ServiceRegistration } from '../registration/service-registration.js';

/** The hooks the HTTP layer needs before the HA machinery exists (the app must be built first). */
export interface HAHooks {
  onStandby: StandbyHook;
  forwardedOrigin: (req: ExpressRequest) => { nodeId: string } | undefined;
}

export interface HAWiring {
  close(): Promise<void>;
}

/** Late-bound hooks: they answer with 307/503 until `installHA` has connected the clustering. */
export function haHooks(): HAHooks & { bind(c: Clustering): void } {
  let clustering: Clustering | null = null;
  return {
    bind(c) {
      clustering = c;
    },
    forwardedOrigin: (req) => clustering?.forwardedOrigin(req),
    onStandby: async (req, res, request) => {
      if (!clustering) throw new Error('clustering not ready');
      const served = await clustering.serveStandby(req, res, { path: request.path, body: Buffer.isBuffer(req.body) ? req.body : undefined });
      if (!served) throw new Error(`standby cannot serve ${request.path}`);
    },
  };
}

/**
 * Request forwarding (cluster listener on the active, forwarding client on standbys) and Consul service
 * registration, for a node whose storage can hold the HA lock.
 */
export function installHA(o: {
  node: Node;
  config: ServerConfig;
  app: Express;
  hooks: ReturnType<typeof haHooks>;
  storage: Backend;
  haStorage?: HABackend;
  metrics: ServerMetrics;
  logger: Logger;
}): HAWiring {
  const clustering = installClustering({
    node: o.node,
    handler: o.app,
    clusterListenAddress: o.config.listeners.map((l) => l.clusterAddress),
    disableClustering: o.config.disableClustering,
    registry: o.metrics.registry,
    logger: o.logger,
  });
  o.hooks.bind(clustering);

  let registration: ServiceRegistration | null = null;
  const consulCfg = o.config.haStorage ?? (o.config.storage.type === 'consul' ? o.config.storage : undefined);
  const consul = o.haStorage ?? o.storage;
  if (consulCfg && !consulCfg.disableRegistration && consul instanceof ConsulBackend) {
    registration = new ServiceRegistration({
      client: consul.client,
      service: consulCfg.service,
      extraTags: consulCfg.serviceTags,
      apiAddr: o.node.options.apiAddr ?? o.config.apiAddr,
      checkTtlMs: consulCfg.checkTimeoutMs,
      state: () => ({ sealed: o.node.isSealed(), active: o.node.isActive() }),
      logger: o.logger,
    });
    registration.start();
  }
  const unsubscribe = o.node.on('change', () => registration?.notify());
  return {
    async close() {
      unsubscribe();
      await registration?.stop();
      await clustering.close();
    },
  };
}
