import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decrypt as decrypt_, generateKey, readMessage } from 'openpgp';
import { runServer, type RunningServer } from '@strongroom/server';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { BAD_HCL, FAMILIES, MALFORMED, MAX_REQUEST_SIZE, WRITE_ENDPOINTS, overLimit, problem, type Case, type Expect } from './helpers/bad-input.js';
import { call, raw, type Reply } from './helpers/http.js';

// Every route family gets malformed JSON, wrong field types, traversal paths, oversized bodies and invalid
// policies. Each must be a 4xx with Vault's `{"errors": [...]}` body (a message where Vault gives one), never a
// 5xx, and the node must keep serving. Cases are run in batches; a batch reports every failing case at once.

describe('bad input to every route family', () => {
  let dev: TestServer;
  let fresh: RunningServer;
  let root: string;
  let tmp: string;
  const quiet = new PassThrough().resume();

  before(async () => {
    dev = await startTestServer();
    root = dev.rootToken;
    // A second node, in memory and not initialized: sys/init's and sys/unseal's own checks.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-bad-input-'));
    const config = path.join(tmp, 'fresh.hcl');
    writeFileSync(config, 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\ndisable_mlock = true\n');
    fresh = await runServer({ configPaths: [config], stdout: quiet, stderr: quiet, env: {} });
    const ok = (r: Reply) => assert.ok(r.status < 300, `${r.status} ${r.text}`);
    ok(await call(dev.url, 'POST', '/v1/sys/mounts/plain', { token: root, body: { type: 'kv', options: { version: '1' } } }));
    ok(await call(dev.url, 'PUT', '/v1/secret/data/canary', { token: root, body: { data: { alive: 'yes' } } }));
  });
  after(async () => {
    await dev?.close();
    await fresh?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function url(node: Case['node']): string {
    return node === 'fresh' ? fresh.addresses[0]! : dev.url;
  }

  async function send(c: Case): Promise<Reply> {
    const token = c.token === undefined ? root : c.token;
    const body = c.body === undefined ? undefined : typeof c.body === 'string' || Buffer.isBuffer(c.body) ? c.body : JSON.stringify(c.body);
    return raw(url(c.node), c.method, c.target, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}), headers: c.headers ?? {} });
  }


  /** Runs the cases, then checks both nodes still serve; fails with every problem found. */
  async function batch(cases: Case[]): Promise<void> {
    const problems: string[] = [];
    for (const c of cases) {
      const r = await send(c).catch((err: Error) => ({ status: 0, headers: {}, body: null, text: `request failed: ${err.message}` }) as Reply);
      const p = problem(c, r);
      if (p) problems.push(`${c.method} ${c.target} ${typeof c.body === 'string' ? c.body.slice(0, 60) : Buffer.isBuffer(c.body) ? '<bytes>' : JSON.stringify(c.body ?? null).slice(0, 80)}\n    -> ${p}`);
    }
    await stillServing();
    assert.deepEqual(problems, [], `${problems.length} of ${cases.length} cases failed:\n${problems.join('\n')}`);
  }

  async function stillServing(): Promise<void> {
    const h = await call(dev.url, 'GET', '/v1/sys/health');
    assert.equal(h.status, 200, `dev node health: ${h.status} ${h.text}`);
    assert.equal(h.body.sealed, false);
    const r = await call(dev.url, 'GET', '/v1/secret/data/canary', { token: root });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data.data, { alive: 'yes' });
    const s = await call(fresh.addresses[0]!, 'GET', '/v1/sys/seal-status');
    assert.equal(s.status, 200, `fresh node: ${s.status} ${s.text}`);
  }

  it('malformed JSON bodies: 400 "failed to parse JSON input" on every write endpoint', async () => {
    const cases: Case[] = WRITE_ENDPOINTS.flatMap((e) =>
      MALFORMED.map((body) => ({ method: e.method, target: `/v1/${e.path}`, body, expect: 400, message: /failed to parse JSON input/, node: e.node })),
    );
    await batch(cases);
    // The form encoding Vault accepts is not mistaken for JSON, and JSON is read whatever the Content-Type says.
    const form = await call(dev.url, 'PUT', '/v1/plain/form', { token: root, body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 204, form.text);
    assert.deepEqual((await call(dev.url, 'GET', '/v1/plain/form', { token: root })).body.data, { a: '1', b: '2' });
    const text = await call(dev.url, 'PUT', '/v1/plain/text', { token: root, body: '{"a":1}', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 204, text.text);
  });

  it('sys/init and sys/unseal: wrong types and values leave the node as it was', async () => {
    const init = (body: unknown): Case => ({ method: 'PUT', target: '/v1/sys/init', body, node: 'fresh', token: null, expect: 400 });
    await batch([
      init({}),
      init({ secret_shares: 'five', secret_threshold: 3 }),
      init({ secret_shares: 5, secret_threshold: {} }),
      init({ secret_shares: 1.5, secret_threshold: 1 }),
      init({ secret_shares: -1, secret_threshold: 1 }),
      init({ secret_shares: 0, secret_threshold: 0 }),
      init({ secret_shares: 3, secret_threshold: 5 }),
      init({ secret_shares: 300, secret_threshold: 2 }),
      init({ secret_shares: 5, secret_threshold: 1 }),
      init({ secret_shares: [1], secret_threshold: [1] }),
      init({ secret_shares: 1, secret_threshold: 1, pgp_keys: 5 }),
      init({ secret_shares: 1, secret_threshold: 1, pgp_keys: ['not a key'] }),
      init({ secret_shares: 2, secret_threshold: 2, pgp_keys: ['only-one'] }),
      init({ secret_shares: 1, secret_threshold: 1, root_token_pgp_key: 'not a key' }),
      init({ secret_shares: 1, secret_threshold: 1, root_token_pgp_key: {} }),
      init({ secret_shares: 1, secret_threshold: 1, recovery_shares: 1 }),
      { method: 'PUT', target: '/v1/sys/unseal', body: { key: 'abcd' }, node: 'fresh', token: null, expect: 400 },
    ]);
    assert.equal((await call(fresh.addresses[0]!, 'GET', '/v1/sys/init')).body.initialized, false);

    // Initialized but sealed: the unseal endpoint's own checks.
    // Valid PGP keys still work: the shares and the root token come back encrypted to them.
    const { privateKey, publicKey } = await generateKey({ userIDs: [{ name: 'operator' }], format: 'object' });
    const pgp = Buffer.from(publicKey.write()).toString('base64');
    const r = await call(fresh.addresses[0]!, 'PUT', '/v1/sys/init', {
      body: { secret_shares: 3, secret_threshold: 2, pgp_keys: [pgp, pgp, pgp], root_token_pgp_key: pgp },
    });
    assert.equal(r.status, 200, r.text);
    const decrypt = async (bytes: Buffer): Promise<string> => {
      const message = await readMessage({ binaryMessage: bytes });
      return Buffer.from((await decrypt_({ message, decryptionKeys: privateKey, format: 'binary' })).data as Uint8Array).toString('utf8');
    };
    const shares = await Promise.all((r.body.keys as string[]).map((k) => decrypt(Buffer.from(k, 'hex'))));
    const freshRoot = await decrypt(Buffer.from(r.body.root_token as string, 'base64'));
    const unseal = (body: unknown): Case => ({ method: 'PUT', target: '/v1/sys/unseal', body, node: 'fresh', token: null, expect: 400 });
    await batch([
      unseal({}),
      unseal({ key: 123 }),
      unseal({ key: {} }),
      unseal({ key: ['a'] }),
      unseal({ key: null }),
      unseal({ key: 'zz not hex nor base64 !!' }),
      unseal({ key: 'AAAA' }),
      unseal({ key: 'ab'.repeat(200) }),
      unseal({ reset: 'perhaps' }),
      unseal({ key: 'x', migrate: 'x' }),
      init({ secret_shares: 1, secret_threshold: 1 }),
      // A sealed node refuses everything else with 503 (not bad input, but it must stay an error body).
      { method: 'GET', target: '/v1/secret/data/x', node: 'fresh', expect: 503, message: /Vault is sealed/ },
    ]);
    const status = await call(fresh.addresses[0]!, 'GET', '/v1/sys/seal-status');
    assert.equal(status.body.sealed, true);
    assert.equal(status.body.progress, 0, 'no bad key counted towards the threshold');
    // Two shares that do not belong together: combined, they fail; the attempt starts over.
    assert.equal((await call(fresh.addresses[0]!, 'PUT', '/v1/sys/unseal', { body: { key: shares[0] } })).body.progress, 1);
    const wrong = Buffer.from(shares[1]!, 'hex');
    wrong[0] = wrong[0]! ^ 0xff;
    const bad = await call(fresh.addresses[0]!, 'PUT', '/v1/sys/unseal', { body: { key: wrong.toString('hex') } });
    assert.equal(bad.status, 400, bad.text);
    assert.ok(bad.body.errors[0]);
    assert.equal((await call(fresh.addresses[0]!, 'GET', '/v1/sys/seal-status')).body.sealed, true);
    // The right shares still unseal it, and the PGP-decrypted root token is the node's root token.
    for (const key of shares.slice(0, 2)) await call(fresh.addresses[0]!, 'PUT', '/v1/sys/unseal', { body: { key } });
    assert.equal((await call(fresh.addresses[0]!, 'GET', '/v1/sys/seal-status')).body.sealed, false);
    await fresh.node.waitActive();
    const self = await call(fresh.addresses[0]!, 'GET', '/v1/auth/token/lookup-self', { token: freshRoot });
    assert.deepEqual(self.body.data.policies, ['root']);
  });

  it('sys/mounts and sys/auth: wrong types, unknown types, reserved and taken paths', async () => {
    const m = (method: string, p: string, body?: unknown, expect: Expect = 400): Case => ({ method, target: `/v1/${p}`, body, expect });
    const tables = async () => ({
      mounts: Object.keys((await call(dev.url, 'GET', '/v1/sys/mounts', { token: root })).body.data).sort(),
      auth: Object.keys((await call(dev.url, 'GET', '/v1/sys/auth', { token: root })).body.data).sort(),
    });
    const before = await tables();
    await batch([
      m('POST', 'sys/mounts/bad-input', {}),
      m('POST', 'sys/mounts/bad-input', { type: 5 }),
      m('POST', 'sys/mounts/bad-input', { type: {} }),
      m('POST', 'sys/mounts/bad-input', { type: 'no-such-engine' }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', config: 'x' }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', config: { default_lease_ttl: 'forever' } }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', config: { max_lease_ttl: {} } }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', options: [1] }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', options: { version: {} } }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', options: { version: '7' } }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', local: 'perhaps' }),
      m('POST', 'sys/mounts/bad-input', { type: 'kv', description: {} }),
      m('POST', 'sys/mounts/sys', { type: 'kv' }),
      m('POST', 'sys/mounts/sys/inner', { type: 'kv' }),
      m('POST', 'sys/mounts/secret', { type: 'kv' }),
      m('POST', 'sys/mounts/secret/inner', { type: 'kv' }),
      m('POST', 'sys/mounts/cubbyhole', { type: 'kv' }),
      m('POST', 'sys/mounts/auth', { type: 'kv' }),
      m('POST', 'sys/mounts/secret/tune', { default_lease_ttl: 'forever' }),
      m('POST', 'sys/mounts/secret/tune', { max_lease_ttl: [] }),
      m('POST', 'sys/mounts/secret/tune', { options: 'x' }),
      m('POST', 'sys/mounts/secret/tune', { description: [] }),
      m('POST', 'sys/mounts/no-such-mount/tune', { description: 'x' }),
      m('GET', 'sys/mounts/no-such-mount', undefined, '4xx'),
      m('POST', 'sys/remount', { from: 5 }),
      m('POST', 'sys/remount', { from: 'secret', to: 'sys' }),
      m('POST', 'sys/auth/bad-input', {}),
      m('POST', 'sys/auth/bad-input', { type: 5 }),
      m('POST', 'sys/auth/bad-input', { type: 'no-such-method' }),
      m('POST', 'sys/auth/bad-input', { type: 'userpass', config: 'x' }),
      m('POST', 'sys/auth/bad-input', { type: 'userpass', config: { token_type: 'odd' } }),
      m('POST', 'sys/auth/token', { type: 'userpass' }),
      m('DELETE', 'sys/auth/token', undefined),
      m('POST', 'sys/auth/token/tune', { default_lease_ttl: 'x' }),
      m('DELETE', 'sys/mounts/sys', undefined),
      m('DELETE', 'sys/mounts/cubbyhole', undefined),
    ]);
    assert.deepEqual(await tables(), before, 'a refused request changed the mount tables');
  });

  it('sys/policy and sys/policies/acl: invalid policies (bad HCL, bad JSON, bad capabilities) and wrong types', async () => {
    const cases: Case[] = [];
    for (const text of BAD_HCL) {
      cases.push({ method: 'PUT', target: '/v1/sys/policy/bad-input', body: { policy: text }, expect: 400 });
      cases.push({ method: 'PUT', target: '/v1/sys/policy/bad-input', body: { rules: text }, expect: 400 });
      cases.push({ method: 'PUT', target: '/v1/sys/policies/acl/bad-input', body: { policy: text }, expect: 400 });
      cases.push({ method: 'PUT', target: '/v1/sys/policies/acl/bad-input', body: { policy: Buffer.from(text).toString('base64') }, expect: 400 });
    }
    for (const body of [{}, { policy: '' }, { policy: 5 }, { policy: {} }, { policy: ['path "a" {}'] }, { rules: 12 }]) {
      cases.push({ method: 'PUT', target: '/v1/sys/policy/bad-input', body, expect: 400 });
      cases.push({ method: 'PUT', target: '/v1/sys/policies/acl/bad-input', body, expect: 400 });
    }
    const good = { policy: 'path "secret/*" { capabilities = ["read"] }' };
    cases.push(
      { method: 'PUT', target: '/v1/sys/policy/root', body: good, expect: 400 },
      { method: 'PUT', target: '/v1/sys/policies/acl/root', body: good, expect: 400 },
      { method: 'DELETE', target: '/v1/sys/policy/root', expect: 400 },
      { method: 'DELETE', target: '/v1/sys/policy/default', expect: 400 },
      { method: 'DELETE', target: '/v1/sys/policies/acl/root', expect: 400 },
      { method: 'GET', target: '/v1/sys/policy/never-written', expect: 404 },
      { method: 'GET', target: '/v1/sys/policies/acl/never-written', expect: 404 },
    );
    await batch(cases);
    assert.equal((await call(dev.url, 'GET', '/v1/sys/policy/bad-input', { token: root })).status, 404, 'no bad policy was stored');
  });

  it('sys/audit: wrong types, unknown device types and unusable options', async () => {
    const a = (body: unknown): Case => ({ method: 'PUT', target: '/v1/sys/audit/bad-input', body, expect: 400 });
    await batch([
      a({}),
      a({ type: 5 }),
      a({ type: 'carrier-pigeon' }),
      a({ type: 'file' }),
      a({ type: 'file', options: 'x' }),
      a({ type: 'file', options: [] }),
      a({ type: 'file', options: { file_path: {} } }),
      a({ type: 'file', options: { file_path: 'discard', mode: 'rwx' } }),
      a({ type: 'file', options: { file_path: 'discard', log_raw: 'perhaps' } }),
      a({ type: 'file', options: { file_path: 'discard', format: 'yaml' } }),
      a({ type: 'file', options: { file_path: '/nonexistent-dir/strongroom/audit.log' } }),
      a({ type: 'file', options: { file_path: 'discard' }, local: 'maybe' }),
      { method: 'PUT', target: '/v1/sys/audit-hash/bad-input', body: { input: 'x' }, expect: 400 },
      { method: 'PUT', target: '/v1/sys/audit-hash/bad-input', body: { input: {} }, expect: 400 },
    ]);
    assert.deepEqual((await call(dev.url, 'GET', '/v1/sys/audit', { token: root })).body.data, {});
  });

  it('sys/leases, sys/wrapping and sys/capabilities: wrong types and unknown ids', async () => {
    const c = (method: string, p: string, body?: unknown, expect: Expect = 400, headers?: Record<string, string>): Case => ({
      method,
      target: `/v1/${p}`,
      body,
      expect,
      ...(headers ? { headers } : {}),
    });
    await batch([
      c('PUT', 'sys/leases/lookup', {}),
      c('PUT', 'sys/leases/lookup', { lease_id: {} }),
      c('PUT', 'sys/leases/lookup', { lease_id: 'secret/creds/nope/123' }),
      c('PUT', 'sys/leases/renew', {}),
      c('PUT', 'sys/leases/renew', { lease_id: 'secret/creds/nope/123' }),
      c('PUT', 'sys/leases/renew', { lease_id: 'x', increment: 'forever' }),
      c('PUT', 'sys/leases/renew', { lease_id: 'x', increment: {} }),
      c('PUT', 'sys/leases/revoke', {}),
      c('PUT', 'sys/leases/revoke', { lease_id: [] }),
      c('PUT', 'sys/leases/revoke', { lease_id: 'x', sync: 'perhaps' }),
      c('PUT', 'sys/leases/revoke-prefix/secret', { sync: 'perhaps' }),
      c('PUT', 'sys/renew', { lease_id: {} }),
      c('PUT', 'sys/revoke', { lease_id: {} }),
      c('PUT', 'sys/wrapping/wrap', { a: 1 }),
      c('PUT', 'sys/wrapping/wrap', { a: 1 }, 400, { 'X-Vault-Wrap-TTL': 'forever' }),
      c('PUT', 'sys/wrapping/wrap', { a: 1 }, 400, { 'X-Vault-Wrap-TTL': '-5s' }),
      c('GET', 'secret/data/canary', undefined, 400, { 'X-Vault-Wrap-TTL': 'soon' }),
      c('PUT', 'sys/wrapping/unwrap', { token: {} }),
      c('PUT', 'sys/wrapping/unwrap', { token: 'not-a-wrapping-token' }),
      c('PUT', 'sys/wrapping/unwrap', { token: root }),
      c('PUT', 'sys/wrapping/lookup', {}),
      c('PUT', 'sys/wrapping/lookup', { token: [] }),
      c('PUT', 'sys/wrapping/lookup', { token: 'not-a-wrapping-token' }),
      c('PUT', 'sys/wrapping/rewrap', {}),
      c('PUT', 'sys/wrapping/rewrap', { token: 'not-a-wrapping-token' }),
      c('PUT', 'sys/capabilities', {}),
      c('PUT', 'sys/capabilities', { token: root, paths: {} }),
      c('PUT', 'sys/capabilities', { token: {}, paths: ['secret/'] }),
      c('PUT', 'sys/capabilities', { token: root, paths: 5 }),
      c('PUT', 'sys/capabilities-self', { paths: {} }),
      c('PUT', 'sys/capabilities-self', {}),
      c('PUT', 'sys/capabilities-accessor', { accessor: 'nope', paths: ['secret/'] }),
      c('PUT', 'sys/capabilities-accessor', { accessor: {}, paths: ['secret/'] }),
      c('PUT', 'sys/tools/hash', { input: {} }),
      c('PUT', 'sys/tools/hash/md5', { input: 'eA==' }),
      c('PUT', 'sys/tools/random/-1', {}),
    ]);
  });

  it('auth/token: wrong types, unknown tokens, accessors and roles', async () => {
    const t = (p: string, body?: unknown, expect: Expect = 400, method = 'POST'): Case => ({ method, target: `/v1/auth/token/${p}`, body, expect });
    await batch([
      t('create', { policies: {} }),
      t('create', { policies: [{}] }),
      t('create', { ttl: 'forever' }),
      t('create', { ttl: {} }),
      t('create', { num_uses: 'many' }),
      t('create', { num_uses: -1 }),
      t('create', { meta: 'x' }),
      t('create', { meta: { a: 1 } }),
      t('create', { renewable: 'perhaps' }),
      t('create', { no_parent: 'x' }),
      t('create', { period: 'x' }),
      t('create', { type: 'superbatch' }),
      t('create', { explicit_max_ttl: [] }),
      t('create', { id: {} }),
      t('create', { display_name: {} }),
      t('create', { no_default_policy: 'x' }),
      t('create/no-such-role', {}),
      t('create-orphan', { ttl: 'x' }),
      t('lookup', { token: {} }),
      t('lookup', { token: 'not-a-token' }, '4xx'),
      t('lookup-accessor', { accessor: 'nope' }),
      t('lookup-accessor', { accessor: [] }),
      t('renew', { token: 'not-a-token' }, '4xx'),
      t('renew', { token: root, increment: 'x' }),
      t('renew-self', { increment: {} }),
      t('renew-accessor', { accessor: 'nope' }),
      t('revoke', { token: [] }),
      t('revoke-accessor', { accessor: {} }),
      t('revoke-orphan', { token: [] }),
      t('roles/bad-input', { allowed_policies: {} }),
      t('roles/bad-input', { orphan: 'maybe' }),
      t('roles/bad-input', { token_type: 'odd' }),
      t('roles/bad-input', { period: 'x' }),
      t('roles/bad-input', { token_explicit_max_ttl: 'x' }),
      t('roles/bad$name', {}, '4xx'),
      t('roles/never-written', undefined, 404, 'GET'),
    ]);
  });

  it('kv v1, kv v2 (data, metadata, delete, undelete, destroy, config) and cubbyhole: wrong types', async () => {
    const k = (method: string, p: string, body?: unknown, expect: Expect = 400, headers?: Record<string, string>): Case => ({
      method,
      target: `/v1/${p}`,
      body,
      expect,
      ...(headers ? { headers } : {}),
    });
    await batch([
      k('PUT', 'plain/', { a: 1 }, '4xx'),
      k('GET', 'plain/never-written', undefined, 404),
      k('LIST', 'plain/never-written', undefined, 404),
      k('PUT', 'secret/data/bad-input', {}),
      k('PUT', 'secret/data/bad-input', { data: 'x' }),
      k('PUT', 'secret/data/bad-input', { data: [1] }),
      k('PUT', 'secret/data/bad-input', { data: 5 }),
      k('PUT', 'secret/data/bad-input', { data: { a: 1 }, options: 'x' }),
      k('PUT', 'secret/data/bad-input', { data: { a: 1 }, options: { cas: 'x' } }),
      k('PUT', 'secret/data/bad-input', { data: { a: 1 }, options: { cas: 99 } }),
      k('PUT', 'secret/data/canary', { data: { alive: 'no' }, options: { cas: 0 } }),
      k('GET', 'secret/data/canary?version=abc', undefined),
      k('GET', 'secret/data/canary?version=-1', undefined, 404),
      k('GET', 'secret/data/canary?version=99', undefined, 404),
      k('GET', 'secret/data/never-written', undefined, 404),
      k('PATCH', 'secret/data/canary', { data: { alive: 'no' } }, 415),
      k('PATCH', 'secret/data/never-written', { data: { a: 1 } }, 404, { 'Content-Type': 'application/merge-patch+json' }),
      k('PATCH', 'secret/data/canary', { data: 'x' }, 400, { 'Content-Type': 'application/merge-patch+json' }),
      k('PUT', 'secret/metadata/bad-input', { max_versions: 'lots' }),
      k('PUT', 'secret/metadata/bad-input', { max_versions: -3 }, '4xx'),
      k('PUT', 'secret/metadata/bad-input', { cas_required: 'maybe' }),
      k('PUT', 'secret/metadata/bad-input', { custom_metadata: 'x' }),
      k('PUT', 'secret/metadata/bad-input', { custom_metadata: { a: {} } }),
      k('PUT', 'secret/metadata/bad-input', { delete_version_after: 'never' }),
      k('GET', 'secret/metadata/never-written', undefined, 404),
      k('PUT', 'secret/delete/canary', {}),
      k('PUT', 'secret/delete/canary', { versions: 'a,b' }),
      k('PUT', 'secret/delete/canary', { versions: {} }),
      k('PUT', 'secret/undelete/canary', { versions: [{}] }),
      k('PUT', 'secret/undelete/canary', {}),
      k('PUT', 'secret/destroy/canary', { versions: 'x' }),
      k('PUT', 'secret/destroy/canary', {}),
      k('PUT', 'secret/config', { max_versions: 'x' }),
      k('PUT', 'secret/config', { cas_required: {} }),
      k('PUT', 'secret/config', { delete_version_after: 'x' }),
      k('GET', 'secret/subkeys/canary?depth=x', undefined),
      k('PUT', 'cubbyhole/', { a: 1 }, '4xx'),
      k('GET', 'cubbyhole/never-written', undefined, 404),
      k('LIST', 'cubbyhole/never-written', undefined, 404),
      // Wrong methods: 405, never a crash.
      k('DELETE', 'sys/init', undefined, 405),
      k('GET', 'sys/unseal', undefined, 405),
      k('PATCH', 'sys/policy/x', { policy: 'x' }, 405, { 'Content-Type': 'application/merge-patch+json' }),
      k('HEAD', 'secret/data/canary', undefined, 405),
      k('FOO', 'sys/health', undefined, 405),
    ]);
    // kv v1 keeps a `ttl` key as data and a refresh hint; one that is not a duration is stored and read back as is
    // (as in Vault), never a failed read.
    assert.equal((await call(dev.url, 'PUT', '/v1/plain/odd-ttl', { token: root, body: { ttl: 'forever', v: 1 } })).status, 204);
    const odd = await call(dev.url, 'GET', '/v1/plain/odd-ttl', { token: root });
    assert.equal(odd.status, 200, odd.text);
    assert.deepEqual(odd.body.data, { ttl: 'forever', v: 1 });
  });

  it('sys/rekey and sys/generate-root: wrong types, no attempt, wrong nonce, bad keys', async () => {
    const s = (p: string, body?: unknown, expect: Expect = 400, method = 'PUT'): Case => ({ method, target: `/v1/sys/${p}`, body, expect, token: null });
    await batch([
      s('rekey/init', {}),
      s('rekey/init', { secret_shares: 'x', secret_threshold: 1 }),
      s('rekey/init', { secret_shares: 3, secret_threshold: 5 }),
      s('rekey/init', { secret_shares: 0, secret_threshold: 0 }),
      s('rekey/init', { secret_shares: 1, secret_threshold: 1, pgp_keys: 5 }),
      s('rekey/update', { key: 5, nonce: 'x' }),
      s('rekey/update', { key: 'zz', nonce: 'x' }),
      s('rekey/verify', { key: 'zz', nonce: 'x' }),
      s('generate-root/attempt', { otp: 5 }),
      s('generate-root/attempt', { otp: 'short' }),
      s('generate-root/attempt', { pgp_key: 'not a key' }),
      s('generate-root/attempt', { otp: 'x', pgp_key: 'y' }),
      s('generate-root/update', { key: 'x', nonce: 'y' }),
    ]);
    // With attempts under way: a wrong nonce and a key that is not a share are refused.
    const rk = await call(dev.url, 'PUT', '/v1/sys/rekey/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(rk.status, 200, rk.text);
    const gr = await call(dev.url, 'PUT', '/v1/sys/generate-root/attempt', { body: {} });
    assert.equal(gr.status, 200, gr.text);
    const junkKey = Buffer.alloc(32, 7).toString('base64');
    await batch([
      s('rekey/init', { secret_shares: 1, secret_threshold: 1 }),
      s('rekey/update', { key: junkKey, nonce: 'wrong-nonce' }),
      s('rekey/update', { key: {}, nonce: rk.body.nonce }),
      s('rekey/update', { key: 'not hex or base64 !!', nonce: rk.body.nonce }),
      s('rekey/update', { key: junkKey, nonce: rk.body.nonce }),
      s('generate-root/attempt', {}),
      s('generate-root/update', { key: junkKey, nonce: 'wrong-nonce' }),
      s('generate-root/update', { key: [], nonce: gr.body.nonce }),
      s('generate-root/update', { key: junkKey, nonce: gr.body.nonce }),
    ]);
    assert.equal((await call(dev.url, 'DELETE', '/v1/sys/rekey/init')).status, 204);
    assert.equal((await call(dev.url, 'DELETE', '/v1/sys/generate-root/attempt')).status, 204);
    // The root token and the unseal key still work.
    assert.equal((await call(dev.url, 'GET', '/v1/auth/token/lookup-self', { token: root })).status, 200);
  });

  it('bodies nested deeper than 1000 levels: 400 "exceeded max depth", never a stack overflow', async () => {
    const arr = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const obj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const cases: Case[] = [];
    for (const n of [1001, 5000, 200_000]) {
      cases.push(
        { method: 'PUT', target: '/v1/plain/deep', body: `{"a":${arr(n)}}`, expect: 400, message: /exceeded max depth/ },
        { method: 'PUT', target: '/v1/secret/data/deep', body: `{"data":${obj(n)}}`, expect: 400, message: /exceeded max depth/ },
        { method: 'PUT', target: '/v1/cubbyhole/deep', body: `{"a":${arr(n)}}`, expect: 400, message: /exceeded max depth/ },
        { method: 'PUT', target: '/v1/sys/wrapping/wrap', body: `{"a":${obj(n)}}`, headers: { 'X-Vault-Wrap-TTL': '60' }, expect: 400 },
        { method: 'PUT', target: '/v1/sys/policy/deep', body: `{"policy":"x","y":${arr(n)}}`, expect: 400, message: /exceeded max depth/ },
      );
    }
    await batch(cases);
    // Up to the limit, nesting is data like any other; brackets inside strings do not count.
    const ok = await call(dev.url, 'PUT', '/v1/secret/data/deep', { token: root, body: `{"data":${obj(990)},"note":"${'['.repeat(5000)}"}` });
    assert.equal(ok.status, 200, ok.text);
    const back = await call(dev.url, 'GET', '/v1/secret/data/deep', { token: root });
    assert.equal(back.status, 200, back.text);
  });

  it('numbers beyond what a duration or an integer can hold: 400, and the mount keeps working', async () => {
    const c = (method: string, p: string, body: unknown): Case => ({ method, target: `/v1/${p}`, body, expect: 400 });
    await batch([
      c('POST', 'auth/token/create', { ttl: 1e20 }),
      c('POST', 'auth/token/create', { ttl: '99999999999h' }),
      c('POST', 'auth/token/create', { explicit_max_ttl: 1e20 }),
      c('POST', 'auth/token/create', { period: '9999999999999s' }),
      c('POST', 'auth/token/create', { num_uses: 1e20 }),
      c('POST', 'auth/token/roles/huge', { period: 1e20 }),
      c('PUT', 'secret/config', { delete_version_after: '99999999999h' }),
      c('PUT', 'secret/config', { max_versions: 1e20 }),
      c('PUT', 'secret/metadata/canary', { delete_version_after: 1e20 }),
      c('GET', 'secret/data/canary?version=100000000000000000000', undefined),
      c('POST', 'sys/mounts/huge', { type: 'kv', config: { default_lease_ttl: 1e20 } }),
      c('POST', 'sys/mounts/secret/tune', { max_lease_ttl: '999999999999h' }),
      c('PUT', 'sys/leases/renew', { lease_id: 'x', increment: 1e20 }),
      c('PUT', 'auth/token/renew-self', { increment: '99999999999h' }),
    ]);
    // The refused settings left the mount writable and readable (a deletion time past year 275760 cannot be shown).
    const w = await call(dev.url, 'PUT', '/v1/secret/data/after-huge', { token: root, body: { data: { v: 1 } } });
    assert.equal(w.status, 200, w.text);
    assert.equal((await call(dev.url, 'GET', '/v1/secret/metadata/canary', { token: root })).status, 200);
  });

  it('type names inherited by every object (constructor, __proto__, toString) are unknown types, not a crash', async () => {
    await batch([
      { method: 'POST', target: '/v1/sys/mounts/inherited', body: { type: 'constructor' }, expect: 400 },
      { method: 'POST', target: '/v1/sys/mounts/inherited', body: { type: 'toString' }, expect: 400 },
      { method: 'POST', target: '/v1/sys/auth/inherited', body: { type: '__proto__' }, expect: 400 },
      { method: 'POST', target: '/v1/sys/auth/inherited', body: { type: 'hasOwnProperty' }, expect: 400 },
      { method: 'PUT', target: '/v1/sys/audit/inherited', body: { type: 'toString' }, expect: 400 },
      { method: 'PUT', target: '/v1/sys/audit/inherited', body: { type: '__proto__' }, expect: 400 },
      { method: 'POST', target: '/v1/auth/token/create/toString', body: {}, expect: 400 },
    ]);
    // As names they are ordinary: a policy and a mount called so work.
    assert.equal((await call(dev.url, 'PUT', '/v1/sys/policy/constructor', { token: root, body: { policy: 'path "constructor/*" { capabilities = ["read"] }' } })).status, 204);
    assert.equal((await call(dev.url, 'POST', '/v1/sys/mounts/__proto__', { token: root, body: { type: 'kv' } })).status, 204);
    assert.equal((await call(dev.url, 'PUT', '/v1/__proto__/k', { token: root, body: { v: 1 } })).status, 204);
    assert.deepEqual((await call(dev.url, 'GET', '/v1/__proto__/k', { token: root })).body.data, { v: 1 });
    const mounts = await call(dev.url, 'GET', '/v1/sys/mounts', { token: root });
    assert.ok(!('inherited/' in mounts.body.data));
    assert.ok(!('inherited/' in (await call(dev.url, 'GET', '/v1/sys/auth', { token: root })).body.data));
  });

  it('sys/tools/hash refuses an algorithm name inherited by every object', async () => {
    await batch([
      { method: 'PUT', target: '/v1/sys/tools/hash/__proto__', body: { input: 'eA==' }, expect: 400, message: /^unsupported algorithm __proto__$/ },
      { method: 'PUT', target: '/v1/sys/tools/hash', body: { input: 'eA==', algorithm: 'constructor' }, expect: 400, message: /^unsupported algorithm constructor$/ },
      { method: 'PUT', target: '/v1/sys/hash/toString', body: { input: 'eA==' }, expect: 400, message: /^unsupported algorithm toString$/ },
      { method: 'PUT', target: '/v1/sys/tools/random', body: { source: 'constructor' }, expect: 400 },
      { method: 'PUT', target: '/v1/sys/tools/random', body: { format: '__proto__' }, expect: 400 },
      { method: 'PUT', target: '/v1/sys/tools/random/__proto__', body: {}, expect: 400 },
    ]);
  });

  it('sys/rekey/init refuses PGP keys it cannot use before the attempt starts', async () => {
    try {
      await batch([
        { method: 'PUT', target: '/v1/sys/rekey/init', body: { secret_shares: 1, secret_threshold: 1, pgp_keys: ['not a key'] }, token: null, expect: 400, message: /PGP key/ },
        { method: 'PUT', target: '/v1/sys/rekey/init', body: { secret_shares: 2, secret_threshold: 2, pgp_keys: [Buffer.from('junk').toString('base64')] }, token: null, expect: 400, message: /incorrect number of PGP keys/ },
      ]);
      assert.equal((await call(dev.url, 'GET', '/v1/sys/rekey/init')).body.started, false, 'a refused init started an attempt');
    } finally {
      await call(dev.url, 'DELETE', '/v1/sys/rekey/init');
    }
  });

  it('sys/capabilities answers for paths named after inherited properties', async () => {
    const r = await call(dev.url, 'PUT', '/v1/sys/capabilities-self', { token: root, body: { paths: ['__proto__', 'constructor'] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body.data), ['__proto__', 'constructor']);
    assert.deepEqual(r.body.data['__proto__'], ['root']);
    assert.deepEqual(r.body.data.constructor, ['root']);
    // Vault's legacy copy at the top level keeps them too.
    assert.deepEqual(Object.getOwnPropertyDescriptor(r.body, '__proto__')?.value, ['root']);
    const one = await call(dev.url, 'PUT', '/v1/sys/capabilities-self', { token: root, body: { paths: ['__proto__'] } });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(Object.keys(one.body.data), ['__proto__', 'capabilities']);
  });

  describe('traversal paths', () => {
    it('never reach another route: no seal, no policy written, no mount removed (root token)', async () => {
      const targets = [
        '/v1/secret/../sys/seal',
        '/v1/secret/%2e%2e/sys/seal',
        '/v1/secret/%2E%2E/sys/seal',
        '/v1/secret/.%2e/sys/seal',
        '/v1/secret/..%2Fsys%2Fseal',
        '/v1/secret%2F..%2Fsys%2Fseal',
        '/v1/secret/data/..%2F..%2Fsys%2Fseal',
        '/v1/cubbyhole/%2e%2e/%2e%2e/sys/seal',
        '/v1/./sys/seal',
        '/v1/sys/./seal',
        '/v1/%2e/sys/seal',
        '/v1/%2e%2e/v1/sys/seal',
        '/v1/../v1/sys/seal',
        '/v1//sys/seal',
        '/v1/sys//seal',
        '/v1/sys/seal%00',
        '/v1/sys/seal%0a',
        '/v1/sys/%73eal/%ZZ',
        '/v1/secret/data/%',
      ];
      const cases: Case[] = targets.map((target) => ({ method: 'PUT', target, body: {} }));
      cases.push(
        { method: 'DELETE', target: '/v1/sys/mounts/secret/..' },
        { method: 'DELETE', target: '/v1/sys/mounts/plain%2F..%2Fsecret' },
        { method: 'DELETE', target: '/v1/sys/mounts/%2e%2e/secret' },
        { method: 'DELETE', target: '/v1/sys/policy/..%2Fdefault' },
        { method: 'PUT', target: '/v1/sys/policy/%2e%2e', body: { policy: 'path "*" { capabilities = ["sudo"] }' } },
        { method: 'PUT', target: '/v1/sys/policy/a%2F..%2F..%2Fescape', body: { policy: 'path "*" { capabilities = ["sudo"] }' } },
        { method: 'PUT', target: '/v1/secret/data/a/../../../sys/policy/escape', body: { data: { a: 1 } } },
        { method: 'GET', target: '/v1/plain/..%2F..%2Fcore%2Fkeyring' },
        { method: 'GET', target: '/v1/sys/raw/core/keyring' },
        { method: 'LIST', target: '/v1/secret/metadata/%2e%2e/' },
        // Empty segments never reach storage as keys.
        { method: 'PUT', target: '/v1/plain//x', body: { a: 1 } },
        { method: 'PUT', target: '/v1/plain/a//b', body: { a: 1 } },
        { method: 'PUT', target: '/v1/secret/data//x', body: { data: { a: 1 } } },
        { method: 'PUT', target: '/v1/secret/data/a//b', body: { data: { a: 1 } } },
        { method: 'PUT', target: '/v1/secret/metadata/a//b', body: { max_versions: 2 } },
        { method: 'PUT', target: '/v1/cubbyhole/a//b', body: { a: 1 } },
        { method: 'PUT', target: '/v1/sys/policy/a//b', body: { policy: 'path "a" { capabilities = ["read"] }' } },
        { method: 'PUT', target: '/v1/sys/mounts/a//b', body: { type: 'kv' } },
        { method: 'PUT', target: '/v1/sys/audit/a//b', body: { type: 'file', options: { file_path: 'discard' } } },
        { method: 'PUT', target: '/v1/sys/leases/revoke-prefix//', body: {} },
      );
      await batch(cases);
      const mounts = await call(dev.url, 'GET', '/v1/sys/mounts', { token: root });
      assert.ok(mounts.body.data['secret/'] && mounts.body.data['plain/'], 'a mount was removed');
      const policies = await call(dev.url, 'GET', '/v1/sys/policy', { token: root });
      assert.deepEqual(policies.body.data.keys.filter((k: string) => k.includes('escape') || k.includes('.')), []);
      assert.equal((await call(dev.url, 'GET', '/v1/sys/policy/default', { token: root })).status, 200);
    });

    it('cannot take a limited token out of its policy', async () => {
      const w = await call(dev.url, 'PUT', '/v1/sys/policy/kv-only', {
        token: root,
        body: { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }' },
      });
      assert.equal(w.status, 204, w.text);
      const created = await call(dev.url, 'POST', '/v1/auth/token/create', { token: root, body: { policies: ['kv-only'] } });
      const token = created.body.auth.client_token as string;
      const evil = { policy: 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }' };
      const targets = [
        '/v1/secret/../sys/policy/evil',
        '/v1/secret/%2e%2e/sys/policy/evil',
        '/v1/secret/..%2Fsys%2Fpolicy%2Fevil',
        '/v1/secret%2F..%2Fsys%2Fpolicy%2Fevil',
        '/v1/secret/data/%2e%2e/%2e%2e/sys/policy/evil',
        '/v1/secret//../sys/policy/evil',
      ];
      await batch([
        ...targets.map((target): Case => ({ method: 'PUT', target, body: evil, token })),
        { method: 'PUT', target: '/v1/sys/policy/evil', body: evil, token, expect: 403, message: /permission denied/ },
        { method: 'PUT', target: '/v1/secret/../sys/seal', token },
        // A path no mount serves: 403 for a token not allowed there (mounts cannot be probed), 403 without a token.
        { method: 'GET', target: '/v1/no-such-mount/x', token, expect: 403 },
        { method: 'GET', target: '/v1/no-such-mount/x', token: null, expect: 403 },
      ]);
      assert.equal((await call(dev.url, 'GET', '/v1/sys/policy/evil', { token: root })).status, 404, 'the policy was written');
      const caps = await call(dev.url, 'PUT', '/v1/sys/capabilities-self', { token, body: { paths: ['sys/policy/evil'] } });
      assert.deepEqual(caps.body.data.capabilities, ['deny']);
    });

    it('decodes an encoded slash inside a name as a slash, as Vault does, without leaving the mount', async () => {
      const w = await call(dev.url, 'PUT', '/v1/secret/data/enc%2Fslash', { token: root, body: { data: { v: 'x' } } });
      assert.equal(w.status, 200, w.text);
      const r = await call(dev.url, 'GET', '/v1/secret/data/enc/slash', { token: root });
      assert.deepEqual(r.body.data.data, { v: 'x' });
    });
  });

  describe('oversized bodies', () => {

    it('answers 413 on every route family to a body over 32 MiB', async () => {
      const problems: string[] = [];
      for (const p of FAMILIES) {
        const r = await overLimit(dev.url, root, 'PUT', `/v1/${p}`);
        if (r.status !== 413 || !(r.body as { errors?: string[] } | null)?.errors?.[0]) problems.push(`PUT ${p}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      await stillServing();
      assert.deepEqual(problems, []);
    });

    it('answers 413 to a chunked body that grows past 32 MiB, and the node keeps serving', async () => {
      let sent = 0;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(Buffer.from('{"data":"'));
          if (sent > MAX_REQUEST_SIZE + 4 * chunk.length) {
            controller.close();
            return;
          }
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${dev.url}/v1/secret/data/huge`, {
        method: 'PUT',
        headers: { 'x-vault-token': root, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { errors: string[] } }),
        (err: Error) => ({ status: 0, body: { errors: [String(err.cause ?? err.message)] } }),
      );
      // The server may close the connection before the client has sent everything; when the client saw the
      // answer it must be the 413.
      if (res.status !== 0) {
        assert.equal(res.status, 413);
        assert.ok(res.body.errors[0]);
      }
      await stillServing();
      assert.equal((await call(dev.url, 'GET', '/v1/secret/data/huge', { token: root })).status, 404, 'the oversized secret was stored');
    });
  });

  describe('unknown fields', () => {
    it('are ignored with a warning naming them, as Vault does', async () => {
      const warn = /^Endpoint ignored these unrecognized parameters: \[bogus other\]$/;
      const good = 'path "secret/*" { capabilities = ["read"] }';
      const checks: [string, string, unknown][] = [
        ['PUT', '/v1/sys/policy/with-extras', { policy: good, bogus: 1, other: 'x' }],
        ['PUT', '/v1/sys/policies/acl/with-extras', { policy: good, bogus: 1, other: 'x' }],
        ['POST', '/v1/sys/mounts/with-extras', { type: 'kv', bogus: 1, other: 'x' }],
        ['POST', '/v1/sys/mounts/with-extras/tune', { description: 'd', bogus: 1, other: 'x' }],
        ['POST', '/v1/auth/token/create', { policies: ['default'], bogus: 1, other: 'x' }],
        ['PUT', '/v1/sys/capabilities-self', { paths: ['secret/'], bogus: 1, other: 'x' }],
        ['PUT', '/v1/secret/metadata/with-extras', { max_versions: 3, bogus: 1, other: 'x' }],
        ['PUT', '/v1/sys/wrapping/lookup', { token: 'x', bogus: 1, other: 'x' }],
      ];
      const problems: string[] = [];
      for (const [method, target, body] of checks) {
        const r = await call(dev.url, method, target, { token: root, body });
        if (target.endsWith('wrapping/lookup')) {
          // An error answer has no warnings; the unknown fields must not change the error.
          if (r.status !== 400) problems.push(`${method} ${target}: ${r.status} ${r.text}`);
          continue;
        }
        if (r.status !== 200 || !Array.isArray(r.body?.warnings) || !r.body.warnings.some((w: string) => warn.test(w))) {
          problems.push(`${method} ${target}: ${r.status} ${r.text.slice(0, 300)}`);
        }
      }
      await stillServing();
      assert.deepEqual(problems, []);
      // The request was served all the same.
      assert.equal((await call(dev.url, 'GET', '/v1/sys/policy/with-extras', { token: root })).body.data.rules, good);
      assert.equal((await call(dev.url, 'GET', '/v1/sys/mounts', { token: root })).body.data['with-extras/'].description, 'd');
    });
  });
});
