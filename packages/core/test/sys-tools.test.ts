import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/tools', () => {
  let core: Node;
  let root: string;
  let user: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    user = (await request(core, 'update', 'auth/token/create', root, { policies: ['default'] })).auth!.clientToken!;
  });
  after(async () => core.shutdown());

  const input = Buffer.from('hello world').toString('base64');

  it('hashes base64 input with sha2-256 hex by default (the default policy allows it)', async () => {
    const resp = await request(core, 'update', 'sys/tools/hash', user, { input });
    assert.equal(resp.data?.sum, createHash('sha256').update('hello world').digest('hex'));
  });

  it('takes the algorithm from the URL and base64 output', async () => {
    const resp = await request(core, 'update', 'sys/tools/hash/sha2-512', root, { input, format: 'base64' });
    assert.equal(resp.data?.sum, createHash('sha512').update('hello world').digest('base64'));
    const sha3 = await request(core, 'update', 'sys/tools/hash', root, { input, algorithm: 'sha3-256' });
    assert.equal(sha3.data?.sum, createHash('sha3-256').update('hello world').digest('hex'));
  });

  it('refuses bad input, format and algorithm with a 400', async () => {
    await assert.rejects(request(core, 'update', 'sys/tools/hash', root, { input: 'not base64!' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/hash', root, { input, format: 'binary' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/hash/md5', root, { input }), InvalidRequestError);
  });

  it('refuses algorithm names every object inherits (constructor, __proto__, toString) as unsupported', async () => {
    for (const algorithm of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const unsupported = { name: 'InvalidRequestError', message: `unsupported algorithm ${algorithm}` };
      await assert.rejects(request(core, 'update', `sys/tools/hash/${algorithm}`, root, { input }), unsupported);
      await assert.rejects(request(core, 'update', 'sys/tools/hash', root, { input, algorithm }), unsupported);
      await assert.rejects(request(core, 'update', `sys/hash/${algorithm}`, root, { input }), unsupported);
    }
    // The lookup still finds the real algorithms.
    const resp = await request(core, 'update', 'sys/hash/sha2-224', root, { input });
    assert.equal(resp.data?.sum, createHash('sha224').update('hello world').digest('hex'));
  });

  it('returns random bytes: 32 base64 by default, a count from the URL, hex', async () => {
    const resp = await request(core, 'update', 'sys/tools/random', root, {});
    assert.equal(Buffer.from(String(resp.data?.random_bytes), 'base64').length, 32);
    const url = await request(core, 'update', 'sys/tools/random/16', root, { format: 'hex' });
    assert.match(String(url.data?.random_bytes), /^[0-9a-f]{32}$/);
    const body = await request(core, 'update', 'sys/tools/random', root, { bytes: 8 });
    assert.equal(Buffer.from(String(body.data?.random_bytes), 'base64').length, 8);
  });

  it('refuses bad byte counts and formats with a 400', async () => {
    await assert.rejects(request(core, 'update', 'sys/tools/random', root, { bytes: 0 }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/random', root, { bytes: 10_000_000 }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/random', root, { bytes: 'many' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/random/abc', root, {}), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/tools/random', root, { format: 'binary' }), InvalidRequestError);
  });

  it('refuses sources, formats and counts named after inherited properties with a 400', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      await assert.rejects(request(core, 'update', 'sys/tools/random', root, { source: name }), InvalidRequestError);
      await assert.rejects(request(core, 'update', 'sys/tools/random', root, { format: name }), InvalidRequestError);
      await assert.rejects(request(core, 'update', `sys/tools/random/${name}`, root, {}), InvalidRequestError);
      await assert.rejects(request(core, 'update', `sys/random/platform/${name}`, root, {}), InvalidRequestError);
    }
    const seal = await request(core, 'update', 'sys/random/seal/4', root, { format: 'hex' });
    assert.match(String(seal.data?.random_bytes), /^[0-9a-f]{8}$/);
  });
});
