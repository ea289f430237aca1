import type { Auth, Response } from '../logical/request.js';

/** Vault's `HTTPAuth`, as a login or token-create response shows it. */
export interface EnvelopeAuth {
  client_token: string;
  accessor: string;
  policies: string[];
  /** Left out when empty (`omitempty` in Vault). */
  token_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

/** Vault's `HTTPResponse`: the JSON body of a successful response, which a wrapping token keeps verbatim. */
export interface Envelope {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Record<string, unknown> | null;
  wrap_info: null;
  warnings: string[] | null;
  auth: EnvelopeAuth | null;
  mount_type: string;
}

/** The data keys Vault's `RespondWithStatusCode` uses for a response written as given (`logical.HTTPStatusCode` etc.). */
const STATUS = 'http_status_code';
const BODY = 'http_raw_body';
const CONTENT_TYPE = 'http_content_type';

/** Vault's `HTTPAuth` (sdk/logical), as a login or token-create response shows it and a wrapping token keeps it. */
export function authBlock(a: Auth): EnvelopeAuth {
  const out: EnvelopeAuth = {
    client_token: a.clientToken ?? '',
    accessor: a.accessor ?? '',
    policies: a.policies ? [...a.policies] : [],
    metadata: a.metadata ?? null,
    lease_duration: a.leaseDuration ?? a.ttl ?? 0,
    renewable: a.renewable ?? false,
    entity_id: a.entityId ?? '',
    token_type: a.tokenType ?? 'service',
    orphan: a.orphan ?? false,
    mfa_requirement: null,
    num_uses: a.numUses ?? 0,
  };
  const tokenPolicies = a.tokenPolicies ?? a.policies;
  if (tokenPolicies && tokenPolicies.length > 0) {
    // Vault's field order: token_policies right after policies.
    const { client_token, accessor, policies, ...rest } = out;
    return { client_token, accessor, policies, token_policies: [...tokenPolicies], ...rest };
  }
  return out;
}

function rawBytes(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(JSON.stringify(body ?? null), 'utf8');
}

/**
 * Vault's `LogicalResponseToHTTPResponse`: the secret's lease fields, data, warnings and auth in the wire shape. A raw
 * response keeps its status, content type and body (base64) in `data`, as Vault stores one.
 */
export function responseEnvelope(requestId: string, resp: Response): Envelope {
  let data = resp.data ?? null;
  if (resp.raw) {
    data = {
      [STATUS]: resp.raw.status,
      [CONTENT_TYPE]: resp.raw.contentType ?? 'application/json',
      [BODY]: rawBytes(resp.raw.body).toString('base64'),
    };
  }
  return {
    request_id: requestId,
    lease_id: resp.secret?.leaseId ?? '',
    renewable: resp.secret?.renewable ?? false,
    lease_duration: resp.secret?.ttl ?? 0,
    data,
    wrap_info: null,
    warnings: resp.warnings ? [...resp.warnings] : null,
    auth: resp.auth ? authBlock(resp.auth) : null,
    mount_type: resp.mountType ?? '',
  };
}

/**
 * The stored envelope as the response the client gets back from unwrap: the exact original body (its request id
 * included, as Vault answers), or the original raw response when that is what was wrapped.
 */
export function envelopeResponse(text: string): Response {
  const env = JSON.parse(text) as Partial<Envelope>;
  const data = env.data;
  if (data && typeof data === 'object' && (STATUS in data || BODY in data)) {
    const contentType = typeof data[CONTENT_TYPE] === 'string' ? data[CONTENT_TYPE] : 'application/json';
    const bytes = Buffer.from(typeof data[BODY] === 'string' ? data[BODY] : '', 'base64');
    let body: unknown = bytes.toString('utf8');
    if (contentType.includes('json')) {
      try {
        body = JSON.parse(body as string);
      } catch {
        // Not JSON after all: hand the text back as it was.
      }
    }
    return { raw: { status: typeof data[STATUS] === 'number' ? data[STATUS] : 200, body, contentType } };
  }
  return { raw: { status: 200, body: env, contentType: 'application/json' } };
}
