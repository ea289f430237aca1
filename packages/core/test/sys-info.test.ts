// The read-only sys paths Vault's tools call: plugin catalog, version history, client counts, and the server's
// own data (loggers, in-flight requests, host, configuration) as the server hands it to the node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError, UnsupportedPathError } from '../src/errors.js';
import { VERSION } from '../src/seal/seal-lifecycle.js';
import type { ServerLogLevel, ServerView } from '../src/sys/server-view.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

/** A server with two loggers configured at `info`. */
function fakeServer(): ServerView & { current: Record<string, ServerLogLevel> } {
  const current: Record<string, ServerLogLevel> = { core: 'info', audit: 'info' };
  return {
    current,
    logLevels: {
      levels: () => ({ ...current }),
      set: (level, name) => {
        if (name !== undefined && !(name in current)) return false;
        for (const k of Object.keys(current)) if (name === undefined || k === name) current[k] = level;
        return true;
      },
      reset: (name) => {
        if (name !== undefined && !(name in current)) return false;
        for (const k of Object.keys(current)) if (name === undefined || k === name) current[k] = 'info';
        return true;
      },
    },
    inFlightRequests: () => ({ 'req-1': { start_time: '2024-01-01T00:00:00Z', client_remote_address: '127.0.0.1', request_path: '/v1/sys/in-flight-req', request_method: 'GET', client_id: '' } }),
    hostInfo: async () => ({ cpu: [], cpu_times: [], disk: [], host: { hostname: 'h' }, memory: { total: 1 }, timestamp: '2024-01-01T00:00:00Z' }),
    sanitizedConfig: () => ({ api_addr: 'http://127.0.0.1:8200', log_level: 'info' }),
  };
}

describe('sys info paths', () => {
  let core: Node;
  let root: string;
  const server = fakeServer();
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed({ server }));
  });
  after(async () => core.shutdown());

  it('lists the built-in plugins by type, and in detail, as `vault plugin list` reads them', async () => {
    const r = await request(core, 'read', 'sys/plugins/catalog', root);
    assert.deepEqual(r.data?.auth, ['approle', 'github', 'userpass']);
    assert.deepEqual(r.data?.secret, ['database', 'kv', 'transit']);
    assert.deepEqual(r.data?.database, ['postgresql-database-plugin']);
    const detailed = r.data?.detailed as Record<string, unknown>[];
    assert.deepEqual(detailed.find((p) => p.name === 'kv'), { name: 'kv', type: 'secret', version: 'v0.1.0+builtin.strongroom', builtin: true, deprecation_status: 'supported' });
    const auth = await request(core, 'list', 'sys/plugins/catalog/auth', root);
    assert.deepEqual(auth.data?.keys, ['approle', 'github', 'userpass']);
  });

  it('lists the version this cluster runs, installed when it first became active', async () => {
    const r = await request(core, 'list', 'sys/version-history', root);
    assert.deepEqual(r.data?.keys, [VERSION]);
    const info = (r.data?.key_info as Record<string, Record<string, unknown>>)[VERSION]!;
    assert.equal(info.previous_version, null);
    assert.ok(Date.now() - Date.parse(String(info.timestamp_installed)) < 60_000);
    assert.equal(typeof info.build_date, 'string');
  });

  it('answers client counts with Vault\'s shape and nothing counted', async () => {
    const r = await request(core, 'read', 'sys/internal/counters/activity', root);
    assert.equal((r.data?.total as Record<string, number>).clients, 0);
    assert.deepEqual(r.data?.months, []);
    assert.deepEqual(r.data?.by_namespace, []);
  });

  it('reads, sets and reverts log levels, all or one by name', async () => {
    assert.deepEqual((await request(core, 'read', 'sys/loggers', root)).data, { core: 'info', audit: 'info' });
    await request(core, 'update', 'sys/loggers', root, { level: 'debug' });
    assert.deepEqual(server.current, { core: 'debug', audit: 'debug' });
    await request(core, 'update', 'sys/loggers/core', root, { level: 'warning' });
    assert.deepEqual((await request(core, 'read', 'sys/loggers/core', root)).data, { core: 'warn' });
    await request(core, 'delete', 'sys/loggers/audit', root);
    assert.equal(server.current.audit, 'info');
    await request(core, 'delete', 'sys/loggers', root);
    assert.deepEqual(server.current, { core: 'info', audit: 'info' });
  });

  it('refuses a bad level or logger with a 400 and Vault\'s message', async () => {
    const bad = (op: 'update' | 'read' | 'delete', path: string, data: Record<string, unknown>, msg: RegExp) =>
      assert.rejects(request(core, op, path, root, data), (err: Error) => err instanceof InvalidRequestError && msg.test(err.message));
    await bad('update', 'sys/loggers', {}, /^level is required$/);
    await bad('update', 'sys/loggers', { level: '' }, /^level is empty$/);
    await bad('update', 'sys/loggers', { level: 'loud' }, /^invalid level provided/);
    await bad('update', 'sys/loggers/nobody', { level: 'info' }, /^logger "nobody" not found$/);
    await bad('read', 'sys/loggers/nobody', {}, /not found/);
    assert.deepEqual(server.current, { core: 'info', audit: 'info' });
  });

  it('answers in-flight requests as the bare map, and host info and sanitized config as data', async () => {
    const r = await request(core, 'read', 'sys/in-flight-req', root);
    assert.equal(r.raw?.status, 200);
    assert.deepEqual(Object.keys(r.raw?.body as object), ['req-1']);
    assert.deepEqual(Object.keys((await request(core, 'read', 'sys/host-info', root)).data ?? {}), ['cpu', 'cpu_times', 'disk', 'host', 'memory', 'timestamp']);
    assert.equal((await request(core, 'read', 'sys/config/state/sanitized', root)).data?.log_level, 'info');
  });

  it('a node without a server has no such paths', async () => {
    const { core: bare, rootToken } = await testCoreUnsealed();
    try {
      await assert.rejects(request(bare, 'read', 'sys/loggers', rootToken), UnsupportedPathError);
    } finally {
      await bare.shutdown();
    }
  });
});
