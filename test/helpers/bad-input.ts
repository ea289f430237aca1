// The cases and checks of test/bad-input.test.ts: what to send to every route family, and what a good answer is.
import { connect, type Socket } from 'node:net';
import type { Reply } from './http.js';

/** The listener's default `max_request_size`. */
export const MAX_REQUEST_SIZE = 32 * 1024 * 1024;

/** What a case must answer: an exact status, or any 4xx. */
export type Expect = number | '4xx';

export interface Case {
  method: string;
  /** The target after the host, e.g. `/v1/sys/policy/x`; sent byte for byte. */
  target: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
  expect?: Expect;
  /** The first error must match this. */
  message?: RegExp;
  /** Which node answers (default the unsealed dev node). */
  node?: 'dev' | 'fresh';
}

export const MALFORMED: (string | Buffer)[] = [
  '{bad json',
  '{"secret_shares": 1,',
  '[1, 2, 3]',
  '"a string"',
  '42',
  'tru',
  '{"a": 1}}',
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
];

/** Write endpoints of every route family (on the dev node unless marked). */
export const WRITE_ENDPOINTS: { method: string; path: string; node?: 'fresh' }[] = [
  { method: 'PUT', path: 'sys/init', node: 'fresh' },
  { method: 'PUT', path: 'sys/unseal', node: 'fresh' },
  { method: 'POST', path: 'sys/mounts/bad-input' },
  { method: 'POST', path: 'sys/mounts/secret/tune' },
  { method: 'POST', path: 'sys/auth/bad-input' },
  { method: 'POST', path: 'sys/auth/token/tune' },
  { method: 'PUT', path: 'sys/policy/bad-input' },
  { method: 'PUT', path: 'sys/policies/acl/bad-input' },
  { method: 'PUT', path: 'sys/audit/bad-input' },
  { method: 'PUT', path: 'sys/audit-hash/bad-input' },
  { method: 'PUT', path: 'sys/leases/lookup' },
  { method: 'PUT', path: 'sys/leases/renew' },
  { method: 'PUT', path: 'sys/leases/revoke' },
  { method: 'PUT', path: 'sys/leases/revoke-prefix/secret' },
  { method: 'PUT', path: 'sys/wrapping/wrap' },
  { method: 'PUT', path: 'sys/wrapping/unwrap' },
  { method: 'PUT', path: 'sys/wrapping/lookup' },
  { method: 'PUT', path: 'sys/wrapping/rewrap' },
  { method: 'PUT', path: 'sys/capabilities' },
  { method: 'PUT', path: 'sys/capabilities-self' },
  { method: 'PUT', path: 'sys/capabilities-accessor' },
  { method: 'POST', path: 'auth/token/create' },
  { method: 'POST', path: 'auth/token/lookup' },
  { method: 'POST', path: 'auth/token/renew' },
  { method: 'POST', path: 'auth/token/revoke' },
  { method: 'POST', path: 'auth/token/roles/bad-input' },
  { method: 'PUT', path: 'plain/bad-input' },
  { method: 'PUT', path: 'secret/data/bad-input' },
  { method: 'PUT', path: 'secret/metadata/bad-input' },
  { method: 'PUT', path: 'secret/delete/bad-input' },
  { method: 'PUT', path: 'secret/undelete/bad-input' },
  { method: 'PUT', path: 'secret/destroy/bad-input' },
  { method: 'PUT', path: 'secret/config' },
  { method: 'PUT', path: 'cubbyhole/bad-input' },
  { method: 'PUT', path: 'sys/rekey/init' },
  { method: 'PUT', path: 'sys/rekey/update' },
  { method: 'PUT', path: 'sys/generate-root/attempt' },
  { method: 'PUT', path: 'sys/generate-root/update' },
];

export const BAD_HCL = [
  'path "secret/*" { capabilities = ["read"',
  'path "secret/*" { capabilities = ["fly"] }',
  'path "secret/*" { capabilities = "read" }',
  'path { capabilities = ["read"] }',
  'this is not a policy',
  'path "secret/*" { capabilities = ["read"] min_wrapping_ttl = "soon" }',
  'path "secret/*" { capabilities = ["read"] allowed_parameters = "all" }',
  '{"path": 5}',
  '{"path": {"secret/*": {"capabilities": "read"}}}',
  'path "secret/*" { capabilities = ["read"] }\npath "secret/*" {',
];

/** What is wrong with one answer, or null. */
export function problem(c: Case, r: Reply): string | null {
  const expect = c.expect ?? '4xx';
  if (expect === '4xx' ? r.status < 400 || r.status > 499 : r.status !== expect) return `status ${r.status}, want ${expect}`;
  if (c.method === 'HEAD') return r.text === '' ? null : `a HEAD answer with a body: ${r.text.slice(0, 200)}`;
  if (!r.body || !Array.isArray(r.body.errors)) return `body is not {"errors": [...]}: ${JSON.stringify(r.text.slice(0, 200))}`;
  if (!r.body.errors.every((e: unknown) => typeof e === 'string')) return `errors are not strings: ${r.text.slice(0, 200)}`;
  // Vault explains a 400, 413 and 415; 403, 404 and 405 may come with an empty list.
  if ([400, 413, 415].includes(r.status) && !(r.body.errors[0]?.length > 0)) return `no message: ${r.text.slice(0, 200)}`;
  if (c.message && !c.message.test(r.body.errors[0] ?? '')) return `message ${JSON.stringify(r.body.errors[0])} does not match ${c.message}`;
  return null;
}

/**
 * Sends a body one byte over the limit. As Vault (Go's MaxBytesReader), the server reads up to the limit before
 * it refuses, so the whole body is sent; the server may close as soon as it answered.
 */
export function overLimit(base: string, token: string, method: string, target: string): Promise<Reply> {
  const u = new URL(base);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(u.port), u.hostname, async () => {
      const head = `${method} ${target} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\nX-Vault-Token: ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${MAX_REQUEST_SIZE + 1}\r\n\r\n`;
      s.write(head);
      let left = MAX_REQUEST_SIZE + 1;
      while (left > 0 && !s.destroyed && chunks.length === 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!s.write(part)) await drainedOrClosed(s);
      }
    });
    s.setTimeout(30_000, () => s.destroy(new Error('no answer')));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (err) => (chunks.length ? undefined : reject(err)));
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = null;
      }
      resolve({ status: Number(text.split(' ')[1]), headers: {}, body: parsed, text });
    });
  });
}

/** Waits for the socket to drain or close; removes both listeners, since the body is written in many chunks. */
function drainedOrClosed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done).off('close', done);
      resolve();
    };
    s.once('drain', done).once('close', done);
  });
}

/** One write endpoint per route family (every one of them goes through the same body reader). */
export const FAMILIES = [
  'sys/init', 'sys/unseal', 'sys/mounts/bad-input', 'sys/auth/bad-input', 'sys/policy/bad-input', 'sys/policies/acl/bad-input',
  'sys/audit/bad-input', 'sys/leases/renew', 'sys/wrapping/wrap', 'sys/capabilities', 'auth/token/create', 'plain/bad-input',
  'secret/data/bad-input', 'secret/metadata/bad-input', 'secret/destroy/bad-input', 'cubbyhole/bad-input', 'sys/rekey/init',
  'sys/generate-root/attempt',
];
