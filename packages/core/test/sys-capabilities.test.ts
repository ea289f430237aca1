import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/capabilities*', () => {
  let core: Node;
  let root: string;
  let tok: string;
  let accessor: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    await request(core, 'update', 'sys/policies/acl/caps', root, {
      policy: 'path "secret/data/app/*" { capabilities = ["update", "read", "create"] }\npath "secret/data/app/locked" { capabilities = ["deny"] }',
    });
    const created = await request(core, 'update', 'auth/token/create', root, { policies: ['caps'] });
    tok = created.auth!.clientToken!;
    accessor = created.auth!.accessor!;
  });
  after(async () => core.shutdown());

  it('answers per path, sorted, and repeats a single path under capabilities', async () => {
    const resp = await request(core, 'update', 'sys/capabilities', root, { token: tok, path: 'secret/data/app/x' });
    assert.deepEqual(resp.data, { 'secret/data/app/x': ['create', 'read', 'update'], capabilities: ['create', 'read', 'update'] });
  });

  it('takes several paths (list or comma string) and reports deny', async () => {
    const resp = await request(core, 'update', 'sys/capabilities', root, { token: tok, paths: 'secret/data/app/x,secret/data/app/locked,other/x' });
    assert.deepEqual(resp.data, {
      'secret/data/app/x': ['create', 'read', 'update'],
      'secret/data/app/locked': ['deny'],
      'other/x': ['deny'],
    });
  });

  it('answers for the calling token and for an accessor', async () => {
    const self = await request(core, 'update', 'sys/capabilities-self', tok, { paths: ['secret/data/app/y'] });
    assert.deepEqual(self.data?.capabilities, ['create', 'read', 'update']);
    const byAccessor = await request(core, 'update', 'sys/capabilities-accessor', root, { accessor, paths: ['secret/data/app/y'] });
    assert.deepEqual(byAccessor.data?.capabilities, ['create', 'read', 'update']);
    const rootSelf = await request(core, 'update', 'sys/capabilities-self', root, { path: 'anything' });
    assert.deepEqual(rootSelf.data?.capabilities, ['root']);
  });

  it('answers for paths named after inherited properties, and keeps them through JSON', async () => {
    const many = await request(core, 'update', 'sys/capabilities-self', tok, { paths: ['__proto__', 'constructor', 'toString', 'secret/data/app/x'] });
    const expected = Object.fromEntries([
      ['__proto__', ['deny']],
      ['constructor', ['deny']],
      ['toString', ['deny']],
      ['secret/data/app/x', ['create', 'read', 'update']],
    ]);
    assert.deepEqual(many.data, expected);
    assert.deepEqual(JSON.parse(JSON.stringify(many.data)), expected);
    assert.deepEqual(Object.keys({ ...many.data }), ['__proto__', 'constructor', 'toString', 'secret/data/app/x']);
    // A single such path is also repeated under `capabilities`, and the answer is still an ordinary object.
    const one = await request(core, 'update', 'sys/capabilities', root, { token: tok, path: '__proto__' });
    assert.equal(JSON.stringify(one.data), '{"__proto__":["deny"],"capabilities":["deny"]}');
    assert.equal(Object.getPrototypeOf(one.data), Object.prototype);
    const asRoot = await request(core, 'update', 'sys/capabilities-self', root, { paths: ['__proto__'] });
    assert.equal(JSON.stringify(asRoot.data), '{"__proto__":["root"],"capabilities":["root"]}');
  });

  it('refuses a missing or unknown token, accessor or path with a 400', async () => {
    await assert.rejects(request(core, 'update', 'sys/capabilities', root, { path: 'x' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/capabilities', root, { token: 'hvs.nope', path: 'x' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/capabilities', root, { token: tok }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/capabilities-accessor', root, { accessor: 'nope', path: 'x' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/capabilities', root, { token: tok, paths: { a: 1 } }), InvalidRequestError);
  });
});
