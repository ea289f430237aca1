import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FileBackend } from '@strongroom/storage';
import { exerciseBackend } from '@strongroom/storage/testing';

const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'strongroom-file-'));
  dirs.push(d);
  return d;
}

exerciseBackend('file', async () => new FileBackend(tmp()), { maxValueBytes: 1024 * 1024, enforcesValueLimit: false });

test('file: a writer killed mid-write leaves every key whole (old or new value, never torn)', async () => {
  const root = tmp();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture('file-writer.ts'), root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  await new Promise((r) => setTimeout(r, 700));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const b = new FileBackend(root); // reopening replays or discards the interrupted transaction
  for (const key of ['k/a', 'k/b', 'k/c']) {
    const v = await b.get(key);
    assert.ok(v, `${key} present`);
    assert.equal(v.length, 256 * 1024, `${key} not truncated`);
    assert.ok(v.every((x) => x === v[0]), `${key} not torn`);
  }
  assert.deepEqual(await b.get('k/b'), await b.get('k/c'), 'the transaction applied all or nothing');
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), [], 'no temp or journal file left');
});

test('file: an interrupted transaction journal is replayed on open', async () => {
  const root = tmp();
  writeFileSync(
    path.join(root, '.journal'),
    JSON.stringify([
      { op: 'put', key: 'j/one', value: Buffer.from('1').toString('base64') },
      { op: 'put', key: 'j/two', value: Buffer.from('2').toString('base64') },
    ]),
  );
  const b = new FileBackend(root);
  assert.equal(Buffer.from((await b.get('j/one')) ?? []).toString(), '1');
  assert.equal(Buffer.from((await b.get('j/two')) ?? []).toString(), '2');
});

test('file: no key blocks another (a folder starting with "_" and a key of the same name both fit)', async () => {
  const b = new FileBackend(tmp());
  await b.put('kv1/_q/z', Buffer.from('1'));
  await b.put('kv1/q', Buffer.from('2'));
  await b.put('kv1/foo', Buffer.from('3'));
  await b.put('kv1/_foo/bar', Buffer.from('4'));
  await b.put('kv1/~t/x', Buffer.from('5'));
  await b.put('kv1/t', Buffer.from('6'));
  assert.equal(Buffer.from((await b.get('kv1/_q/z')) ?? []).toString(), '1');
  assert.equal(Buffer.from((await b.get('kv1/q')) ?? []).toString(), '2');
  assert.equal(Buffer.from((await b.get('kv1/_foo/bar')) ?? []).toString(), '4');
  assert.equal(Buffer.from((await b.get('kv1/~t/x')) ?? []).toString(), '5');
  assert.deepEqual(await b.list('kv1/'), ['_foo/', '_q/', 'foo', 'q', 't', '~t/']);
  assert.deepEqual(await b.list('kv1/_q/'), ['z']);
});

test('file: a key the filesystem cannot hold is an invalid key that names no path', async () => {
  const root = tmp();
  const b = new FileBackend(root);
  for (const key of [`kv1/${'x'.repeat(300)}`, `kv1/${'y'.repeat(300)}/z`, `kv1/${'a/'.repeat(2000)}b`]) {
    for (const op of [() => b.put(key, Buffer.from('1')), () => b.get(key), () => b.delete(key)]) {
      await assert.rejects(op, (err: Error & { code?: string }) => {
        assert.equal(err.code, 'storage_invalid_key');
        assert.ok(!err.message.includes(root), err.message);
        return true;
      });
    }
  }
});

test('file: a tree written by the first layout is migrated once, and reads as before', async () => {
  const root = tmp();
  // Layout 1: folders as written, files prefixed with "_".
  const put = (rel: string, v: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), v);
  };
  put('kv1/_a', 'a');
  put('kv1/_q/_z', 'qz');
  put('kv1/~t/_x', 'tx');
  put('kv1/~~t/_y', 'tty');
  put('kv1/plain/_p', 'p');
  const b = new FileBackend(root);
  const get = async (k: string) => Buffer.from((await b.get(k)) ?? []).toString();
  assert.equal(await get('kv1/a'), 'a');
  assert.equal(await get('kv1/_q/z'), 'qz');
  assert.equal(await get('kv1/~t/x'), 'tx');
  assert.equal(await get('kv1/~~t/y'), 'tty');
  assert.equal(await get('kv1/plain/p'), 'p');
  assert.deepEqual(await b.list('kv1/'), ['_q/', 'a', 'plain/', '~t/', '~~t/']);
  await b.put('kv1/q', Buffer.from('q'));
  // A second open does not migrate again.
  const again = new FileBackend(root);
  assert.equal(Buffer.from((await again.get('kv1/~t/x')) ?? []).toString(), 'tx');
  assert.equal(Buffer.from((await again.get('kv1/q')) ?? []).toString(), 'q');
});
