import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { PermissionDeniedError } from '../src/errors.js';
import { FrameworkBackend } from '../src/framework/framework-backend.js';
import type { BackendContext, LogicalBackend } from '../src/logical/backend.js';
import type { Node } from '../src/node.js';
import { request, testCoreUnsealed } from '../src/testing.js';

/** Storage that records which keys were read, to see what a request touched before it was refused. */
class RecordingBackend extends InmemBackend {
  reads: string[] = [];
  override async get(key: string): Promise<Uint8Array | null> {
    this.reads.push(key);
    return super.get(key);
  }
}

/**
 * An engine whose exceptions to the lifecycle's defaults are declared as special paths: `mine/*` sees the caller's
 * token, `free/*` consumes no use of it.
 */
async function declaringEngine(_ctx: BackendContext): Promise<LogicalBackend> {
  const echo = async (req: { clientToken: string }) => ({ data: { token_seen: req.clientToken } });
  return new FrameworkBackend({
    class: 'secret',
    help: 'test engine',
    paths: [
      { pattern: 'mine/.*', operations: { read: echo } },
      { pattern: 'free/.*', operations: { read: echo } },
      { pattern: 'other/.*', operations: { read: echo } },
    ],
    specialPaths: { clientToken: ['mine/*'], noTokenUse: ['free/*'] },
  });
}

describe('request lifecycle', () => {
  let node: Node;
  let root: string;
  let storage: RecordingBackend;
  before(async () => {
    storage = new RecordingBackend();
    ({ core: node, rootToken: root } = await testCoreUnsealed({ storage, secretEngines: { declaring: declaringEngine } }));
    await request(node, 'update', 'sys/mounts/d', root, { type: 'declaring' });
    await request(node, 'update', 'secret/data/app', root, { data: { a: 1 } });
  });
  after(() => node.shutdown());

  for (const [name, token] of [
    ['without a token', ''],
    ['with a token that does not exist', 'hvs.not-a-token'],
  ] as const) {
    it(`refuses a write ${name} before the mount's storage is read`, async () => {
      storage.reads = [];
      await assert.rejects(request(node, 'update', 'secret/data/other', token, { data: { b: 2 } }), PermissionDeniedError);
      const mountReads = storage.reads.filter((k) => k.startsWith('logical/'));
      assert.deepEqual(mountReads, [], 'the existence check never ran');
    });
  }

  it('hands the caller token only to the paths a backend declares', async () => {
    const mine = await request(node, 'read', 'd/mine/x', root);
    assert.equal(mine.data?.token_seen, root);
    const other = await request(node, 'read', 'd/other/x', root);
    assert.equal(other.data?.token_seen, '');
  });

  it('takes no use of a use-limited token on paths declared so, and one use elsewhere', async () => {
    const created = await request(node, 'update', 'auth/token/create', root, { policies: ['root'], num_uses: 2 });
    const limited = created.auth!.clientToken!;
    for (let i = 0; i < 5; i++) await request(node, 'read', 'd/free/x', limited);
    await request(node, 'read', 'd/other/x', limited);
    await request(node, 'read', 'd/other/x', limited);
    await assert.rejects(request(node, 'read', 'd/other/x', limited), PermissionDeniedError, 'two uses were taken, none by free/');
  });

  it('answers a read of nothing with a 404 and an empty error list', async () => {
    const resp = await request(node, 'read', 'secret/data/missing', root);
    assert.deepEqual(resp.raw, { status: 404, body: { errors: [] } });
  });
});
