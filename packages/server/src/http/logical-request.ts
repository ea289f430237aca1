import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation, Request } from '@strongroom/core';
import { parseDurationSeconds } from '@strongroom/storage';
import { HttpError } from '../errors/http-error.js';
import { mediaType, parseRequestBody } from './parse-body.js';

/** What the HTTP layer needs from an incoming request (express's Request satisfies it). */
export interface IncomingRequest {
  method: string;
  /** The request target as received (`/v1/secret/data/a?version=2`). */
  url: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined };
}

export interface ParsedTarget {
  /** Path below `/v1/`, decoded, without a leading slash. */
  path: string;
  query: URLSearchParams;
}

/** A `.` or `..` path segment. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** Headers that carry credentials: never copied into the logical request (it is audited and logged). */
const SECRET_HEADERS = new Set(['x-vault-token', 'authorization', 'cookie', 'proxy-authorization']);

/**
 * Splits and decodes the request target. Traversal (`.`/`..` segments, also percent-encoded) and undecodable or
 * control characters are refused with 400: the raw target is never normalised behind the caller's back.
 */
export function parseTarget(url: string): ParsedTarget | null {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  if (!rawPath.startsWith('/v1/') && rawPath !== '/v1') return null;
  let path = rawPath.slice(4);
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      throw new HttpError('http_invalid_path', 'invalid path: bad percent-encoding');
    }
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new HttpError('http_invalid_path', 'invalid path: control characters');
  if (DOT_SEGMENT.test(path)) {
    throw new HttpError('http_invalid_path', 'invalid path: "." and ".." segments are not allowed');
  }
  return { path, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
}

/** Go's strconv.ParseBool, which Vault uses for `?list=`. */
function parseBool(s: string): boolean | null {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  return null;
}

/** Query parameters as request data: Vault's parseQuery (repeated keys joined, as our query is string-valued). */
function queryData(query: URLSearchParams, skip: string[]): Record<string, string> {
  // fromEntries defines each key, so a parameter named `__proto__` stays data.
  return Object.fromEntries([...new Set(query.keys())].filter((key) => !skip.includes(key)).map((key) => [key, query.getAll(key).join(',')]));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `X-Vault-Token` wins; else `Authorization: Bearer <token>`. */
export function clientToken(headers: IncomingHttpHeaders): string {
  const t = header(headers, 'x-vault-token')?.trim();
  if (t) return t;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  return m ? m[1]! : '';
}

/** `X-Vault-Wrap-TTL`: seconds or a duration; 0 means no wrapping (Vault's rule). */
function wrapTTL(headers: IncomingHttpHeaders): number | undefined {
  const raw = header(headers, 'x-vault-wrap-ttl')?.trim();
  if (!raw) return undefined;
  const invalid = (options?: { cause: unknown }) =>
    new HttpError('http_invalid_header', `error parsing X-Vault-Wrap-TTL: invalid duration ${JSON.stringify(raw)}`, options);
  // Vault refuses a negative wrap TTL rather than reading it as "no wrapping".
  if (raw.startsWith('-')) throw invalid();
  let seconds: number;
  try {
    seconds = parseDurationSeconds(raw);
  } catch (cause) {
    throw invalid({ cause });
  }
  return seconds > 0 ? seconds : undefined;
}

/** Which operation an HTTP method (and `?list` / `?help`) asks for; throws 405/415 as Vault does. */
function operationOf(req: IncomingRequest, target: ParsedTarget): { operation: Operation; takesBody: boolean } {
  switch (req.method) {
    case 'GET': {
      const list = target.query.get('list');
      if (list !== null && list !== '') {
        const b = parseBool(list);
        if (b === null) throw new HttpError('http_invalid_query', `invalid value for "list": ${JSON.stringify(list)}`);
        if (b) return { operation: 'list', takesBody: false };
      }
      if (target.query.get('help')) return { operation: 'help', takesBody: false };
      return { operation: 'read', takesBody: false };
    }
    case 'LIST':
      return { operation: 'list', takesBody: false };
    case 'HEAD':
      if (target.path.replace(/\/+$/, '') !== 'sys/health') throw new HttpError('http_method_not_allowed', '');
      return { operation: 'read', takesBody: false };
    case 'PUT':
    case 'POST':
      // The core picks create or update from the backend's existence check.
      return { operation: 'update', takesBody: true };
    case 'DELETE':
      return { operation: 'delete', takesBody: false };
    case 'PATCH': {
      const type = mediaType(header(req.headers, 'content-type'));
      if (type !== 'application/merge-patch+json') {
        throw new HttpError(
          'http_unsupported_media_type',
          `PATCH requires Content-Type "application/merge-patch+json", got ${JSON.stringify(type)}`,
        );
      }
      return { operation: 'patch', takesBody: true };
    }
    default:
      throw new HttpError('http_method_not_allowed', '');
  }
}

/** An HTTP request -> the core's logical request. */
export function toLogicalRequest(req: IncomingRequest, target: ParsedTarget): Request {
  const { operation, takesBody } = operationOf(req, target);
  let path = target.path;
  // Vault lists a folder: the path always ends in a slash.
  if (operation === 'list' && !path.endsWith('/')) path += '/';
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k, v]) => v !== undefined && !SECRET_HEADERS.has(k))
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v!]),
  );
  const out: Request = {
    id: randomUUID(),
    operation,
    path,
    data: takesBody ? parseRequestBody(Buffer.isBuffer(req.body) ? req.body : undefined, header(req.headers, 'content-type')) : {},
    clientToken: clientToken(req.headers),
    headers,
  };
  if (!takesBody) out.query = queryData(target.query, ['list', 'help']);
  const ttl = wrapTTL(req.headers);
  if (ttl !== undefined) out.wrapTTL = ttl;
  if (req.socket.remoteAddress !== undefined) out.remoteAddress = req.socket.remoteAddress;
  if (req.socket.remotePort !== undefined) out.remotePort = req.socket.remotePort;
  return out;
}
