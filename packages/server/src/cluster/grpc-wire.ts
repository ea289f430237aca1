import type { IncomingHttpHeaders } from 'node:http2';

/**
 * gRPC's wire format over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md), as much of it as the cluster link's unary calls use:
 * both ends of the link speak it directly on node:http2, and any gRPC client or server still understands them.
 */

/** gRPC status codes, numbered as the specification numbers them. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  PERMISSION_DENIED: 7,
  UNAUTHENTICATED: 16,
} as const;

/** A call's outcome other than OK: what a server sends in its trailers and a client rejects with. */
export interface GrpcStatusObject {
  code: number;
  details: string;
}

/** A failed call, on the client side. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
    this.name = 'GrpcCallError';
  }
}

export const GRPC_CONTENT_TYPE = 'application/grpc';
/** Bytes before each message: a compressed flag and a big-endian length. */
export const MESSAGE_HEADER_BYTES = 5;

/** Writes a message's header into the first five bytes of `out`, which holds `payloadLength` bytes after them. */
export function writeMessageHeader(out: Buffer, payloadLength: number): void {
  out[0] = 0;
  out.writeUInt32BE(payloadLength, 1);
}

/** `payload` as one length-prefixed, uncompressed message. */
export function frameMessage(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES + payload.length);
  writeMessageHeader(out, payload.length);
  payload.copy(out, MESSAGE_HEADER_BYTES);
  return out;
}

/** The single message of a unary call's body, or a status saying why there is none. */
export function unframeMessage(chunks: Buffer[]): Buffer | GrpcStatusObject {
  const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (buf.length < MESSAGE_HEADER_BYTES) return { code: GrpcStatus.INTERNAL, details: 'expected exactly one message' };
  if (buf[0] !== 0) return { code: GrpcStatus.UNIMPLEMENTED, details: 'compressed messages are not supported' };
  const len = buf.readUInt32BE(1);
  if (MESSAGE_HEADER_BYTES + len !== buf.length) return { code: GrpcStatus.INTERNAL, details: 'expected exactly one message' };
  return buf.subarray(MESSAGE_HEADER_BYTES);
}

/** `grpc-timeout` for a deadline `ms` from now: at most eight digits, as the specification allows. */
export function formatTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  if (m < 1e8) return `${m}m`;
  const s = Math.ceil(m / 1000);
  return s < 1e8 ? `${s}S` : `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}

const TIMEOUT_UNITS_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** Milliseconds of a `grpc-timeout` header; undefined when absent, null when malformed. */
export function parseTimeout(value: string | string[] | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(Array.isArray(value) ? (value[0] ?? '') : value);
  return m ? Number(m[1]) * TIMEOUT_UNITS_MS[m[2]!]! : null;
}

/** `grpc-message`: percent-encoded UTF-8 outside printable ASCII, and `%` itself. */
export function encodeMessage(details: string): string {
  if (!/[^\x20-\x24\x26-\x7e]/.test(details)) return details;
  let out = '';
  for (const byte of Buffer.from(details, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeMessage(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** The status in a set of trailers (or of a trailers-only response), if it carries one. */
export function statusOf(headers: IncomingHttpHeaders): GrpcStatusObject | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(Array.isArray(raw) ? raw[0] : raw);
  return { code: Number.isInteger(code) && code >= 0 ? code : GrpcStatus.UNKNOWN, details: decodeMessage(headers['grpc-message']) };
}

/** The status a client infers from an HTTP status when the server sent none (the specification's table). */
export function statusFromHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}
