import type { Logger, Node } from '@strongroom/core';
import { ConsulBackend, type Backend, type HABackend } from '@strongroom/storage';
import { installClustering, type Clustering } from '../cluster/index.js';
import type { ServerConfig } from '../config/types.js';
import type { DirectDispatch } from '../http/direct-dispatch.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { ServiceRegistration } from '../registration/service-registration.js';

export interface HAWiring {
  /** Serves what reaches the node while it is a standby: the HTTP layer's StandbyHandler. */
  clustering: Clustering;
  close(): Promise<void>;
}

/**
 * Request forwarding (cluster listener on the active, forwarding client on standbys) and Consul service
 * registration, for a node whose storage can hold the HA lock.
 */
export function installHA(o: {
  node: Node;
  config: ServerConfig;
  /** The HTTP API's dispatcher, through which the active serves forwarded requests. */
  dispatch: DirectDispatch;
  storage: Backend;
  haStorage?: HABackend;
  metrics: ServerMetrics;
  logger: Logger;
}): HAWiring {
  const clustering = installClustering({
    node: o.node,
    dispatch: o.dispatch,
    clusterListenAddress: o.config.listeners.map((l) => l.clusterAddress),
    disableClustering: o.config.disableClustering,
    registry: o.metrics.registry,
    logger: o.logger,
  });

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
    clustering,
    async close() {
      unsubscribe();
      await registration?.stop();
      await clustering.close();
    },
  };
}
