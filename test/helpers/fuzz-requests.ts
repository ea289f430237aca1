// Arbitraries for test/fuzz-http.test.ts: whole HTTP requests (method, target, headers, body) as a hostile client
// would send them, framed validly so they reach Strongroom's handlers rather than Node's parser.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

export interface FuzzRequest {
  method: string;
  target: string;
  /** `root` and `garbage` are resolved by the test; `none` sends no token. */
  token: 'root' | 'garbage' | 'none';
  headers: Record<string, string>;
  body?: Buffer;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'LIST', 'PATCH', 'HEAD', 'OPTIONS'];

// Known route families, so generated requests reach real handlers and not only 404s. Paths that would take the
// node out of service for the rest of the run (seal, step-down, revoking the root token) are left out.
const PREFIXES = [
  'sys/mounts', 'sys/mounts/secret/tune', 'sys/auth', 'sys/auth/token/tune', 'sys/policy', 'sys/policies/acl',
  'sys/audit', 'sys/audit-hash', 'sys/capabilities', 'sys/capabilities-self', 'sys/capabilities-accessor',
  'sys/leases/lookup', 'sys/leases/renew', 'sys/leases/revoke', 'sys/leases/lookup', 'sys/wrapping/wrap',
  'sys/wrapping/unwrap', 'sys/wrapping/lookup', 'sys/wrapping/rewrap', 'sys/tools/hash', 'sys/tools/random',
  'sys/internal/ui/mounts', 'sys/internal/counters/activity', 'sys/key-status', 'sys/seal-status', 'sys/leader',
  'sys/config/state/sanitized', 'sys/host-info', 'sys/in-flight-req', 'sys/loggers', 'sys/plugins/catalog',
  'sys/remount', 'sys/rekey/init', 'sys/generate-root/attempt', 'sys/metrics', 'sys/raw', 'sys/namespaces',
  'auth/token/create', 'auth/token/lookup', 'auth/token/lookup-self', 'auth/token/lookup-accessor', 'auth/token/roles',
  'auth/token/renew', 'auth/token/accessors', 'auth/userpass/users', 'auth/userpass/login', 'auth/approle/role',
  'auth/approle/login', 'secret', 'secret/data', 'secret/metadata', 'secret/config', 'secret/delete', 'secret/undelete',
  'secret/destroy', 'secret/subkeys', 'kv1', 'cubbyhole', 'identity/entity', 'nope', '',
];

const SEGMENT_PIECES = [
  '..', '.', '', '%2e%2e', '%2E%2e%2F', '%2f', '%00', '%ff', '%fe%ff', '%c0%ae', '%25', '%', '%zz', '%e2%80%a8',
  '__proto__', 'constructor', 'prototype', '*', '+', '~', '_q', '_foo', '%20', ';', ',', '@', '!', '$', '&', '=',
];

