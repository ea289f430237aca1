import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { AuditBroker, AuditTable, fileAuditFactory, type AuditDevice, type AuditDeviceFactory, type AuditEntry } from '../src/audit/index.js';
import { AuditFailedError, InvalidRequestError } from '../src/errors.js';
import type { Request } from '../src/logical/request.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-table-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A device that keeps entries in memory, and can be told to fail. */
function memoryFactory(): { factory: AuditDeviceFactory; entries: AuditEntry[]; fail: { now: boolean }; closed: string[] } {
  const entries: AuditEntry[] = [];
  const fail = { now: false };
  const closed: string[] = [];
  const factory: AuditDeviceFactory = async ({ path, options }) => {
    if (options.broken === 'true') throw new InvalidRequestError('broken option');
    const device: AuditDevice = {
      type: 'memory',
      logRequest: async (e) => {
        if (fail.now) throw new Error('device is down');
        entries.push(e);
      },
      logResponse: async (e) => {
        if (fail.now) throw new Error('device is down');
        entries.push(e);
      },
      reload: async () => undefined,
      close: async () => {
        closed.push(path);
      },
    };
    return device;
  };
  return { factory, entries, fail, closed };
}

function table(storage: InmemBackend, factories: Record<string, AuditDeviceFactory> = {}): { t: AuditTable; broker: AuditBroker } {
  const broker = new AuditBroker({ timeoutMs: 1000 });
  return { t: new AuditTable({ storage, broker, factories: { file: fileAuditFactory, ...factories } }), broker };
}

