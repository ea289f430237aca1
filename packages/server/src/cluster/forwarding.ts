import type { IncomingHttpHeaders } from 'node:http';
import { NoActiveNodeError } from '@strongroom/core';
import { ForwardingError } from './errors.js';

/** What a standby answers itself (Vault's list, less the debugging endpoints Strongroom does not have). */
export const LOCALLY_SERVED_PATHS: ReadonlySet<string> = new Set([
  'sys/health',
  'sys/seal-status',
  'sys/init',
  'sys/unseal',
  'sys/leader',
  'sys/metrics',
]);

export const NO_REQUEST_FORWARDING_HEADER = 'x-vault-no-request-forwarding';

export interface StandbyRouteInput {
  /** The request path below `/v1/` (a leading `/v1/` and trailing slashes are tolerated). */
  path: string;
  /** Path and query exactly as the client sent them, e.g. `/v1/secret/data/x?version=2`: kept in a redirect. */
  originalUrl: string;
  headers: IncomingHttpHeaders;
  /** The active's advertisement as the standby last read it (`core.ha.currentLeader()`), or null. */
  leader: { api_addr: string } | null;
  /** This node's `disable_clustering`. */
  disableClustering: boolean;
  /** Whether a forwarding link to the active exists and is not known broken (`ForwardingClient.canForward()`). */
  canForward: boolean;
  /** Set when a forward was tried and failed: a transport failure turns into a redirect. */
  forwardError?: unknown;
}

export type StandbyRoute =
  | { kind: 'local' }
  | { kind: 'forward' }
  /** 307 with this `Location` and an empty body. */
  | { kind: 'redirect'; location: string }
  /** Hand to the error mapper: NoActiveNodeError (503), or a ForwardingError that is not safe to redirect. */
  | { kind: 'error'; error: Error };

/**
 * How a standby serves a request, as Vault's standby does: its own paths locally; everything else forwarded to the
 * active, or redirected there (307) when the client asked not to be forwarded, forwarding is off, there is no
 * link, or the link failed before the active saw the request; 503 when no active node is known.
 */
export function decideStandbyRoute(input: StandbyRouteInput): StandbyRoute {
  if (isLocallyServed(input.path)) return { kind: 'local' };
  const apiAddr = input.leader?.api_addr ?? '';
  if (apiAddr === '') return { kind: 'error', error: new NoActiveNodeError() };
  const err = input.forwardError;
  if (err !== undefined && !(err instanceof ForwardingError && err.transport)) {
    return { kind: 'error', error: err instanceof Error ? err : new ForwardingError('request forwarding failed', false) };
  }
  const redirect =
    err !== undefined || input.disableClustering || !input.canForward || headerValue(input.headers[NO_REQUEST_FORWARDING_HEADER]) !== '';
  if (!redirect) return { kind: 'forward' };
  const location = redirectLocation(apiAddr, input.originalUrl);
  return location === null ? { kind: 'error', error: new NoActiveNodeError() } : { kind: 'redirect', location };
}

export function isLocallyServed(path: string): boolean {
  return LOCALLY_SERVED_PATHS.has(path.replace(/^\/+/, '').replace(/^v1\//, '').replace(/\/+$/, ''));
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

function headerValue(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v.join('') : (v ?? '')).trim();
}