const unreserved = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~'.split(''));
const word = fc.string({ unit: unreserved, minLength: 1, maxLength: 12 });
const longWord = fc.integer({ min: 200, max: 600 }).map((n) => 'x'.repeat(n));
const pctByte = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`);

const segment = fc.oneof(
  { weight: 12, arbitrary: word },
  { weight: 3, arbitrary: fc.constantFrom(...SEGMENT_PIECES) },
  { weight: 2, arbitrary: fc.array(fc.oneof(word, pctByte, fc.constantFrom(...SEGMENT_PIECES)), { minLength: 1, maxLength: 4 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: longWord },
);

const query = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('?list=true', '?list=1', '?list=yes', '?version=1', '?version=-1', '?version=abc', '?cas=0', '?help=1', '?warning=x') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(word, fc.constantFrom('__proto__', 'constructor', 'list', 'version', 'format', 'prefix')), fc.oneof(word, pctByte)), { maxLength: 4 })
      .map((kv) => (kv.length ? `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}` : '')),
  },
);

export const target = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.array(segment, { maxLength: 3 }), fc.boolean(), query, fc.oneof({ weight: 12, arbitrary: fc.constant('/v1/') }, { weight: 1, arbitrary: fc.constantFrom('/v1//', '/', '/ui/', '/v1/../v1/', '/v1/./') }))
  .map(([prefix, segs, slash, q, root]) => `${root}${[prefix, ...segs].filter((s, i) => i > 0 || s !== '').join('/')}${slash ? '/' : ''}${q}`);

/** JSON-ish keys, with the ones that must stay data and never become structure. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'data', 'options', 'cas', 'type', 'policy', 'policies', 'password', 'token', 'ttl', 'num_uses', 'secret_shares',
      'secret_threshold', 'key', 'config', 'path', 'versions', 'role_id', 'secret_id', 'bind_secret_id', 'input', 'format',
      'algorithm', 'bytes', 'max_versions', 'rules', 'capabilities', 'paths', 'accessor', 'increment', 'lease_id', 'plugin_name',
      'description', 'default_lease_ttl', 'max_lease_ttl', 'meta', 'metadata', 'custom_metadata', 'delete_version_after',
    ),
  },
);

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '0', '-1', '1h', '9999999999999h', 'true', 'read', '["x"]', '{}', '__proto__', 'path "*" { capabilities = ["read"] }'),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -0),
);

const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('json')), { maxLength: 5 }).map((entries) => {
      // Built as text below, so `__proto__` stays an own key as a client would send it.
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  ),
}));

function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const bodyBytes: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => Buffer.from(deep(d, k))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.concat([Buffer.from('{"data":{"k":"'), Buffer.from(a), Buffer.from('"}}')])) },
  { weight: 1, arbitrary: fc.constantFrom('{bad json', '{"a":1}}', '', 'null', '[]', '"x"', '{"__proto__":{"policies":["root"]}}', '{"constructor":{"prototype":{"x":1}}}').map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 128 }).map((a) => Buffer.from(a)) },
);

const headerValue = fc.string({ unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZabcxyz[]^_{|}~'.split('')), maxLength: 24 });

const HEADER_VALUES: Record<string, fc.Arbitrary<string>> = {
  'Content-Type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'),
  'Content-Encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip, gzip'),
  'X-Vault-Wrap-TTL': fc.oneof(fc.constantFrom('1m', '0', '-5s', 'abc', '99999999999999999s', '1'), headerValue),
  'X-Vault-Request': fc.constant('true'),
  'X-Vault-Namespace': fc.oneof(fc.constantFrom('root', 'ns1/', '../'), headerValue),
  'X-Vault-Policy-Override': fc.constantFrom('true', 'false', 'x'),
  'X-Vault-Wrap-Format': fc.constantFrom('json', 'jwt', 'x'),
  'X-Forwarded-For': fc.constantFrom('10.0.0.1', 'x', '1.2.3.4, 5.6.7.8'),
  'Accept-Encoding': fc.constantFrom('gzip', 'br', '*', 'identity;q=0'),
  'X-Vault-Index': headerValue,
  'X-Vault-Inconsistent': fc.constantFrom('forward-active-node', 'fail', 'x'),
  Authorization: fc.oneof(fc.constantFrom('Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg=='), headerValue),
};

// At most two: a request full of odd headers is refused for the first and tells nothing about the rest.
const extraHeaders = fc
  .array(fc.oneof(...Object.entries(HEADER_VALUES).map(([name, value]) => value.map((v) => [name, v] as const))), { maxLength: 2 })
  .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

const hostile: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    target,
    token: fc.constantFrom<FuzzRequest['token']>('root', 'root', 'root', 'garbage', 'none'),
    headers: extraHeaders,
    body: bodyBytes,
    gzip: fc.constantFrom('none', 'none', 'none', 'real', 'lie'),
  })
  .map(({ method, target, token, headers, body, gzip }) => {
    const h: Record<string, string> = { ...headers };
    let b = body;
    // A real gzip body, or a lie: the header claims gzip over a plain body.
    if (gzip !== 'none' && b) {
      h['Content-Encoding'] = 'gzip';
      if (gzip === 'real') b = gzipSync(b);
    }
    return { method, target, token, headers: h, ...(b !== undefined ? { body: b } : {}) };
  });

/** A request close to what a real client sends (root token, a known route, a JSON object), so handlers run deep. */
const plausible: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'PUT', 'POST', 'LIST', 'DELETE'),
    prefix: fc.constantFrom(...PREFIXES.filter(Boolean)),
    names: fc.array(word, { maxLength: 2 }),
    body: fc.dictionary(key, json, { maxKeys: 4 }),
  })
  .map(({ method, prefix, names, body }) => ({
    method,
    target: `/v1/${[prefix, ...names].join('/')}`,
    token: 'root' as const,
    headers: {},
    ...(method === 'PUT' || method === 'POST' ? { body: Buffer.from(JSON.stringify(body)) } : {}),
  }));

export const request: fc.Arbitrary<FuzzRequest> = fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 2, arbitrary: plausible });
