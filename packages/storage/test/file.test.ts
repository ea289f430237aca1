import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
