import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Backend, TxnOp } from './backend.js';
import { StorageError, StorageInvalidKeyError, StorageUnavailableError } from './errors.js';
import { fileOfKey, folderOfPrefix, folderSegment, migrateLayout } from './file-layout.js';
import { validateKey, validatePrefix } from './keys.js';
import { Mutex } from './mutex.js';

const JOURNAL = '.journal';

interface JournalEntry {
  op: 'put' | 'delete';
  key: string;
  value?: string;
}

/**
 * One file per key under a folder (names: file-layout.ts), so a key and a folder never collide. Every file is written to a temporary file, fsynced and renamed, so a crash leaves either the old
 * or the new value. A transaction is first written to a fsynced journal and replayed on open if a crash cut it.
 */
export class FileBackend implements Backend {
  readonly type = 'file';
  private readonly txnMutex = new Mutex();
  private opened: Promise<void> | null = null;

  constructor(readonly root: string) {}

  private ready(): Promise<void> {
    this.opened ??= this.open();
    return this.opened;
  }

  private async open(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    await migrateLayout(this.root);
    const journal = await readOrNull(path.join(this.root, JOURNAL));
    if (journal) {
      let entries: JournalEntry[] | null = null;
      try {
        entries = JSON.parse(journal.toString('utf8')) as JournalEntry[];
      } catch {
        // A journal torn mid-write was never committed: its transaction did not happen.
      }
      if (entries) await this.apply(entries);
      await fs.rm(path.join(this.root, JOURNAL), { force: true });
    }
    for (const name of await fs.readdir(this.root)) {
      if (name.startsWith('.tmp-')) await fs.rm(path.join(this.root, name), { force: true });
    }
  }

  private fileOf(key: string): string {
    return path.join(this.root, fileOfKey(key));
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateKey(key);
    await this.ready();
    const buf = await readOrNull(this.fileOf(key));
    return buf ? new Uint8Array(buf) : null;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    validateKey(key);
    await this.ready();
    await this.txnMutex.run(() => this.writeAtomic(this.fileOf(key), value)).catch((err: unknown) => {
      throw osError('write', key, err);
    });
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.ready();
    await this.txnMutex.run(() => this.remove(key)).catch((err: unknown) => {
      throw osError('delete', key, err);
    });
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    await this.ready();
    const dir = path.join(this.root, folderOfPrefix(prefix));
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw osError('list', prefix, err);
    }
    const out: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) out.push(`${folderSegment(e.name)}/`);
      else if (e.isFile() && e.name.startsWith('_')) out.push(e.name.slice(1));
    }
    return out.sort();
  }

  async transaction(ops: TxnOp[]): Promise<void> {
    for (const o of ops) validateKey(o.key);
    await this.ready();
    const entries: JournalEntry[] = ops.map((o) =>
      o.op === 'put' ? { op: 'put', key: o.key, value: Buffer.from(o.value).toString('base64') } : o,
    );
    await this.txnMutex.run(async () => {
      const journal = path.join(this.root, JOURNAL);
      await this.writeAtomic(journal, Buffer.from(JSON.stringify(entries)));
      await this.apply(entries);
      await fs.rm(journal, { force: true });
    }).catch((err: unknown) => {
      throw osError('transaction', null, err);
    });
  }

  private async apply(entries: JournalEntry[]): Promise<void> {
    for (const e of entries) {
      if (e.op === 'put') await this.writeAtomic(this.fileOf(e.key), Buffer.from(e.value ?? '', 'base64'));
      else await this.remove(e.key);
    }
  }

  private async writeAtomic(file: string, value: Uint8Array): Promise<void> {
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.root, `.tmp-${randomBytes(8).toString('hex')}`);
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(value);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  }

  private async remove(key: string): Promise<void> {
    await fs.rm(this.fileOf(key), { force: true });
    // Drop folders left empty so that list stops showing them.
    let dir = path.dirname(this.fileOf(key));
    while (dir !== this.root && dir.startsWith(this.root)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw osError('read', null, err);
  }
}

/**
 * An OS error as a storage error that names neither the data folder nor any file: a name the filesystem refuses is
 * the key's fault (400); anything else is the storage failing (503).
 */
function osError(op: string, key: string | null, err: unknown): Error {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
  if (key !== null && ['ENAMETOOLONG', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY', 'EINVAL'].includes(code)) {
    return new StorageInvalidKeyError(key.length > 64 ? `${key.slice(0, 64)}...` : key, `the file storage cannot hold this key (${code})`);
  }
  return new StorageUnavailableError(`file storage ${op} failed: ${code}`, { cause: err });
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
