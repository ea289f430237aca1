import type { Node } from '@strongroom/core';
import { PermissionDeniedError, SealedError } from '@strongroom/core';
import { HttpError } from '../errors/http-error.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { writeJson, type ResponseSink } from './write-json.js';

export interface MetricsRouteOptions {
  /** Seconds; 0 turns the Prometheus format off (Vault: `telemetry { prometheus_retention_time }`). */
  prometheusRetentionTime: number;
  /** The listener's `telemetry { unauthenticated_metrics_access }`. */
  unauthenticated: boolean;
}

/** Whether the client asked for Prometheus text: `?format=prometheus`, or an Accept header Prometheus sends. */
function wantsPrometheus(format: string | null, accept: string | undefined): boolean {
  if (format !== null && format !== '') {
    if (format === 'prometheus') return true;
    throw new HttpError('http_unsupported_format', `metrics format ${JSON.stringify(format)} is not supported (use "prometheus" or none)`);
  }
  const a = (accept ?? '').toLowerCase();
  return a.includes('prometheus/telemetry') || a.includes('application/openmetrics-text');
}

/**
 * A token may read metrics if its policies grant `read` on `sys/metrics`. The check runs here because the core has
 * no metrics route; it follows the same token lookup and ACL evaluation as the core's request pipeline.
 */
async function checkAccess(node: Node, token: string): Promise<void> {
  if (node.isSealed()) throw new SealedError();
  if (!token) throw new PermissionDeniedError();
  const entry = await node.tokens.lookup(token);
  if (!entry) throw new PermissionDeniedError();
  const acl = await node.policies.acl(entry.policies);
  if (!acl.allowOperation({ operation: 'read', path: 'sys/metrics', data: {} }).allowed) throw new PermissionDeniedError();
}

/** The metrics in the format asked for; also what the node's own `sys/metrics` path answers. */
export async function renderMetrics(
  metrics: ServerMetrics,
  prometheusRetentionTime: number,
  format: string | null,
  accept: string | undefined,
): Promise<{ body: unknown; contentType?: string }> {
  if (!wantsPrometheus(format, accept)) return { body: await metrics.json() };
  if (prometheusRetentionTime <= 0) throw new HttpError('http_metrics_disabled', 'prometheus is not enabled');
  return { body: await metrics.prometheusText(), contentType: metrics.prometheusContentType };
}

/**
 * `GET /v1/sys/metrics` without the request pipeline: for a listener with `unauthenticated_metrics_access` (as
 * Vault, unaudited) and on a standby, which serves its own metrics and has no pipeline to run them through.
 */
export async function serveMetrics(
  node: Node,
  metrics: ServerMetrics,
  opts: MetricsRouteOptions,
  req: { query: URLSearchParams; token: string; accept: string | undefined },
  res: ResponseSink,
): Promise<void> {
  const prometheus = wantsPrometheus(req.query.get('format'), req.accept);
  if (!opts.unauthenticated) await checkAccess(node, req.token);
  if (prometheus) {
    if (opts.prometheusRetentionTime <= 0) throw new HttpError('http_metrics_disabled', 'prometheus is not enabled');
    const text = await metrics.prometheusText();
    res.statusCode = 200;
    res.setHeader('Content-Type', metrics.prometheusContentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
    return;
  }
  writeJson(res, 200, await metrics.json());
}
