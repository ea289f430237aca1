import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../src/errors.js';
import { parseKeyValues } from '../src/kv-data.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strongroom-cli-kv-'));
  await writeFile(path.join(dir, 'cert.pem'), '-----BEGIN CERT-----\nabc\n');
});
after(() => rm(dir, { recursive: true, force: true }));

const noStdin = { stdin: () => Promise.reject(new Error('stdin not expected')), cwd: '/' };

describe('key=value data', () => {
  it('splits at the first "=" so values may contain "="', async () => {
    assert.deepEqual(await parseKeyValues(['user=bob', 'query=a=b'], noStdin), { user: 'bob', query: 'a=b' });
  });

  it('reads key=@file relative to the working directory, and \\@ escapes a literal @', async () => {
    const data = await parseKeyValues(['cert=@cert.pem', 'handle=\\@bob'], { ...noStdin, cwd: dir });
    assert.deepEqual(data, { cert: '-----BEGIN CERT-----\nabc\n', handle: '@bob' });
  });

  it('reads key=- from stdin and merges a JSON object given as a lone "-"', async () => {
    assert.deepEqual(await parseKeyValues(['password=-'], { stdin: async () => 's3cret', cwd: '/' }), { password: 's3cret' });
    const merged = await parseKeyValues(['-', 'extra=1'], { stdin: async () => '{"a":{"b":[1,2]},"n":3}', cwd: '/' });
    assert.deepEqual(merged, { a: { b: [1, 2] }, n: 3, extra: '1' });
  });

  it('turns a repeated key into a list', async () => {
    assert.deepEqual(await parseKeyValues(['p=a', 'p=b', 'p=c'], noStdin), { p: ['a', 'b', 'c'] });
  });

  it('refuses an argument without "=", a missing file, bad JSON and a second use of stdin', async () => {
    await assert.rejects(parseKeyValues(['oops'], noStdin), (err: unknown) => err instanceof InvalidInputError && /format must be key=value/.test(err.message));
    await assert.rejects(parseKeyValues(['a=@missing.txt'], { ...noStdin, cwd: dir }), InvalidInputError);
    await assert.rejects(parseKeyValues(['-'], { stdin: async () => 'not json', cwd: '/' }), /failed to parse JSON/);
    await assert.rejects(parseKeyValues(['-'], { stdin: async () => '[1]', cwd: '/' }), /expected an object/);
    await assert.rejects(parseKeyValues(['a=-', 'b=-'], { stdin: async () => 'x', cwd: '/' }), /stdin already consumed/);
  });
});
