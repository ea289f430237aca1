import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError, UnsupportedPathError } from '../src/errors.js';
import type { Node } from '../src/node.js';
import { request, testCoreUnsealed } from '../src/testing.js';

const POLICY = 'path "secret/*" { capabilities = ["read"] }';

/** A policy name must read as what it is: no name that splits into others or looks like another. */
describe('policy names', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('refuses commas, inner whitespace, zero-width and control characters', async () => {
    // A line separator does not even match the route (404); the rest reach the name check (400).
    const refused = (err: unknown): boolean => err instanceof InvalidRequestError || err instanceof UnsupportedPathError;
    for (const name of ['dev,admin', 'ad\u200bmin', 'admin\u200d', 'ad\ufeffmin', 'ad min', 'ad\tmin', 'ad\u0007min', 'ad\u2028min']) {
      await assert.rejects(request(core, 'update', `sys/policies/acl/${name}`, root, { policy: POLICY }), refused, JSON.stringify(name));
      await assert.rejects(request(core, 'update', `sys/policy/${name}`, root, { policy: POLICY }), refused, JSON.stringify(name));
    }
    const list = await request(core, 'list', 'sys/policies/acl/', root);
    assert.deepEqual((list.data?.keys as string[]).filter((k) => k !== 'default' && k !== 'root'), []);
  });

  it('refuses an overlong name', async () => {
    await assert.rejects(request(core, 'update', `sys/policies/acl/${'a'.repeat(300)}`, root, { policy: POLICY }), InvalidRequestError);
  });

  it('still takes ordinary names', async () => {
    for (const name of ['dev', 'team-a_b.c', 'ops@prod', 'Ünïcode']) {
      await request(core, 'update', `sys/policies/acl/${name}`, root, { policy: POLICY });
    }
  });
});
