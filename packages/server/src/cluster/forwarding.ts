import type { IncomingHttpHeaders } from 'node:http';
import { NoActiveNodeError } from '@strongroom/core';
import { redirectLocation } from '../http/standby.js';
import { ForwardingError } from './errors.js';

export const NO_REQUEST_FORWARDING_HEADER = 'x-vault-no-request-forwarding';

/** A request that reached a standby and is not one every node answers itself (the HTTP layer decided that). */
export interface StandbyRouteInput {
  /** Path and query exactly as the client sent them, e.g. `/v1/secret/data/x?version=2`: kept in a redirect. */
  originalUrl: string;
  headers: IncomingHttpHeaders;
  /** The active's advertisement as the standby last read it (`node.ha.currentLeader()`), or null. */
  leader: { api_addr: string } | null;
  /** This node's `disable_clustering`. */
  disableClustering: boolean;
  /** Whether a forwarding link to the active exists and is not known broken (`ForwardingClient.canForward()`). */
  canForward: boolean;
  /** Set when a forward was tried and failed: a transport failure turns into a redirect. */
  forwardError?: unknown;
}

export type StandbyRoute =
  | { kind: 'forward' }
  /** 307 with this `Location` and an empty body. */
  | { kind: 'redirect'; location: string }
  /** Hand to the error mapper: NoActiveNodeError (503), or a ForwardingError that is not safe to redirect. */
  | { kind: 'error'; error: Error };

/**
 * How a standby serves what it does not answer itself, as Vault does: forwarded to the active, or redirected there
 * (307) when the client asked not to be forwarded, forwarding is off, there is no link, or the link failed before
 * the active saw the request; 503 when no active node is known.
 */
export function decideStandbyRoute(input: StandbyRouteInput): StandbyRoute {
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

function headerValue(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v.join('') : (v ?? '')).trim();
}
