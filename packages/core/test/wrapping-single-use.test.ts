import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileBackend, InmemBackend, type Backend } from '@strongroom/storage';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';
import type { Response } from '../src/logical/request.js';

/** The secret a redemption got back, whichever way it came in; null when the attempt was refused. */
function secretOf(resp: Response): unknown {
  if (resp.raw) {
    const b = resp.raw.body as { data?: { secret?: unknown; response?: string } };
    if (b.data?.secret !== undefined) return b.data.secret;
  }
  if (resp.data?.secret !== undefined) return resp.data.secret;
  // The cubbyhole read of `response` holds the wrapped answer as JSON text.
  const text = resp.data?.response;
  if (typeof text === 'string') return (JSON.parse(text) as { data?: { secret?: unknown } }).data?.secret ?? null;
  return null;
}

async function attempts(core: Node, root: string, n: number): Promise<number> {
  const wrapped = await request(core, 'update', 'sys/wrapping/wrap', root, { secret: 's3cr3t' }, { wrapTTL: 300 });
  const w = wrapped.wrapInfo!.token;
  const tries = Array.from({ length: n }, (_, i) => {
    if (i % 3 === 0) return request(core, 'read', 'cubbyhole/response', w);
    if (i % 3 === 1) return request(core, 'update', 'sys/wrapping/unwrap', '', { token: w });
    return request(core, 'update', 'sys/wrapping/unwrap', w);
  });
  const results = await Promise.allSettled(tries);
  let won = 0;
  for (const r of results) if (r.status === 'fulfilled' && secretOf(r.value) === 's3cr3t') won++;
  return won;
}

/** A wrapping token has one use: cubbyhole reads and unwraps racing for it, by any way in, let exactly one win. */
for (const kind of ['inmem', 'file'] as const) {
  describe(`wrapping token single use (${kind} storage)`, () => {
    it('lets exactly one of many parallel redemptions succeed', async () => {
      const dir = kind === 'file' ? await mkdtemp(join(tmpdir(), 'strongroom-wrap-')) : '';
      const storage: Backend = kind === 'file' ? new FileBackend(dir) : new InmemBackend();
      const { core, rootToken } = await testCoreUnsealed({ storage });
      try {
        for (let round = 0; round < 5; round++) assert.equal(await attempts(core, rootToken, 9), 1, `round ${round}`);
      } finally {
        await core.shutdown();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
