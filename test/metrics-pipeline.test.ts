import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { call } from './helpers/http.js';

// sys/metrics goes through the request pipeline like any path: the ACL decides, the audit device records it, and
// a use-limited token spends a use on it.

describe('sys/metrics through the request pipeline', () => {
  let srv: TestServer;
  let dir: string;
  before(async () => {
    srv = await startTestServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-metrics-'));
    const root = srv.rootToken;
    assert.equal((await call(srv.url, 'PUT', '/v1/sys/audit/file', { token: root, body: { type: 'file', options: { file_path: path.join(dir, 'audit.log') } } })).status, 204);
    assert.equal((await call(srv.url, 'PUT', '/v1/sys/policy/metrics', { token: root, body: { policy: 'path "sys/metrics" { capabilities = ["read"] }' } })).status, 204);
  });
  after(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spends a use of a use-limited token and is audited', async () => {
    const created = await call(srv.url, 'POST', '/v1/auth/token/create', { token: srv.rootToken, body: { policies: ['metrics'], num_uses: 2 } });
    const token: string = created.body.auth.client_token;
    const first = await call(srv.url, 'GET', '/v1/sys/metrics', { token });
    assert.equal(first.status, 200, first.text);
    assert.ok(Array.isArray(first.body.Gauges));
    assert.equal((await call(srv.url, 'GET', '/v1/sys/metrics', { token })).status, 200);
    assert.equal((await call(srv.url, 'GET', '/v1/sys/metrics', { token })).status, 403, 'two uses, then the token is gone');
    const entries = readFileSync(path.join(dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; request: { path: string } });
    assert.ok(entries.filter((e) => e.type === 'request' && e.request.path === 'sys/metrics').length >= 2, 'metrics reads are audited');
  });

  it('refuses a token whose policies do not grant read on sys/metrics', async () => {
    const created = await call(srv.url, 'POST', '/v1/auth/token/create', { token: srv.rootToken, body: { policies: ['default'] } });
    assert.equal((await call(srv.url, 'GET', '/v1/sys/metrics', { token: created.body.auth.client_token })).status, 403);
  });
});
