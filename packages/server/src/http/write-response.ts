import { authBlock, isEmptyResponse, type Request, type Response, type WrapInfo } from '@strongroom/core';
import { writeEmpty, writeJson, type ResponseSink } from './write-json.js';

/**
 * sys routes whose `data` keys are also emitted at the top level of the envelope, for legacy clients that read
 * e.g. `resp["secret/"]` (Vault's injectDataIntoTopRoutes; an entry ending in `/` covers its whole subtree).
 */
const INJECT_EXACT = new Set([
  'sys/audit', 'sys/auth', 'sys/config/cors', 'sys/config/auditing/request-headers', 'sys/capabilities',
  'sys/capabilities-accessor', 'sys/capabilities-self', 'sys/ha-status', 'sys/key-status', 'sys/mounts', 'sys/policy',
  'sys/rekey/backup', 'sys/rekey/recovery-key-backup', 'sys/remount', 'sys/rotate', 'sys/wrapping/wrap',
]);
const INJECT_SUBTREES = [
  'sys/audit/', 'sys/audit-hash/', 'sys/auth/', 'sys/config/auditing/request-headers/', 'sys/mounts/', 'sys/policy/',
];

export function injectsDataAtTop(httpPath: string): boolean {
  return INJECT_EXACT.has(httpPath) || INJECT_SUBTREES.some((p) => httpPath.startsWith(p));
}

export { authBlock };

export function wrapInfoBlock(w: WrapInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    token: w.token,
    accessor: w.accessor,
    ttl: w.ttl,
    creation_time: w.creationTime,
    creation_path: w.creationPath,
  };
  if (w.wrappedAccessor) out.wrapped_accessor = w.wrappedAccessor;
  return out;
}

/** Vault's 200 envelope: every key always present, null or empty when unused. */
export function envelope(req: Request, resp: Response): Record<string, unknown> {
  return {
    request_id: req.id,
    lease_id: resp.secret?.leaseId ?? '',
    renewable: resp.secret?.renewable ?? false,
    lease_duration: resp.secret?.ttl ?? 0,
    data: resp.data ?? null,
    wrap_info: resp.wrapInfo ? wrapInfoBlock(resp.wrapInfo) : null,
    warnings: resp.warnings && resp.warnings.length > 0 ? resp.warnings : null,
    auth: resp.auth ? authBlock(resp.auth) : null,
    mount_type: resp.mountType ?? '',
  };
}


/**
 * Writes the core's response: a raw one as given (the core answers a read of nothing with its 404); nothing -> 204;
 * otherwise the envelope, with `data` also at the top level on the legacy sys routes.
 */
export function writeResponse(res: ResponseSink, req: Request, resp: Response, opts: { httpPath: string; head: boolean }): void {
  if (resp.raw) {
    writeRaw(res, resp.raw, opts.head);
    return;
  }
  // Help is answered bare, `{"help": ..., "openapi": ...}`, as Vault's help handler does.
  if (req.operation === 'help') {
    writeJson(res, 200, resp.data ?? {}, opts.head);
    return;
  }
  if (isEmptyResponse(resp)) {
    writeEmpty(res, 204);
    return;
  }
  const env = envelope(req, resp);
  // Envelope keys win over data keys of the same name, as with Vault's injector (its data keys come first).
  const body = resp.data && injectsDataAtTop(opts.httpPath) ? { ...resp.data, ...env } : env;
  writeJson(res, 200, body, opts.head);
}

function writeRaw(res: ResponseSink, raw: NonNullable<Response['raw']>, head: boolean): void {
  const { status, body, contentType } = raw;
  if (status === 204 || body === undefined || body === null) {
    if (contentType) res.setHeader('Content-Type', contentType);
    writeEmpty(res, status);
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    res.statusCode = status;
    res.setHeader('Content-Type', contentType ?? 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', buf.length);
    res.end(head ? undefined : buf);
    return;
  }
  writeJson(res, status, body, head, contentType);
}
