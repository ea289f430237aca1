import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Core, Logger, Request } from '@strongroom/core';
import { silentLogger } from '@strongroom/core';
import express, { type Express, type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { DEFAULT_MAX_REQUEST_SIZE } from '../config/types.js';
import { sendError } from '../errors/error-response.js';
import { HttpError } from '../errors/http-error.js';
import { errorCode } from '../errors/status-table.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { clientToken, parseTarget, toLogicalRequest } from './logical-request.js';
import { serveMetrics } from './metrics-route.js';
import { redirectToActive } from './standby.js';
import { writeResponse } from './write-response.js';

/** Answers a request the core refused because this node is a standby (request forwarding plugs in here). */
export type StandbyHook = (req: ExpressRequest, res: ExpressResponse, request: Request) => void | Promise<void>;

export interface AppOptions {
  logger?: Logger;
  /** Shared by every listener of a server; a private one is made when absent. */
  metrics?: ServerMetrics;
  /** The listener's `max_request_size` in bytes; negative means no limit. Default 32 MiB. */
  maxRequestSize?: number;
  /** Seconds; 0 (the default) turns `sys/metrics?format=prometheus` off. */
  prometheusRetentionTime?: number;
  unauthenticatedMetricsAccess?: boolean;
  onStandby?: StandbyHook;
  /** For a request a standby forwarded, the standby's node id; strips a client-sent marker from any other request. */
  forwardedOrigin?: (req: ExpressRequest) => { nodeId: string } | undefined;
}

const forwardedFrom = new WeakMap<object, string>();

/**
 * The HTTP API of one node as an express app, separate from `listen`: `/v1/*` becomes a logical request for the
 * core, and the core's response (or error) becomes Vault's JSON.
 */
export function buildApp(core: Core, opts: AppOptions = {}): Express {
  const logger = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? new ServerMetrics(core, { runtime: false });
  const max = opts.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use((req, res, next) => {
    const origin = opts.forwardedOrigin?.(req);
    if (origin) forwardedFrom.set(req, origin.nodeId);
    const done = metrics.startRequest();
    const t0 = performance.now();
    res.once('close', () => {
      done(req.method, res.statusCode);
      logger.debug('http request', {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - t0) * 1000) / 1000,
        remote_address: req.socket.remoteAddress,
      });
    });
    next();
  });

  // Every body is read as bytes and parsed in one place (parse-body.ts): Vault reads JSON whatever the Content-Type.
  app.use(express.raw({ type: () => true, limit: max < 0 ? Infinity : max }));

  app.use(async (req: ExpressRequest, res: ExpressResponse) => {
    const target = parseTarget(req.originalUrl);
    if (!target) throw new HttpError('http_not_found', '');
    if (target.path === 'sys/metrics' && req.method === 'GET' && !target.query.get('help')) {
      await serveMetrics(
        core,
        metrics,
        { prometheusRetentionTime: opts.prometheusRetentionTime ?? 0, unauthenticated: opts.unauthenticatedMetricsAccess ?? false },
        { query: target.query, token: clientToken(req.headers), accept: req.headers.accept },
        res,
      );
      return;
    }
    const request = toLogicalRequest(req, target);
    const from = forwardedFrom.get(req);
    if (from) request.forwardedFrom = from;
    let response;
    try {
      response = await core.handleRequest(request);
    } catch (err) {
      if (errorCode(err) === 'standby') {
        if (opts.onStandby) {
          await opts.onStandby(req, res, request);
          return;
        }
        if (redirectToActive(core, req.originalUrl, res)) return;
      }
      throw err;
    }
    writeResponse(res, request, response, { httpPath: target.path, head: req.method === 'HEAD' });
  });

  app.use((err: unknown, req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    const e = bodyReadError(err);
    if (e === 'aborted') {
      res.destroy();
      return;
    }
    sendError(res as ServerResponse, e ?? err, logger, { method: req.method, path: req.originalUrl.split('?')[0] });
  });
  return app;
}

/** body-parser's failures (tagged with a stable `type`) as our typed errors. */
function bodyReadError(err: unknown): HttpError | 'aborted' | null {
  if (errorCode(err) !== null || typeof err !== 'object' || err === null) return null;
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number') return null;
  switch (type) {
    case 'entity.too.large':
      return new HttpError('http_body_too_large', 'http: request body too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('http_unsupported_media_type', 'unsupported content encoding');
    case 'request.aborted':
      return 'aborted';
    default:
      return status >= 400 && status < 500 ? new HttpError('http_malformed_body', 'failed to read the request body') : null;
  }
}
