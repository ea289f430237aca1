import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { cubbyholeFactory, destroyCubbyhole, readCubbyhole, writeCubbyhole } from '../src/engines/index.js';
import { InvalidRequestError } from '../src/errors.js';
import type { LogicalBackend } from '../src/logical/backend.js';
import type { Operation, Request, Response } from '../src/logical/request.js';
import { allKeys } from './support/storage-keys.js';

async function mount(storage = new InmemBackend()): Promise<{
  storage: InmemBackend;
  backend: LogicalBackend;
  call(token: string, operation: Operation, path: string, data?: Record<string, unknown>): Promise<Response | null>;
}> {
  const backend = await cubbyholeFactory({
    storage,
    mountPath: 'cubbyhole/',
    mountAccessor: 'cubbyhole_1',
    config: {},
    options: {},
    system: { defaultLeaseTTL: () => 60, maxLeaseTTL: () => 60, now: () => new Date() },
  });
  const call = async (token: string, operation: Operation, path: string, data: Record<string, unknown> = {}) => {
    const req: Request = { id: randomUUID(), operation, path, data, clientToken: token, headers: {}, mountPoint: 'cubbyhole/' };
    if (operation === 'create' || operation === 'update') req.operation = (await backend.existenceCheck(req)) ? 'update' : 'create';
    return backend.handleRequest(req);
  };
  return { storage, backend, call };
}

describe('cubbyhole', () => {
  it('stores, reads, lists and deletes per token, without leases', async () => {
    const c = await mount();
    await c.call('tok-a', 'create', 'foo', { value: 'bar', n: 1 });
    await c.call('tok-a', 'create', 'dir/one', { x: 'y' });
    const read = await c.call('tok-a', 'read', 'foo');
    assert.deepEqual(read?.data, { value: 'bar', n: 1 });
    assert.equal(read?.secret, undefined);
    assert.deepEqual((await c.call('tok-a', 'list', ''))?.data, { keys: ['dir/', 'foo'] });
    assert.deepEqual((await c.call('tok-a', 'list', 'dir'))?.data, { keys: ['one'] });

    await c.call('tok-a', 'update', 'foo', { value: 'baz' });
    assert.deepEqual((await c.call('tok-a', 'read', 'foo'))?.data, { value: 'baz' });
    await c.call('tok-a', 'delete', 'foo');
    assert.equal(await c.call('tok-a', 'read', 'foo'), null);
  });

  it('keeps each token to its own data', async () => {
    const c = await mount();
    await c.call('tok-a', 'create', 'secret', { mine: 'a' });
    assert.equal(await c.call('tok-b', 'read', 'secret'), null);
    assert.equal(await c.call('tok-b', 'list', ''), null);
    await c.call('tok-b', 'create', 'secret', { mine: 'b' });
    assert.deepEqual((await c.call('tok-a', 'read', 'secret'))?.data, { mine: 'a' });
    assert.deepEqual((await c.call('tok-b', 'read', 'secret'))?.data, { mine: 'b' });
  });

  it('never puts the raw token in a storage key', async () => {
    const c = await mount();
    const token = 'hvs.SuperSecretTokenValue123';
    await c.call(token, 'create', 'x', { a: 1 });
    const keys = await allKeys(c.storage);
    assert.ok(keys.length >= 2);
    for (const k of keys) assert.ok(!k.includes(token) && !k.includes('SuperSecret'), k);
  });

  it('reports the existence of a path for create versus update', async () => {
    const c = await mount();
    const req = (token: string): Request => ({ id: '1', operation: 'update', path: 'k', data: { a: 1 }, clientToken: token, headers: {} });
    assert.equal(await c.backend.existenceCheck(req('t')), false);
    await c.call('t', 'create', 'k', { a: 1 });
    assert.equal(await c.backend.existenceCheck(req('t')), true);
    assert.equal(await c.backend.existenceCheck(req('other')), false);
    assert.equal(await c.backend.existenceCheck(req('')), false);
  });

  it('refuses a request without a token, and bad input, with a 400', async () => {
    const c = await mount();
    for (const op of ['read', 'create', 'delete', 'list'] as const) {
      await assert.rejects(c.call('', op, 'foo', { a: 1 }), (err: unknown) => err instanceof InvalidRequestError && err.message === 'client token empty');
    }
    await assert.rejects(c.call('t', 'create', 'foo', {}), /missing data fields/);
    await assert.rejects(c.call('t', 'create', '', { a: 1 }), /missing path/);
    await assert.rejects(c.call('t', 'create', 'a/../b', { a: 1 }), InvalidRequestError);
    assert.equal(await c.call('t', 'read', 'a//b'), null);
  });

  it('destroys a token cubbyhole and leaves the others', async () => {
    const c = await mount();
    await c.call('gone', 'create', 'a', { v: 1 });
    await c.call('gone', 'create', 'deep/er/b', { v: 2 });
    await c.call('kept', 'create', 'a', { v: 3 });
    await destroyCubbyhole(c.storage, 'gone');
    assert.equal(await c.call('gone', 'read', 'a'), null);
    assert.equal(await c.call('gone', 'list', ''), null);
    assert.deepEqual((await c.call('kept', 'read', 'a'))?.data, { v: 3 });
    await destroyCubbyhole(c.storage, 'never-used');
    await destroyCubbyhole(new InmemBackend(), 'no-mount-yet');
  });

  it('shares its layout with the helpers the core uses, across remounts', async () => {
    const storage = new InmemBackend();
    const c = await mount(storage);
    await writeCubbyhole(storage, 'wrap-token', 'response', { response: '{"data":{}}' });
    assert.deepEqual((await c.call('wrap-token', 'read', 'response'))?.data, { response: '{"data":{}}' });
    await c.call('wrap-token', 'create', 'wrapinfo', { creation_ttl: 60 });
    assert.deepEqual(await readCubbyhole(storage, 'wrap-token', 'wrapinfo'), { creation_ttl: 60 });

    const again = await mount(storage);
    assert.deepEqual((await again.call('wrap-token', 'read', 'response'))?.data, { response: '{"data":{}}' });
  });
});
