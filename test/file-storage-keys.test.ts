import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runServer, type RunningServer } from '@strongroom/server';
import { call } from './helpers/http.js';

// Over the file backend, no client-chosen key blocks another, and a key the filesystem cannot hold is a 4xx that
// names no path on the server.

describe('file storage keys through the HTTP API', () => {
  let srv: RunningServer;
  let url = '';
  let root = '';
  let tmp = '';
  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-file-keys-'));
    const config = path.join(tmp, 'server.hcl');
    writeFileSync(config, `storage "file" { path = "${path.join(tmp, 'data')}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\ndisable_mlock = true\n`);
    const quiet = new PassThrough().resume();
    srv = await runServer({ configPaths: [config], stdout: quiet, stderr: quiet, env: {}, drainTimeoutMs: 500 });
    url = srv.addresses[0]!;
    const init = await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    await call(url, 'PUT', '/v1/sys/unseal', { body: { key: init.body.keys[0] } });
    root = init.body.root_token;
    assert.equal((await call(url, 'POST', '/v1/sys/mounts/kv1', { token: root, body: { type: 'kv', options: { version: '1' } } })).status, 204);
    assert.equal((await call(url, 'POST', '/v1/sys/auth/userpass', { token: root, body: { type: 'userpass' } })).status, 204);
  });
  after(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('kv1/_q/z then kv1/q, and kv1/foo then kv1/_foo/bar, are all stored and read back', async () => {
    for (const [k, v] of [['_q/z', '1'], ['q', '2'], ['foo', '3'], ['_foo/bar', '4']] as const) {
      const w = await call(url, 'PUT', `/v1/kv1/${k}`, { token: root, body: { v } });
      assert.equal(w.status, 204, `${k}: ${w.status} ${w.text}`);
    }
    for (const [k, v] of [['_q/z', '1'], ['q', '2'], ['foo', '3'], ['_foo/bar', '4']] as const) {
      const r = await call(url, 'GET', `/v1/kv1/${k}`, { token: root });
      assert.equal(r.body?.data?.v, v, `${k}: ${r.status} ${r.text}`);
    }
  });

  it('a 300-character login name or key is a 4xx that does not disclose the data folder', async () => {
    const long = 'n'.repeat(300);
    const replies = [
      await call(url, 'POST', `/v1/auth/userpass/login/${long}`, { body: { password: 'x' } }),
      await call(url, 'PUT', `/v1/kv1/${long}`, { token: root, body: { v: 1 } }),
      await call(url, 'GET', `/v1/kv1/${long}`, { token: root }),
    ];
    for (const r of replies) {
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
      assert.ok(Array.isArray(r.body?.errors), r.text);
      assert.ok(!r.text.includes(tmp) && !r.text.includes(realpathSync(tmp)), r.text);
    }
  });
});
