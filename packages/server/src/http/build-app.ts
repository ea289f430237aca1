import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger, Node } from '@strongroom/core';
import { redactTokenInPath, silentLogger } from '@strongroom/core';
import express, { type Express, type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { DEFAULT_MAX_REQUEST_SIZE } from '../config/types.js';
import { sendError } from '../errors/error-response.js';
import { HttpError } from '../errors/http-error.js';
import { errorCode } from '../errors/status-table.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { CapturedResponse, type DirectDispatch } from './direct-dispatch.js';
import type { InFlightRequests } from './in-flight.js';
import { clientToken, parseTarget, toLogicalRequest, type IncomingRequest } from './logical-request.js';
import { serveMetrics } from './metrics-route.js';
import { redirectingStandby, servedByEveryNode, type StandbyHandler } from './standby.js';
import type { ResponseSink } from './write-json.js';
import { writeResponse } from './write-response.js';

export interface AppOptions {
  logger?: Logger;
  /** Shared by every listener of a server; a private one is made when absent. */
  metrics?: ServerMetrics;
  /** The listener's `max_request_size` in bytes; negative means no limit. Default 32 MiB. */
  maxRequestSize?: number;
  /** Seconds; 0 (the default) turns `sys/metrics?format=prometheus` off. */
  prometheusRetentionTime?: number;
  unauthenticatedMetricsAccess?: boolean;
  /** Serves what reaches this node while it is a standby (request forwarding); default 307 to the active or 503. */
  standby?: StandbyHandler;
  /** Where requests are recorded while they are served, for `sys/in-flight-req`. */
  inFlight?: InFlightRequests;
}

/** The HTTP API of one node: the express app for its listeners, and the same steps for forwarded requests. */
export interface HttpApi {
  app: Express;
  /** Serves a request a standby forwarded, without express; resolves null when this node is no longer active. */
  dispatch: DirectDispatch;
}

/**
 * The HTTP API of one node, separate from `listen`: `/v1/*` becomes a logical request for the node, and its
 * response (or error) becomes Vault's JSON. Whether this node is a standby is decided once, as a request comes
 * in and before its body is parsed: a standby serves only what every node answers itself, and hands the rest on.
 */
export function buildApp(node: Node, opts: AppOptions = {}): HttpApi {
  const logger = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? new ServerMetrics(node, { runtime: false });
  const max = opts.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const standby = opts.standby ?? redirectingStandby(() => node.haStatus());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  /** Opens the books on one request; the function returned closes them with the status sent. */
  const account = (method: string, url: string, remoteAddress: string | undefined): ((status: number) => void) => {
    const done = metrics.startRequest();
    // A token in the URL must not reach the logs or sys/in-flight-req.
    const path = redactTokenInPath(url.split('?')[0]!);
    const forget = opts.inFlight?.begin({ method, path, remoteAddress });
    const t0 = performance.now();
    return (status) => {
      forget?.();
      done(method, status);
      logger.debug('http request', {
        method,
        path,
        status,
        duration_ms: Math.round((performance.now() - t0) * 1000) / 1000,
        remote_address: remoteAddress,
      });
    };
  };

  /** Everything after the body is read, for requests from a socket and forwarded ones alike. */
  const serve = async (req: IncomingRequest, url: string, res: ResponseSink, forwardedFrom?: string): Promise<void> => {
    const target = parseTarget(url);
    if (!target) throw new HttpError('http_not_found', '');
    // An active node runs an authenticated metrics read through its pipeline (ACL, audit, a use of the token).
    const directMetrics = opts.unauthenticatedMetricsAccess || !node.isActive() || !node.hasServerMetrics;
    if (target.path === 'sys/metrics' && req.method === 'GET' && !target.query.get('help') && directMetrics) {
      await serveMetrics(
        node,
        metrics,
        { prometheusRetentionTime: opts.prometheusRetentionTime ?? 0, unauthenticated: opts.unauthenticatedMetricsAccess ?? false },
        { query: target.query, token: clientToken(req.headers), accept: req.headers.accept },
        res,
      );
      return;
    }
    const request = toLogicalRequest(req, target);
    if (forwardedFrom) request.forwardedFrom = forwardedFrom;
    const response = await node.handleRequest(request);
    writeResponse(res, request, response, { httpPath: target.path, head: req.method === 'HEAD' });
  };

  // Every body is read as bytes and parsed in one place (parse-body.ts): Vault reads JSON whatever the Content-Type.
  const readBody = express.raw({ type: () => true, limit: max < 0 ? Infinity : max });

  // One layer keeps the books, reads the body and serves the request: every express layer costs on every request.
  app.use((req, res, next) => {
    const finish = account(req.method, req.originalUrl, req.socket.remoteAddress);
    res.once('close', () => finish(res.statusCode));
    const onStandby = node.isStandby() && !servedByEveryNode(req.originalUrl);
    readBody(req, res, (err?: unknown) => {
      if (err) next(err);
      else if (onStandby) standby.serveStandby(req, res, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)).catch(next);
      else serve(req, req.originalUrl, res).catch(next);
    });
  });

  app.use((err: unknown, req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    const e = bodyReadError(err);
    if (e === 'aborted') {
      res.destroy();
      return;
    }
    sendError(res as ServerResponse, e ?? err, logger, { method: req.method, path: req.originalUrl.split('?')[0] });
  });

  const dispatch: DirectDispatch = async (d) => {
    if (!node.isActive()) return null;
    const finish = account(d.method, d.url, d.remoteAddress);
    const res = new CapturedResponse(d.method === 'HEAD');
    const req: IncomingRequest = { method: d.method, url: d.url, headers: d.headers, body: d.body, socket: { remoteAddress: d.remoteAddress, remotePort: d.remotePort } };
    try {
      // The limit express.raw enforces on a socket's body.
      if (max >= 0 && d.body.length > max) throw new HttpError('http_body_too_large', 'http: request body too large');
      await serve(req, d.url, res, d.forwardedFrom);
    } catch (err) {
      // The node stopped being active before serving it, and did nothing: the standby sends it on again.
      if (errorCode(err) === 'standby') {
        finish(503);
        return null;
      }
      sendError(res as unknown as ServerResponse, err, logger, { method: d.method, path: d.url.split('?')[0] });
    }
    const reply = await res.reply();
    finish(res.statusCode);
    if (reply === 'destroyed') throw new Error('response destroyed before completion');
    return reply;
  };
  return { app, dispatch };
}

/** body-parser's failures (tagged with a stable `type`) as our typed errors. */
function bodyReadError(err: unknown): HttpError | 'aborted' | null {
  if (errorCode(err) !== null || typeof err !== 'object' || err === null) return null;
  const { type, status } = err as { type?: unknown; status?: unknown };
  // A body that does not inflate (`Content-Encoding: gzip` on plain bytes) carries a status but no type.
  if (typeof status !== 'number') return null;
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
