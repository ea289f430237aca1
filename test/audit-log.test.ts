import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { call, type Reply } from './helpers/http.js';

// A file audit device on a dev server: every request of a session is in the log as a request and a response
// entry with no secret in the clear; and when the device cannot write, requests fail closed with 500.

interface Entry {
  type: 'request' | 'response';
  time: string;
  error?: string;
  auth?: { client_token?: string; accessor?: string };
  request: { id: string; path: string; operation: string; client_token?: string; data?: Record<string, unknown> };
  response?: { data?: Record<string, unknown>; auth?: { client_token?: string; accessor?: string }; wrap_info?: { token?: string } };
}

function readLog(file: string): Entry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Entry);
}

const HMAC = /^hmac-sha256:[0-9a-f]{64}$/;

describe('file audit device', () => {
  let srv: TestServer;
  let dir: string;
  let root: string;

  /** The server's log: the operator's view of a failing audit device. */
  let serverLog = '';

  before(async () => {
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (serverLog += d.toString()));
    srv = await startTestServer({ output, logLevel: 'error' });
    root = srv.rootToken;
    dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-audit-'));
  });
  after(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to enable a device that cannot write (the test entry fails) with a 400', async () => {
    for (const file_path of ['/dev/full', path.join(dir, 'missing-dir', 'audit.log')]) {
      const r = await call(srv.url, 'PUT', '/v1/sys/audit/broken', { token: root, body: { type: 'file', options: { file_path } } });
      assert.equal(r.status, 400, r.text);
      assert.match(r.body.errors[0], /audit backend failed test message/);
    }
    const list = await call(srv.url, 'GET', '/v1/sys/audit', { token: root });
    assert.deepEqual(list.body.data, {});
  });

  describe('a session, then the log', () => {
    const secrets = {
      password: 'pw-Zq81-unlogged',
      apiKey: 'ak-Pm44-unlogged',
      wrapped: 'wr-Xk07-unlogged',
      cubby: 'cb-Lt62-unlogged',
      policyMarker: 'policy-marker-unlogged',
      tokenMeta: 'meta-Vv19-unlogged',
    };
    const logFile = () => path.join(dir, 'session', 'audit.log');
    /** Every request of the session, in order, with what the client saw. */
    const session: { method: string; path: string; reply: Reply }[] = [];
    /** Tokens and accessors handed out during the session: none may appear in the log. */
    const credentials: string[] = [];

    async function send(method: string, p: string, opts: Parameters<typeof call>[3] = {}): Promise<Reply> {
      const reply = await call(srv.url, method, `/v1/${p}`, opts);
      session.push({ method, path: p, reply });
      return reply;
    }

    before(async () => {
      mkdirSync(path.join(dir, 'session'));
      const en = await call(srv.url, 'PUT', '/v1/sys/audit/file', { token: root, body: { type: 'file', options: { file_path: logFile() } } });
      assert.equal(en.status, 204, en.text);
      const offset = readLog(logFile()).length;

      let r = await send('PUT', 'secret/data/app', { token: root, body: { data: { password: secrets.password, api_key: secrets.apiKey } } });
      assert.equal(r.status, 200, r.text);
      r = await send('GET', 'secret/data/app', { token: root });
      assert.equal(r.body.data.data.password, secrets.password);
      r = await send('LIST', 'secret/metadata/', { token: root });
      assert.deepEqual(r.body.data.keys, ['app']);
      r = await send('PUT', 'sys/policy/auditors', {
        token: root,
        body: { policy: `# ${secrets.policyMarker}\npath "secret/data/public/*" { capabilities = ["read"] }\n` },
      });
      assert.equal(r.status, 204, r.text);
      r = await send('POST', 'auth/token/create', { token: root, body: { policies: ['auditors'], meta: { owner: secrets.tokenMeta } } });
      assert.equal(r.status, 200, r.text);
      const token = r.body.auth.client_token as string;
      credentials.push(token, r.body.auth.accessor);
      r = await send('GET', 'auth/token/lookup-self', { token });
      assert.equal(r.status, 200, r.text);
      r = await send('GET', 'secret/data/app', { token });
      assert.equal(r.status, 403, r.text);
      r = await send('GET', 'secret/data/app', { token: 'not-a-real-token' });
      assert.equal(r.status, 403, r.text);
      r = await send('PUT', 'sys/wrapping/wrap', { token: root, body: { value: secrets.wrapped }, headers: { 'x-vault-wrap-ttl': '60' } });
      assert.equal(r.status, 200, r.text);
      const wrapToken = r.body.wrap_info.token as string;
      credentials.push(wrapToken, r.body.wrap_info.accessor);
      r = await send('PUT', 'sys/wrapping/unwrap', { token: root, body: { token: wrapToken } });
      assert.equal(r.body.data.value, secrets.wrapped);
      r = await send('PUT', 'cubbyhole/note', { token: root, body: { value: secrets.cubby } });
      assert.equal(r.status, 204, r.text);
      r = await send('GET', 'secret/data/absent', { token: root });
      assert.equal(r.status, 404, r.text);
      r = await send('GET', 'no-such-mount/thing', { token: root });
      assert.equal(r.status, 404, r.text);
      r = await send('PUT', 'secret/data/app', { token: root, body: { data: 'not an object' } });
      assert.equal(r.status, 400, r.text);
      r = await send('DELETE', 'secret/data/app', { token: root });
      assert.equal(r.status, 204, r.text);

      // Only the session's own entries are checked below; the enable request's response (the device did not exist
      // yet when its request entry was written) and the enable test entry come before.
      entries = readLog(logFile()).slice(offset);
    });
    let entries: Entry[] = [];

    it('has a request and a response entry, in order and with the same id, for every request', () => {
      assert.equal(entries.length, session.length * 2, entries.map((e) => `${e.type} ${e.request.path}`).join('\n'));
      session.forEach((s, i) => {
        const req = entries[2 * i]!;
        const resp = entries[2 * i + 1]!;
        const what = `${s.method} ${s.path} (${s.reply.status})`;
        assert.equal(req.type, 'request', what);
        assert.equal(resp.type, 'response', what);
        assert.equal(req.request.id, resp.request.id, what);
        assert.equal(req.request.path, s.path, what);
        assert.ok(!Number.isNaN(Date.parse(req.time)), what);
        // The id a client sees in the envelope is the one in the log (an unwrap returns the wrapped envelope as
        // it was, with the id of the request that produced it).
        if (s.reply.body?.request_id && s.path !== 'sys/wrapping/unwrap') assert.equal(req.request.id, s.reply.body.request_id, what);
        // A failed request carries its error in the response entry (a read of nothing is no error: 404 `[]`).
        if (s.reply.body?.errors?.length) assert.ok(resp.error !== undefined, `${what}: no error in the response entry`);
      });
      assert.equal(new Set(entries.map((e) => e.request.id)).size, session.length);
    });

    it('records the denied requests as denied', () => {
      const denied = session.flatMap((s, i) => (s.reply.status === 403 ? [entries[2 * i + 1]!] : []));
      assert.equal(denied.length, 2);
      for (const e of denied) assert.match(e.error ?? '', /permission denied/);
    });

    it('hashes tokens, accessors and every string of request and response data', () => {
      const write = entries[0]!;
      assert.match(write.auth!.client_token!, HMAC);
      assert.match(write.request.client_token!, HMAC);
      const data = write.request.data!.data as Record<string, string>;
      assert.match(data.password!, HMAC);
      assert.match(data.api_key!, HMAC);
      const read = entries[3]!;
      assert.match((read.response!.data!.data as Record<string, string>).password!, HMAC);
      const created = entries.find((e) => e.type === 'response' && e.request.path === 'auth/token/create')!;
      assert.match(created.response!.auth!.client_token!, HMAC);
      assert.match(created.response!.auth!.accessor!, HMAC);
      const wrapped = entries.find((e) => e.type === 'response' && e.request.path === 'sys/wrapping/wrap')!;
      assert.match(wrapped.response!.wrap_info!.token!, HMAC);
    });

    it('has no secret value, token or accessor in the clear anywhere in the file', () => {
      const text = readFileSync(logFile(), 'utf8');
      // A token's metadata is part of its identity: Vault logs `auth.metadata` in the clear (e.g. a userpass
      // username) and hashes it only where it is request or response data.
      const created = entries.find((e) => e.type === 'request' && e.request.path === 'auth/token/create')!;
      assert.match((created.request.data!.meta as Record<string, string>).owner!, HMAC);
      const identity = entries.find((e) => e.type === 'request' && e.request.path === 'auth/token/lookup-self')!;
      assert.deepEqual((identity.auth as { metadata?: unknown }).metadata, { owner: secrets.tokenMeta });
      const { tokenMeta: _shownAsIdentity, ...hidden } = secrets;
      for (const s of [...Object.values(hidden), root, ...credentials]) {
        assert.ok(s.length > 8);
        assert.equal(text.includes(s), false, `found ${JSON.stringify(s)} in the audit log`);
      }
    });

    it("shows a secret's hash as sys/audit-hash computes it, so an operator can search for it", async () => {
      const r = await call(srv.url, 'PUT', '/v1/sys/audit-hash/file', { token: root, body: { input: secrets.password } });
      assert.equal(r.status, 200, r.text);
      assert.match(r.body.data.hash, HMAC);
      assert.equal((entries[0]!.request.data!.data as Record<string, string>).password, r.body.data.hash);
    });
  });

  describe('a device that can no longer write', () => {
    // The device's directory is removed: root can write anywhere, but not into a directory that is gone. The device
    // checks (at most once a second) that `file_path` is still the file it has open; once it sees the file gone it
    // reopens `file_path`, which fails, and so does every entry after. Vault itself keeps writing to the open,
    // deleted file; here the window is about a second.
    const sub = () => path.join(dir, 'failing');
    const file = () => path.join(sub(), 'audit.log');

    it('fails every audited request with 500 internal error and serves none of them', async () => {
      // Another device is in the way of this scenario: only one device, which is about to fail.
      const off = await call(srv.url, 'DELETE', '/v1/sys/audit/file', { token: root });
      assert.equal(off.status, 204, off.text);
      mkdirSync(sub());
      const en = await call(srv.url, 'PUT', '/v1/sys/audit/failing', { token: root, body: { type: 'file', options: { file_path: file() } } });
      assert.equal(en.status, 204, en.text);
      const w = await call(srv.url, 'PUT', '/v1/secret/data/guarded', { token: root, body: { data: { v: 'before' } } });
      assert.equal(w.status, 200, w.text);

      rmSync(sub(), { recursive: true });
      // Reads (harmless if still served) until the device has noticed.
      const deadline = Date.now() + 5000;
      for (;;) {
        const r = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: root });
        if (r.status === 500) break;
        assert.equal(r.status, 200, r.text);
        assert.ok(Date.now() < deadline, 'the audit device did not notice its file was gone within 5 s');
        await new Promise((res) => setTimeout(res, 100));
      }

      const write = await call(srv.url, 'PUT', '/v1/secret/data/guarded', { token: root, body: { data: { v: 'unaudited' } } });
      assert.equal(write.status, 500, write.text);
      assert.deepEqual(write.body, { errors: ['internal error'] });
      const read = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: root });
      assert.equal(read.status, 500, read.text);
      assert.deepEqual(read.body, { errors: ['internal error'] });
      const denied = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: 'bogus' });
      assert.equal(denied.status, 500, 'an unaudited refusal is an audit failure too');
      const created = await call(srv.url, 'POST', '/v1/auth/token/create', { token: root, body: {} });
      assert.equal(created.status, 500, created.text);

      // Health, seal status and the like are not audited (as in Vault), so the node still reports itself.
      const health = await call(srv.url, 'GET', '/v1/sys/health');
      assert.equal(health.status, 200);
    });

    it('refuses to disable the device while no device can log (the disable must be audited too)', async () => {
      // As Vault: the disable request is audited like any other, so with no working device it is refused; the
      // operator must make a device writable again (or restart with the table fixed) before changing the table.
      const off = await call(srv.url, 'DELETE', '/v1/sys/audit/failing', { token: root });
      assert.equal(off.status, 500, off.text);
      assert.deepEqual(off.body, { errors: ['internal error'] });
    });

    it('serves again as soon as the device can write, and after it is disabled with a fresh root request', async () => {
      mkdirSync(sub());
      // The device reopens its file on the next entry: no restart, no reload.
      const read = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: root });
      assert.equal(read.status, 200, read.text);
      // Nothing of the refused write was served.
      assert.deepEqual(read.body.data.data, { v: 'before' });
      assert.equal(read.body.data.metadata.version, 1);
      const log = readLog(file());
      assert.deepEqual(
        log.map((e) => `${e.type} ${e.request.path}`),
        ['request secret/data/guarded', 'response secret/data/guarded'],
      );

      const off = await call(srv.url, 'DELETE', '/v1/sys/audit/failing', { token: root });
      assert.equal(off.status, 204, off.text);
      rmSync(sub(), { recursive: true });
      const after = await call(srv.url, 'PUT', '/v1/secret/data/guarded', { token: root, body: { data: { v: 'after' } } });
      assert.equal(after.status, 200, after.text);
      assert.equal(after.body.data.version, 2);
    });

    it('with a second working device, a failing one is tolerated and can be disabled', async () => {
      mkdirSync(sub());
      mkdirSync(path.join(dir, 'steady'));
      const steady = path.join(dir, 'steady', 'audit.log');
      for (const [name, file_path] of [['failing', file()], ['steady', steady]] as const) {
        const en = await call(srv.url, 'PUT', `/v1/sys/audit/${name}`, { token: root, body: { type: 'file', options: { file_path } } });
        assert.equal(en.status, 204, en.text);
      }
      rmSync(sub(), { recursive: true });

      // One device that logged the entry is enough, as in Vault: every read is served while the other one fails
      // (which the operator sees in the server log).
      const logged = serverLog.length;
      const deadline = Date.now() + 5000;
      while (!/audit device failed to log the request.*failing\//.test(serverLog.slice(logged))) {
        const read = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: root });
        assert.equal(read.status, 200, read.text);
        assert.ok(Date.now() < deadline, `the failing device was never reported:\n${serverLog.slice(logged)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      const read = await call(srv.url, 'GET', '/v1/secret/data/guarded', { token: root });
      assert.equal(read.status, 200, read.text);
      const off = await call(srv.url, 'DELETE', '/v1/sys/audit/failing', { token: root });
      assert.equal(off.status, 204, off.text);
      const list = await call(srv.url, 'GET', '/v1/sys/audit', { token: root });
      assert.deepEqual(Object.keys(list.body.data), ['steady/']);
      const paths = readLog(steady).map((e) => `${e.type} ${e.request.path}`);
      assert.ok(paths.includes('request sys/audit/failing') && paths.includes('response sys/audit/failing'), paths.join('\n'));
    });
  });
});
