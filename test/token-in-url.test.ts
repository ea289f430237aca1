import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '@strongroom/server/testing';
import { call } from './helpers/http.js';

// A token in the URL (Vault's deprecated auth/token/lookup/<token> forms) is as secret as one in a body: the audit
// entry carries its HMAC, the debug log and sys/in-flight-req never the token itself.

describe('a token in the URL', () => {
  let srv: TestServer;
  let dir: string;
  let log = '';

  before(async () => {
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (log += d.toString()));
    srv = await startTestServer({ output, logLevel: 'debug' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-token-url-'));
    const en = await call(srv.url, 'PUT', '/v1/sys/audit/file', { token: srv.rootToken, body: { type: 'file', options: { file_path: path.join(dir, 'audit.log') } } });
    assert.equal(en.status, 204, en.text);
  });
  after(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is HMACed in the audit path and absent from the debug log', async () => {
    const created = await call(srv.url, 'POST', '/v1/auth/token/create', { token: srv.rootToken, body: { policies: ['default'] } });
    const secret: string = created.body.auth.client_token;
    assert.equal((await call(srv.url, 'GET', `/v1/auth/token/lookup/${secret}`, { token: srv.rootToken })).status, 200);
    const hash = await call(srv.url, 'PUT', '/v1/sys/audit-hash/file', { token: srv.rootToken, body: { input: secret } });
    const audit = readFileSync(path.join(dir, 'audit.log'), 'utf8');
    assert.ok(!audit.includes(secret), 'the audit log holds the raw token');
    assert.ok(audit.includes(`auth/token/lookup/${hash.body.data.hash}`), 'the audit path carries the HMAC of the token');
    assert.ok(!log.includes(secret), 'the debug log holds the token');
    assert.match(log, /auth\/token\/lookup\/<redacted>/);
  });
});
