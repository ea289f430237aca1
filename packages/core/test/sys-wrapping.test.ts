import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreError, InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';
import type { Response } from '../src/logical/request.js';

/** The unwrapped payload, whether the core hands it back as data or as the original raw response. */
function payload(resp: Response): Record<string, unknown> {
  if (resp.raw) return ((resp.raw.body as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>;
  return resp.data ?? {};
}

describe('sys/wrapping', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  const wrap = async (data: Record<string, unknown>): Promise<string> => {
    const resp = await request(core, 'update', 'sys/wrapping/wrap', root, data, { wrapTTL: 300 });
    assert.ok(resp.wrapInfo?.token);
    assert.equal(resp.wrapInfo.ttl, 300);
    assert.equal(resp.wrapInfo.creationPath, 'sys/wrapping/wrap');
    return resp.wrapInfo.token;
  };

  it('wraps only when a wrap TTL is given', async () => {
    await assert.rejects(request(core, 'update', 'sys/wrapping/wrap', root, { a: 1 }), /requires response wrapping/);
  });

  it('looks a wrapping token up without authentication', async () => {
    const token = await wrap({ a: 'b' });
    const resp = await request(core, 'update', 'sys/wrapping/lookup', '', { token });
    assert.equal(resp.data?.creation_path, 'sys/wrapping/wrap');
    assert.equal(resp.data?.creation_ttl, 300);
    assert.equal(typeof resp.data?.creation_time, 'string');
    await assert.rejects(request(core, 'update', 'sys/wrapping/lookup', '', {}), InvalidRequestError);
  });

  it('unwraps once, by a third party or with the wrapping token itself', async () => {
    const t1 = await wrap({ hello: 'world' });
    assert.deepEqual(payload(await request(core, 'update', 'sys/wrapping/unwrap', root, { token: t1 })), { hello: 'world' });
    await assert.rejects(request(core, 'update', 'sys/wrapping/unwrap', root, { token: t1 }), CoreError);

    const t2 = await wrap({ n: 2 });
    assert.deepEqual(payload(await request(core, 'update', 'sys/wrapping/unwrap', t2, {})), { n: 2 });
  });

  it('rewraps into a new token and invalidates the old one', async () => {
    const old = await wrap({ keep: 'me' });
    const resp = await request(core, 'update', 'sys/wrapping/rewrap', root, { token: old });
    const fresh = resp.wrapInfo?.token;
    assert.ok(fresh && fresh !== old);
    await assert.rejects(request(core, 'update', 'sys/wrapping/unwrap', root, { token: old }), CoreError);
    assert.deepEqual(payload(await request(core, 'update', 'sys/wrapping/unwrap', root, { token: fresh })), { keep: 'me' });
    await assert.rejects(request(core, 'update', 'sys/wrapping/rewrap', root, {}), InvalidRequestError);
  });
});
