import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { kvFactory } from '../src/engines/index.js';
import { InvalidRequestError, NotFoundError, UnsupportedOperationError } from '../src/errors.js';
import type { BackendContext, LogicalBackend } from '../src/logical/backend.js';
import type { Operation, Request, Response } from '../src/logical/request.js';

interface Harness {
  backend: LogicalBackend;
  storage: InmemBackend;
  clock: { now: Date };
  call(operation: Operation, path: string, data?: Record<string, unknown>, query?: Record<string, string>): Promise<Response | null>;
}

async function mount(version: '1' | '2'): Promise<Harness> {
  const storage = new InmemBackend();
  const clock = { now: new Date('2024-01-01T00:00:00Z') };
  const ctx: BackendContext = {
    storage,
    mountPath: 'secret/',
    mountAccessor: 'kv_1234',
    config: {},
    options: { version },
    system: { defaultLeaseTTL: () => 2764800, maxLeaseTTL: () => 2764800, now: () => clock.now },
  };
  const backend = await kvFactory(ctx);
  const call = async (operation: Operation, path: string, data: Record<string, unknown> = {}, query?: Record<string, string>) => {
    const req: Request = { id: randomUUID(), operation, path, data, clientToken: '', headers: {}, mountPoint: 'secret/', query };
    if (operation === 'create' || operation === 'update') {
      const exists = await backend.existenceCheck(req);
      req.operation = exists === false ? 'create' : 'update';
    }
    return backend.handleRequest(req);
  };
  return { backend, storage, clock, call };
}

/** The envelope of a raw response (kv v2 answers a deleted version with the whole envelope and a 404). */
function rawBody(resp: Response | null): { status: number; body: Record<string, unknown> } {
  assert.ok(resp?.raw, 'expected a raw response');
  return { status: resp.raw.status, body: resp.raw.body as Record<string, unknown> };
}

describe('kv version 1', () => {
  it('stores, reads, lists and deletes secrets as given', async () => {
    const kv = await mount('1');
    assert.equal(await kv.call('create', 'app/db', { user: 'u', password: 'p', port: 5432 }), null);
    await kv.call('create', 'app/api', { key: 'k' });
    await kv.call('create', 'top', { a: '1' });

    const read = await kv.call('read', 'app/db');
    assert.deepEqual(read?.data, { user: 'u', password: 'p', port: 5432 });
    assert.equal(read?.secret?.ttl, 2764800);
    assert.equal(read?.secret?.leaseId, undefined);

    assert.deepEqual((await kv.call('list', 'app/'))?.data, { keys: ['api', 'db'] });
    assert.deepEqual((await kv.call('list', 'app'))?.data, { keys: ['api', 'db'] });
    assert.deepEqual((await kv.call('list', ''))?.data, { keys: ['app/', 'top'] });

    await kv.call('update', 'app/db', { user: 'v' });
    assert.deepEqual((await kv.call('read', 'app/db'))?.data, { user: 'v' });

    await kv.call('delete', 'app/db');
    assert.equal(await kv.call('read', 'app/db'), null);
    assert.equal(await kv.call('list', 'nothing/'), null);
  });

  it('reports a ttl hint as the lease duration', async () => {
    const kv = await mount('1');
    await kv.call('create', 'hinted', { value: 'x', ttl: '1h' });
    assert.equal((await kv.call('read', 'hinted'))?.secret?.ttl, 3600);
  });

  it('refuses empty writes and paths the storage cannot hold with a 400', async () => {
    const kv = await mount('1');
    await assert.rejects(kv.call('create', 'empty', {}), /missing data fields/);
    await assert.rejects(kv.call('create', 'a//b', { x: 1 }), InvalidRequestError);
    await assert.rejects(kv.call('create', 'a/../b', { x: 1 }), InvalidRequestError);
    assert.equal(await kv.call('read', 'a/../b'), null);
  });
});