function request(path: string): Request {
  return { id: 'req-1', operation: 'read', path, data: {}, clientToken: 'hvs.token', headers: {} };
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('AuditTable', () => {
  it('enables a file device after a test entry, and the broker then writes to it', async () => {
    const storage = new InmemBackend();
    const { t, broker } = table(storage);
    await t.load();
    const file = join(dir, 'audit.log');
    await t.enable('file', { type: 'file', description: 'main log', options: { file_path: file } });

    const probe = await lines(file);
    assert.equal(probe.length, 1);
    assert.equal((probe[0]!.request as { path: string }).path, 'sys/audit/test');

    assert.deepEqual(t.list(), [{ path: 'file/', type: 'file', description: 'main log', options: { file_path: file }, local: false }]);
    assert.ok(broker.hasDevices());
    await broker.logRequest({ request: request('secret/foo') });
    const after = await lines(file);
    assert.equal(after.length, 2);
    const req = after[1]!.request as { path: string; client_token: string };
    assert.equal(req.path, 'secret/foo');
    // The token is hashed with the device's salt, the same hash sys/audit-hash gives.
    assert.equal(req.client_token, await t.hash('file', 'hvs.token'));
    await t.unload();
  });

  it('stores the table at core/audit and a salt per device at audit/<uuid>/salt', async () => {
    const storage = new InmemBackend();
    const { t } = table(storage);
    await t.load();
    await t.enable('log/', { type: 'file', options: { file_path: 'discard' } });
    const stored = JSON.parse(Buffer.from((await storage.get('core/audit'))!).toString()) as { entries: { path: string; uuid: string; accessor: string }[] };
    assert.equal(stored.entries.length, 1);
    const entry = stored.entries[0]!;
    assert.equal(entry.path, 'log/');
    assert.match(entry.accessor, /^audit_[0-9a-f]{8}$/);
    const salt = Buffer.from((await storage.get(`audit/${entry.uuid}/salt`))!).toString();
    const expected = 'hmac-sha256:' + createHmac('sha256', salt).update('abc').digest('hex');
    assert.equal(await t.hash('log', 'abc'), expected);
    await t.unload();
  });

  it('restores the devices with the same salts on load, and forgets them on unload', async () => {
    const storage = new InmemBackend();
    const first = table(storage);
    await first.t.load();
    await first.t.enable('a', { type: 'file', options: { file_path: 'discard' }, local: true });
    const hash = await first.t.hash('a/', 'value');
    await first.t.unload();
    assert.equal(first.broker.hasDevices(), false);
    assert.deepEqual(first.t.list(), []);

    const second = table(storage);
    await second.t.load();
    assert.deepEqual(second.t.list(), [{ path: 'a/', type: 'file', description: '', options: { file_path: 'discard' }, local: true }]);
    assert.equal(await second.t.hash('a', 'value'), hash);
    assert.ok(second.broker.isRegistered('a/'));
    await second.t.unload();
  });

  it('refuses duplicates, overlapping paths, unknown types and bad options with a 400', async () => {
    const storage = new InmemBackend();
    const { t } = table(storage);
    await t.load();
    await t.enable('file', { type: 'file', options: { file_path: 'discard' } });
    await assert.rejects(t.enable('file/', { type: 'file', options: { file_path: 'discard' } }), /path already in use/);
    await assert.rejects(t.enable('file/nested', { type: 'file', options: { file_path: 'discard' } }), /path already in use/);
    await assert.rejects(t.enable('other', { type: 'socket' }), (err: unknown) => err instanceof InvalidRequestError && /unknown backend type/.test(err.message));
    await assert.rejects(t.enable('other', { type: 'file', options: {} }), /file_path is required/);
    await assert.rejects(t.enable('other', { type: 'file', options: { file_path: 'discard', format: 'xml' } }), InvalidRequestError);
    await assert.rejects(t.enable('other', { type: 'file', options: { file_path: 'discard', log_raw: 'maybe' } }), InvalidRequestError);
    await assert.rejects(t.enable('', { type: 'file', options: { file_path: 'discard' } }), InvalidRequestError);
    await assert.rejects(t.enable('a/../b', { type: 'file', options: { file_path: 'discard' } }), InvalidRequestError);
    assert.equal(t.list().length, 1);
    await t.unload();
  });

  it('does not enable a device that cannot write, and says why', async () => {
    const storage = new InmemBackend();
    const { t, broker } = table(storage);
    await t.load();
    const bad = join(dir, 'no-such-dir', 'audit.log');
    await assert.rejects(t.enable('file', { type: 'file', options: { file_path: bad } }), (err: unknown) => {
      assert.ok(err instanceof InvalidRequestError);
      assert.match(err.message, /audit backend failed test message: .*ENOENT/);
      return true;
    });
    assert.deepEqual(t.list(), []);
    assert.equal(broker.hasDevices(), false);
    assert.equal(await storage.get('core/audit'), null);
    assert.deepEqual(await storage.list('audit/'), []);
  });

  it('disables a device: no more entries, salt gone, and disabling nothing is not an error', async () => {
    const storage = new InmemBackend();
    const mem = memoryFactory();
    const { t, broker } = table(storage, { memory: mem.factory });
    await t.load();
    await t.enable('mem', { type: 'memory' });
    await t.enable('discard', { type: 'file', options: { file_path: 'discard' } });
    assert.equal(mem.entries.length, 1); // the probe
    await broker.logRequest({ request: request('x') });
    assert.equal(mem.entries.length, 2);

    assert.equal(await t.disable('mem'), true);
    assert.deepEqual(mem.closed, ['mem/']);
    await broker.logRequest({ request: request('x') });
    assert.equal(mem.entries.length, 2);
    assert.deepEqual(t.list().map((d) => d.path), ['discard/']);
    assert.equal((await storage.list('audit/')).length, 1);
    await assert.rejects(t.hash('mem', 'x'), InvalidRequestError);
    assert.equal(await t.disable('mem'), false);
    await t.unload();
  });

  it('makes the broker fail closed when the only device fails', async () => {
    const storage = new InmemBackend();
    const mem = memoryFactory();
    const { t, broker } = table(storage, { memory: mem.factory });
    await t.load();
    await t.enable('mem', { type: 'memory' });
    mem.fail.now = true;
    await assert.rejects(broker.logRequest({ request: request('x') }), AuditFailedError);
    await t.unload();
  });

  it('skips a device that fails to load, but refuses to load when none can', async () => {
    const storage = new InmemBackend();
    const mem = memoryFactory();
    const first = table(storage, { memory: mem.factory });
    await first.t.load();
    await first.t.enable('mem', { type: 'memory' });
    await first.t.enable('discard', { type: 'file', options: { file_path: 'discard' } });
    await first.t.unload();

    // Without the memory type the file device still loads.
    const partial = table(storage);
    await partial.t.load();
    assert.ok(partial.broker.isRegistered('discard/'));
    assert.equal(partial.broker.isRegistered('mem/'), false);
    await partial.t.disable('discard');
    await partial.t.unload();

    const none = table(storage);
    await assert.rejects(none.t.load(), /failed to set up any audit device/);
    assert.equal(none.broker.hasDevices(), false);
  });
});
