import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../backend.js';
import { StorageInvalidKeyError, StorageError } from '../errors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null): string | null => (b ? new TextDecoder().decode(b) : null);

export interface ConformanceOptions {
  /** Largest value the backend must accept. */
  maxValueBytes: number;
  /** Whether a value over `maxValueBytes` must be refused with a typed error. */
  enforcesValueLimit: boolean;
}

/** The behaviour every storage backend shares; each backend's test file runs it against a fresh backend. */
export function exerciseBackend(name: string, make: () => Promise<Backend>, opts: ConformanceOptions): void {
  test(`${name}: get of a missing key is null`, async () => {
    const b = await make();
    assert.equal(await b.get('nothing/here'), null);
  });

  test(`${name}: put, get, overwrite, delete`, async () => {
    const b = await make();
    await b.put('a/b', enc('one'));
    assert.equal(dec(await b.get('a/b')), 'one');
    await b.put('a/b', enc('two'));
    assert.equal(dec(await b.get('a/b')), 'two');
    await b.delete('a/b');
    assert.equal(await b.get('a/b'), null);
    await b.delete('a/b'); // deleting nothing is fine
  });

  test(`${name}: binary values round-trip byte for byte`, async () => {
    const b = await make();
    const all = new Uint8Array(256).map((_, i) => i);
    await b.put('bin', all);
    assert.deepEqual(await b.get('bin'), all);
    await b.put('empty', new Uint8Array(0));
    assert.deepEqual(await b.get('empty'), new Uint8Array(0));
  });

  test(`${name}: list shows one level, folders end in "/", sorted`, async () => {
    const b = await make();
    for (const k of ['l/z', 'l/a', 'l/m/x', 'l/m/y/deep', 'l/b/c', 'other/x']) await b.put(k, enc(k));
    assert.deepEqual(await b.list('l/'), ['a', 'b/', 'm/', 'z']);
    assert.deepEqual(await b.list('l/m/'), ['x', 'y/']);
    assert.deepEqual(await b.list('l/m/y/'), ['deep']);
    assert.deepEqual(await b.list('nope/'), []);
    const top = await b.list('');
    assert.ok(top.includes('l/') && top.includes('other/'), `top level: ${top.join(',')}`);
    // a key and a folder of the same name coexist
    await b.put('l/m', enc('leaf'));
    assert.deepEqual(await b.list('l/'), ['a', 'b/', 'm', 'm/', 'z']);
    assert.equal(dec(await b.get('l/m')), 'leaf');
    // deleting the last key of a folder removes the folder from the listing
    await b.delete('l/b/c');
    assert.deepEqual(await b.list('l/'), ['a', 'm', 'm/', 'z']);
  });

  test(`${name}: transaction applies every operation`, async () => {
    const b = await make();
    await b.put('t/gone', enc('x'));
    await b.transaction([
      { op: 'put', key: 't/1', value: enc('1') },
      { op: 'put', key: 't/2', value: enc('2') },
      { op: 'delete', key: 't/gone' },
    ]);
    assert.equal(dec(await b.get('t/1')), '1');
    assert.equal(dec(await b.get('t/2')), '2');
    assert.equal(await b.get('t/gone'), null);
  });

  test(`${name}: a transaction with an invalid operation applies nothing`, async () => {
    const b = await make();
    await b.put('r/keep', enc('before'));
    await assert.rejects(
      b.transaction([
        { op: 'put', key: 'r/keep', value: enc('after') },
        { op: 'put', key: 'r/../escape', value: enc('x') },
      ]),
      StorageInvalidKeyError,
    );
    assert.equal(dec(await b.get('r/keep')), 'before');
    const tooBig = new Uint8Array(opts.maxValueBytes + 1);
    if (opts.enforcesValueLimit) {
      await assert.rejects(
        b.transaction([
          { op: 'put', key: 'r/keep', value: enc('after') },
          { op: 'put', key: 'r/big', value: tooBig },
        ]),
        (e: unknown) => e instanceof StorageError && e.code === 'storage_value_too_large',
      );
      assert.equal(dec(await b.get('r/keep')), 'before');
      assert.equal(await b.get('r/big'), null);
    }
  });

  test(`${name}: invalid keys are refused with a typed error`, async () => {
    const b = await make();
    for (const bad of ['', '/lead', 'a//b', 'a/../b', '..', 'a/./b', 'trail/', 'ctl\u0000x']) {
      await assert.rejects(b.put(bad, enc('x')), StorageInvalidKeyError, `put ${JSON.stringify(bad)}`);
      await assert.rejects(b.get(bad), StorageInvalidKeyError, `get ${JSON.stringify(bad)}`);
    }
    await assert.rejects(b.list('no-slash'), StorageInvalidKeyError);
    await assert.rejects(b.list('a/../'), StorageInvalidKeyError);
  });

  test(`${name}: a value at the limit round-trips; one past it is refused, never truncated`, async () => {
    const b = await make();
    const big = new Uint8Array(opts.maxValueBytes).map((_, i) => (i * 31) & 0xff);
    await b.put('big/ok', big);
    assert.deepEqual(await b.get('big/ok'), big);
    if (opts.enforcesValueLimit) {
      await assert.rejects(
        b.put('big/over', new Uint8Array(opts.maxValueBytes + 1)),
        (e: unknown) => e instanceof StorageError && e.code === 'storage_value_too_large',
      );
      assert.equal(await b.get('big/over'), null);
    }
  });

  test(`${name}: 100 parallel writers lose no write`, async () => {
    const b = await make();
    await Promise.all(Array.from({ length: 100 }, (_, i) => b.put(`par/k${i}`, enc(`v${i}`))));
    const keys = await b.list('par/');
    assert.equal(keys.length, 100);
    for (let i = 0; i < 100; i++) assert.equal(dec(await b.get(`par/k${i}`)), `v${i}`);
  });
}