describe('kv version 2', () => {
  it('writes versions and reads the latest or a given one', async () => {
    const kv = await mount('2');
    const w1 = await kv.call('create', 'data/app', { data: { password: 'one' } });
    assert.deepEqual(w1?.data, {
      created_time: '2024-01-01T00:00:00Z',
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 1,
    });
    kv.clock.now = new Date('2024-01-01T00:00:01.5Z');
    const w2 = await kv.call('update', 'data/app', { data: { password: 'two' } });
    assert.equal(w2?.data?.version, 2);

    const latest = await kv.call('read', 'data/app');
    assert.deepEqual(latest?.data, {
      data: { password: 'two' },
      metadata: { created_time: '2024-01-01T00:00:01.5Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
    });
    const first = await kv.call('read', 'data/app', {}, { version: '1' });
    assert.deepEqual((first?.data as { data: unknown }).data, { password: 'one' });
    assert.equal(await kv.call('read', 'data/missing'), null);
    assert.equal(await kv.call('read', 'data/app', {}, { version: '9' }), null);
  });

  it('enforces check-and-set', async () => {
    const kv = await mount('2');
    await kv.call('create', 'data/c', { data: { a: 1 }, options: { cas: 0 } });
    await assert.rejects(kv.call('update', 'data/c', { data: { a: 2 }, options: { cas: 0 } }), /check-and-set parameter did not match the current version/);
    const ok = await kv.call('update', 'data/c', { data: { a: 2 }, options: { cas: 1 } });
    assert.equal(ok?.data?.version, 2);

    await kv.call('update', 'config', { cas_required: true });
    await assert.rejects(kv.call('update', 'data/c', { data: { a: 3 } }), /check-and-set parameter required for this call/);
    await assert.rejects(kv.call('update', 'data/c', { data: { a: 3 }, options: { cas: 'x' } }), InvalidRequestError);
  });

  it('soft-deletes, undeletes and destroys versions; a deleted version is a 404 with its metadata', async () => {
    const kv = await mount('2');
    for (const v of ['a', 'b', 'c']) await kv.call('update', 'data/s', { data: { v } });

    kv.clock.now = new Date('2024-01-01T00:00:10Z');
    assert.equal(await kv.call('delete', 'data/s'), null);
    kv.clock.now = new Date('2024-01-01T00:00:11Z');
    const deleted = rawBody(await kv.call('read', 'data/s'));
    assert.equal(deleted.status, 404);
    assert.equal(deleted.body.lease_id, '');
    assert.equal(deleted.body.auth, null);
    assert.deepEqual(deleted.body.data, {
      data: null,
      metadata: { created_time: '2024-01-01T00:00:00Z', custom_metadata: null, deletion_time: '2024-01-01T00:00:10Z', destroyed: false, version: 3 },
    });

    await kv.call('update', 'undelete/s', { versions: [3] });
    assert.deepEqual((await kv.call('read', 'data/s'))?.data?.data, { v: 'c' });

    await kv.call('update', 'delete/s', { versions: [1, 2] });
    assert.equal(rawBody(await kv.call('read', 'data/s', {}, { version: '2' })).status, 404);

    await kv.call('update', 'destroy/s', { versions: '1' });
    const destroyed = rawBody(await kv.call('read', 'data/s', {}, { version: '1' }));
    assert.equal((destroyed.body.data as { metadata: { destroyed: boolean } }).metadata.destroyed, true);
    // A destroyed version stays destroyed: undelete cannot bring it back.
    await kv.call('update', 'undelete/s', { versions: [1] });
    assert.equal(rawBody(await kv.call('read', 'data/s', {}, { version: '1' })).status, 404);

    await assert.rejects(kv.call('update', 'destroy/s', { versions: [] }), /no version number provided/);
    await assert.rejects(kv.call('update', 'delete/s', {}), /No version number provided/);
  });

  it('reports metadata, lists keys and deletes every version with the metadata', async () => {
    const kv = await mount('2');
    await kv.call('update', 'data/dir/one', { data: { a: 1 } });
    await kv.call('update', 'data/dir/one', { data: { a: 2 } });
    await kv.call('update', 'data/dir/two', { data: { b: 1 } });
    await kv.call('update', 'metadata/dir/one', { max_versions: 5, custom_metadata: { owner: 'ops' } });

    const meta = await kv.call('read', 'metadata/dir/one');
    assert.equal(meta?.data?.current_version, 2);
    assert.equal(meta?.data?.max_versions, 5);
    assert.deepEqual(meta?.data?.custom_metadata, { owner: 'ops' });
    assert.deepEqual(Object.keys(meta?.data?.versions as object), ['1', '2']);
    assert.equal(meta?.data?.delete_version_after, '0s');

    assert.deepEqual((await kv.call('list', 'metadata/'))?.data, { keys: ['dir/'] });
    assert.deepEqual((await kv.call('list', 'metadata/dir/'))?.data, { keys: ['one', 'two'] });

    await kv.call('delete', 'metadata/dir/one');
    assert.equal(await kv.call('read', 'metadata/dir/one'), null);
    assert.equal(await kv.call('read', 'data/dir/one'), null);
    assert.deepEqual((await kv.call('list', 'metadata/dir/'))?.data, { keys: ['two'] });
    // Nothing of the deleted key is left in storage: only the other key's version folder remains.
    assert.equal((await kv.storage.list('versions/')).length, 1);

    // exclude_deleted hides a key whose current version is deleted.
    await kv.call('delete', 'data/dir/two');
    await kv.call('update', 'data/dir/three', { data: { c: 1 } });
    assert.deepEqual((await kv.call('list', 'metadata/dir/'))?.data, { keys: ['three', 'two'] });
    assert.deepEqual((await kv.call('list', 'metadata/dir/', {}, { exclude_deleted: 'true' }))?.data, { keys: ['three'] });
  });

  it('keeps only max_versions versions (mount config)', async () => {
    const kv = await mount('2');
    await kv.call('update', 'config', { max_versions: 2 });
    assert.equal((await kv.call('read', 'config'))?.data?.max_versions, 2);
    for (let i = 1; i <= 4; i++) await kv.call('update', 'data/k', { data: { i } });
    const meta = await kv.call('read', 'metadata/k');
    assert.deepEqual(Object.keys(meta?.data?.versions as object), ['3', '4']);
    assert.equal(meta?.data?.oldest_version, 3);
    assert.equal(await kv.call('read', 'data/k', {}, { version: '1' }), null);
    assert.deepEqual((await kv.call('read', 'data/k', {}, { version: '3' }))?.data?.data, { i: 3 });
    await assert.rejects(kv.call('update', 'config', { max_versions: -1 }), InvalidRequestError);
  });

  it('patches the current version with a merge patch', async () => {
    const kv = await mount('2');
    await kv.call('update', 'data/p', { data: { a: 1, b: { c: 2, d: 3 } } });
    const patched = await kv.call('patch', 'data/p', { data: { a: null, b: { c: 5 } } });
    assert.equal(patched?.data?.version, 2);
    assert.deepEqual((await kv.call('read', 'data/p'))?.data?.data, { b: { c: 5, d: 3 } });
    await assert.rejects(kv.call('patch', 'data/none', { data: { a: 1 } }), NotFoundError);
  });

  it('answers v1-style paths with a 404 that points at the v2 API', async () => {
    const kv = await mount('2');
    const r = rawBody(await kv.call('read', 'app'));
    assert.equal(r.status, 404);
    assert.match(String((r.body.warnings as string[])[0]), /Invalid path for a versioned K\/V secrets engine.*vault kv get/);
  });

  it('refuses bad input with typed 4xx errors', async () => {
    const kv = await mount('2');
    await assert.rejects(kv.call('update', 'data/x', { data: 'nope' }), /no data provided/);
    await assert.rejects(kv.call('update', 'data/x', {}), /no data provided/);
    await assert.rejects(kv.call('update', 'data/a//b', { data: { a: 1 } }), InvalidRequestError);
    await assert.rejects(kv.call('read', 'data/x', {}, { version: 'abc' }), InvalidRequestError);
    await assert.rejects(kv.call('list', 'data/x'), UnsupportedOperationError);
  });
});

describe('kv factory', () => {
  it('refuses an unknown version', async () => {
    const ctx = {
      storage: new InmemBackend(),
      mountPath: 'kv/',
      mountAccessor: 'kv_1',
      config: {},
      options: { version: '3' },
      system: { defaultLeaseTTL: () => 1, maxLeaseTTL: () => 1, now: () => new Date() },
    };
    await assert.rejects(kvFactory(ctx), InvalidRequestError);
  });
});
