// The sys paths over data the server owns, end to end through a dev server: token, ACL and Vault's shapes.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing.js';

describe('sys paths over the server\'s own data', () => {
  let srv: TestServer;
  // Vault's shapes are checked field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: object, token: string | null = srv.rootToken): Promise<{ status: number; json: any }> => {
    const headers: Record<string, string> = token ? { 'X-Vault-Token': token } : {};
    const r = await fetch(`${srv.url}/v1/${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };

  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  test('sys/in-flight-req answers the bare map, the asking request among them', async () => {
    const r = await call('GET', 'sys/in-flight-req');
    assert.equal(r.status, 200);
    const entries = Object.values(r.json) as Record<string, unknown>[];
    const self = entries.find((e) => e.request_path === '/v1/sys/in-flight-req');
    assert.ok(self, JSON.stringify(r.json));
    assert.equal(self.request_method, 'GET');
    assert.equal(typeof self.start_time, 'string');
    assert.equal(typeof self.client_remote_address, 'string');
    // Answered requests are forgotten.
    const again = await call('GET', 'sys/in-flight-req');
    assert.equal(Object.keys(again.json).length, 1);
  });

  test('sys/loggers changes the server\'s level at run time and reverts to the configured one', async () => {
    assert.deepEqual((await call('GET', 'sys/loggers')).json.data, { core: 'error' });
    assert.equal((await call('POST', 'sys/loggers', { level: 'debug' })).status, 204);
    assert.equal(srv.server.logger.level(), 'debug');
    assert.equal((await call('POST', 'sys/loggers/core', { level: 'trace' })).status, 204);
    assert.deepEqual((await call('GET', 'sys/loggers/core')).json.data, { core: 'trace' });
    const bad = await call('POST', 'sys/loggers/nobody', { level: 'info' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { errors: ['logger "nobody" not found'] });
    assert.equal((await call('DELETE', 'sys/loggers')).status, 204);
    assert.equal(srv.server.logger.level(), 'error');
  });

  test('sys/host-info answers cpu, disk, host and memory', async () => {
    const d = (await call('GET', 'sys/host-info')).json.data;
    assert.equal(d.host.hostname, hostname());
    assert.ok(d.memory.total > 0);
    assert.ok(Array.isArray(d.cpu) && d.cpu.length > 0);
    assert.ok(Array.isArray(d.disk));
    assert.equal(typeof d.timestamp, 'string');
  });

  test('sys/config/state/sanitized answers the configuration in Vault\'s keys', async () => {
    const d = (await call('GET', 'sys/config/state/sanitized')).json.data;
    assert.equal(d.api_addr, srv.url);
    assert.equal(d.log_level, 'error');
    assert.deepEqual(d.storage.type, 'inmem');
    assert.equal(d.listeners[0].type, 'tcp');
    assert.equal(d.default_lease_ttl, 768 * 3600);
  });

  test('each needs a token allowed there', async () => {
    for (const path of ['sys/in-flight-req', 'sys/loggers', 'sys/host-info', 'sys/config/state/sanitized', 'sys/plugins/catalog', 'sys/ha-status']) {
      assert.equal((await call('GET', path, undefined, null)).status, 403, path);
    }
  });
});
