import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * The request-forwarding service between a standby and the active, defined in code (no .proto file to ship):
 * each message is a length-prefixed JSON head followed by the raw body bytes, so a body is never re-encoded.
 */

/** An HTTP request as the standby received it; headers keep their order and repeats. */
export interface ForwardedHttpRequest {
  method: string;
  /** Path and query as the client sent them, e.g. `/v1/secret/data/x?version=2`. */
  url: string;
  headers: [name: string, value: string][];
  body: Buffer;
  remoteAddress: string;
  remotePort: number;
}

export interface ForwardRequestMessage extends ForwardedHttpRequest {
  /** Node id of the standby that forwarded the request. */
  originNodeId: string;
}

/** The active's answer, relayed to the client verbatim. */
export interface ForwardedHttpResponse {
  status: number;
  headers: [name: string, value: string][];
  body: Buffer;
}

/** Who a standby is, sent with each heartbeat so the active can list it in `sys/ha-status`. */
export interface EchoSender {
  apiAddr: string;
  clusterAddr: string;
  hostname: string;
  version: string;
}

export interface EchoRequest extends Partial<EchoSender> {
  nodeId: string;
  /** Milliseconds since the epoch on the sender. */
  time: number;
  /** Round trip of the sender's previous heartbeat (ms). */
  echoDurationMs?: number;
  /** The active's clock minus the sender's, as the previous heartbeat measured it (ms). */
  clockSkewMs?: number;
}

export interface EchoReply {
  time: number;
  activeNodeId: string;
}

/** 32 MiB of body (Vault's `max_request_size`) plus headers; gRPC's default of 4 MiB would refuse large secrets. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

const SERVICE = '/strongroom.cluster.RequestForwarding';

/** Bytes of the head-length prefix. */
const PREFIX = 4;

/** One allocation and one copy of the body. */
function encodeFramed(head: unknown, body: Buffer): Buffer {
  const json = JSON.stringify(head);
  const jsonLen = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(PREFIX + jsonLen + body.length);
  out.writeUInt32BE(jsonLen, 0);
  out.write(json, PREFIX, 'utf8');
  body.copy(out, PREFIX + jsonLen);
  return out;
}

function decodeFramed(buf: Buffer): { head: Record<string, unknown>; body: Buffer } {
  if (buf.length < PREFIX) throw new Error('truncated forwarding message');
  const len = buf.readUInt32BE(0);
  if (PREFIX + len > buf.length) throw new Error('truncated forwarding message');
  const head: unknown = JSON.parse(buf.subarray(PREFIX, PREFIX + len).toString('utf8'));
  if (head === null || typeof head !== 'object' || Array.isArray(head)) throw new Error('malformed forwarding message');
  return { head: head as Record<string, unknown>, body: buf.subarray(PREFIX + len) };
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`forwarding message: ${what} must be a string`);
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`forwarding message: ${what} must be an integer`);
  return v;
}

function headerPairs(v: unknown): [string, string][] {
  if (!Array.isArray(v)) throw new Error('forwarding message: headers must be a list');
  return v.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new Error('forwarding message: each header must be a [name, value] pair of strings');
    }
    return [pair[0], pair[1]];
  });
}

export function encodeForwardRequest(m: ForwardRequestMessage): Buffer {
  const { body, ...head } = m;
  return encodeFramed(head, body);
}

export function decodeForwardRequest(buf: Buffer): ForwardRequestMessage {
  const { head, body } = decodeFramed(buf);
  return {
    method: str(head['method'], 'method'),
    url: str(head['url'], 'url'),
    headers: headerPairs(head['headers']),
    body,
    remoteAddress: str(head['remoteAddress'], 'remoteAddress'),
    remotePort: int(head['remotePort'], 'remotePort'),
    originNodeId: str(head['originNodeId'], 'originNodeId'),
  };
}

export function encodeForwardResponse(m: ForwardedHttpResponse): Buffer {
  const { body, ...head } = m;
  return encodeFramed(head, body);
}

export function decodeForwardResponse(buf: Buffer): ForwardedHttpResponse {
  const { head, body } = decodeFramed(buf);
  return { status: int(head['status'], 'status'), headers: headerPairs(head['headers']), body };
}

export function encodeEcho(m: EchoRequest): Buffer {
  return encodeFramed(m, Buffer.alloc(0));
}

export function decodeEcho(buf: Buffer): EchoRequest {
  const { head } = decodeFramed(buf);
  const out: EchoRequest = { nodeId: str(head['nodeId'], 'nodeId'), time: int(head['time'], 'time') };
  // Optional: a node of an older release sends only its id and time.
  for (const k of ['apiAddr', 'clusterAddr', 'hostname', 'version'] as const) if (head[k] !== undefined) out[k] = str(head[k], k);
  for (const k of ['echoDurationMs', 'clockSkewMs'] as const) if (head[k] !== undefined) out[k] = int(head[k], k);
  return out;
}

export function encodeEchoReply(m: EchoReply): Buffer {
  return encodeFramed(m, Buffer.alloc(0));
}

export function decodeEchoReply(buf: Buffer): EchoReply {
  const { head } = decodeFramed(buf);
  return { time: int(head['time'], 'time'), activeNodeId: str(head['activeNodeId'], 'activeNodeId') };
}

function unary<Req, Res>(
  name: string,
  reqEnc: (m: Req) => Buffer,
  reqDec: (b: Buffer) => Req,
  resEnc: (m: Res) => Buffer,
  resDec: (b: Buffer) => Res,
): MethodDefinition<Req, Res> {
  return {
    path: `${SERVICE}/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: reqEnc,
    requestDeserialize: reqDec,
    responseSerialize: resEnc,
    responseDeserialize: resDec,
  };
}

export const forwardRequestMethod = unary('ForwardRequest', encodeForwardRequest, decodeForwardRequest, encodeForwardResponse, decodeForwardResponse);
export const echoMethod = unary('Echo', encodeEcho, decodeEcho, encodeEchoReply, decodeEchoReply);

export const forwardingServiceDefinition: ServiceDefinition = {
  ForwardRequest: forwardRequestMethod,
  Echo: echoMethod,
};
