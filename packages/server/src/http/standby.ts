import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLocalPath, NoActiveNodeError, type HAStatus } from '@strongroom/core';

/** What every node serves itself at the HTTP layer: the core's local paths, and the node's own metrics. */
export function servedByEveryNode(url: string): boolean {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/^\/v1\//, '').replace(/\/+$/, '');
  return path === 'sys/metrics' || isLocalPath(path);
}

/**
 * Serves a request that reached a standby: forwards it to the active and writes the answer, or writes a 307.
 * Throws what the error mapper turns into Vault's answer (NoActiveNodeError: 503).
 */
export interface StandbyHandler {
  serveStandby(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, body: Buffer): Promise<void>;
}

/** The active's scheme and host (https when the address names none) followed by the client's path and query. */
export function redirectLocation(apiAddr: string, originalUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(apiAddr) ? apiAddr : `https://${apiAddr}`);
  } catch {
    return null;
  }
  const path = originalUrl.startsWith('/') ? originalUrl : `/${originalUrl}`;
  return `${url.protocol}//${url.host}${path}`;
}

/** Vault's 307 to the active node: an empty body, never cached. */
export function writeRedirect(res: ServerResponse, location: string): void {
  res.statusCode = 307;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

/**
 * A standby without request forwarding: 307 to the active node's api_addr when it is known (Vault's behaviour with
 * `X-Vault-No-Request-Forwarding`), else 503.
 */
export function redirectingStandby(haStatus: () => HAStatus): StandbyHandler {
  return {
    async serveStandby(req, res) {
      const ha = haStatus();
      const location = ha.leaderAddress ? redirectLocation(ha.leaderAddress, req.originalUrl ?? req.url ?? '/') : null;
      if (!location) throw new NoActiveNodeError();
      writeRedirect(res, location);
    },
  };
}
