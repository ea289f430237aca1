import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StorageInvalidKeyError } from './errors.js';

/**
 * How the file backend names things on disk. A key `a/b` is the file `a/_b`: files always start with `_`. A folder
 * is its segment as written, except a segment starting with `_` or `~`, which is prefixed with `~`: so a folder can
 * never take a file's name (`q` and `_q/z` both fit) and `~` stays reversible.
 *
 * Layout 1 (before the marker existed) wrote folders as written, so `_q/z` and `q` collided. `migrateLayout`
 * renames such folders once, at open, and writes the marker.
 */

// Files whose names no key or folder can take: folders starting with `~` are `~_...` or `~~...`, key files `_...`.
const LAYOUT_MARKER = '~layout';
const MIGRATION_LOG = '~layout-migration';
const LAYOUT = '2';
/** NAME_MAX on the filesystems we run on; an encoded name above it cannot be created. */
const NAME_MAX = 255;
/** Well under PATH_MAX (4096), whatever the data folder's own length. */
const KEY_MAX = 3072;

const needsEscape = (seg: string): boolean => seg.startsWith('_') || seg.startsWith('~');

export function folderName(seg: string): string {
  return needsEscape(seg) ? `~${seg}` : seg;
}

export function folderSegment(name: string): string {
  return name.startsWith('~') ? name.slice(1) : name;
}

/** The relative path of a key's file; refuses keys the filesystem could not hold, without naming any path. */
export function fileOfKey(key: string): string {
  if (Buffer.byteLength(key) > KEY_MAX) throw new StorageInvalidKeyError(key.slice(0, 64) + '...', `longer than ${KEY_MAX} bytes`);
  const segs = key.split('/');
  const last = segs.pop() as string;
  const names = [...segs.map(folderName), `_${last}`];
  for (const n of names) {
    if (Buffer.byteLength(n) > NAME_MAX) throw new StorageInvalidKeyError(key.slice(0, 64) + '...', `a path segment is longer than ${NAME_MAX - 1} bytes`);
  }
  return path.join(...names);
}

/** The relative folder of a list prefix (`a/b/`). */
export function folderOfPrefix(prefix: string): string {
  return path.join('.', ...prefix.split('/').filter(Boolean).map(folderName));
}

/**
 * Brings a layout-1 tree to layout 2. Every rename is logged (fsynced) before it is made, so a run cut by a crash
 * resumes: logged targets are already new names, anything else starting with `_` or `~` is a layout-1 folder.
 */
export async function migrateLayout(root: string): Promise<void> {
  const marker = path.join(root, LAYOUT_MARKER);
  if ((await readText(marker)) === LAYOUT) return;
  const logFile = path.join(root, MIGRATION_LOG);
  const done = new Set<string>();
  for (const line of ((await readText(logFile)) ?? '').split('\n')) {
    const [from, to] = line.split('\t');
    if (!from || !to) continue;
    if ((await exists(path.join(root, from))) && !(await exists(path.join(root, to)))) await fs.rename(path.join(root, from), path.join(root, to));
    done.add(to);
  }
  const log = await fs.open(logFile, 'a', 0o600);
  try {
    const walk = async (rel: string): Promise<void> => {
      const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
      const dirs = entries.filter((e) => e.isDirectory() && !(rel === '' && e.name.startsWith('.'))).map((e) => e.name);
      // `~~x` must move to `~~~x` before `~x` moves to `~~x`: most leading tildes first.
      const tildes = (n: string) => n.length - n.replace(/^~+/, '').length;
      const legacy = dirs.filter((n) => needsEscape(n) && !done.has(path.join(rel, n))).sort((a, b) => tildes(b) - tildes(a));
      for (const name of legacy) {
        const from = path.join(rel, name);
        const to = path.join(rel, `~${name}`);
        await log.appendFile(`${from}\t${to}\n`);
        await log.sync();
        await fs.rename(path.join(root, from), path.join(root, to));
        done.add(to);
      }
      for (const name of dirs) {
        const now = legacy.includes(name) ? `~${name}` : name;
        await walk(path.join(rel, now));
      }
    };
    await walk('');
  } finally {
    await log.close();
  }
  await fs.writeFile(marker, LAYOUT, { mode: 0o600 });
  await fs.rm(logFile, { force: true });
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
