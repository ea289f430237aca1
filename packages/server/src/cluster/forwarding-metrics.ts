import { Counter, Gauge, type Registry } from 'prom-client';

export const HEARTBEAT_AGE_METRIC = 'strongroom_ha_forwarding_heartbeat_age_seconds';
export const FORWARDED_REQUESTS_METRIC = 'strongroom_ha_forwarded_requests_total';

export interface ForwardingMetrics {
  /** Counts one forwarded request by outcome. */
  forwarded(outcome: 'ok' | 'error'): void;
  /** Removes both metrics from the registry. */
  unregister(): void;
}

/**
 * Registers the standby's forwarding metrics on the node's own registry: the heartbeat age is read when scraped,
 * the forwarded-request counter is bumped by the forwarding client.
 */
export function registerForwardingMetrics(registry: Registry, source: { heartbeatAgeSeconds(): number }): ForwardingMetrics {
  // A node that re-installs clustering (tests, reload) replaces its metrics rather than failing on the name.
  registry.removeSingleMetric(HEARTBEAT_AGE_METRIC);
  registry.removeSingleMetric(FORWARDED_REQUESTS_METRIC);
  new Gauge({
    name: HEARTBEAT_AGE_METRIC,
    help: 'Seconds since the last successful request-forwarding heartbeat to the active node (0 when not a standby).',
    registers: [registry],
    collect() {
      this.set(source.heartbeatAgeSeconds());
    },
  });
  const counter = new Counter({
    name: FORWARDED_REQUESTS_METRIC,
    help: 'Requests this standby forwarded to the active node, by outcome (ok: the active answered).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    forwarded: (outcome) => counter.inc({ outcome }),
    unregister: () => {
      registry.removeSingleMetric(HEARTBEAT_AGE_METRIC);
      registry.removeSingleMetric(FORWARDED_REQUESTS_METRIC);
    },
  };
}
