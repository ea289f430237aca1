import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { InvalidRequestError } from '../errors.js';
import type { AuditDevice, AuditDeviceFactory, AuditEntry } from './audit-device.js';
import { encodeEntry } from './audit-entry.js';
import { parseFormatOptions } from './audit-options.js';

export interface FileAuditOptions {
  /** A file path, or `stdout` / `discard`. */
  filePath: string;
  /** Permission bits the file is kept at; 0 leaves them alone. */
  mode: number;
  /** Written before each JSON object. */
  prefix: string;
}

/** Writes beyond this many queued behind a stuck one fail at once instead of piling up in memory. */
const MAX_PENDING_WRITES = 4096;
/** How often the open file is checked to still be the one at `file_path`. */
const IDENT_CHECK_MS = 1000;

/** Reads the file device's own options as Vault does (`path` is the old name of `file_path`). */
export function parseFileAuditOptions(options: Record<string, string>): FileAuditOptions {
  parseFormatOptions(options);
  let filePath = options.file_path ?? options.path;
  if (filePath === undefined || filePath === '') throw new InvalidRequestError('file_path is required');
  if (filePath.toLowerCase() === 'stdout') filePath = 'stdout';
  if (filePath.toLowerCase() === 'discard') filePath = 'discard';
  const modeRaw = options.mode ?? '0600';
  if (!/^[0-7]{1,4}$/.test(modeRaw)) throw new InvalidRequestError(`invalid mode "${modeRaw}": must be octal, e.g. "0600"`);
  return { filePath, mode: parseInt(modeRaw, 8), prefix: options.prefix ?? '' };
}

/**
 * Appends one JSON line per entry to a file. A failed write throws (so the broker fails the request) and drops the
 * handle; the next entry reopens the file, so the device recovers by itself once the path is writable again. Before
 * each write the file at `file_path` is compared with the open one, so entries never go to a removed or renamed file.
 */
export class FileAuditDevice implements AuditDevice {
  readonly type = 'file';
  private fh: FileHandle | null = null;
  private ident: { dev: bigint; ino: bigint } | null = null;
  private identCheckedAt = 0;
  /** Entries waiting for the write in flight; they go out together in the next one (group commit). */
  private queue: { line: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly opts: FileAuditOptions,
    private readonly stdout: Writable = process.stdout,
  ) {}

  logRequest(entry: AuditEntry): Promise<void> {
    return this.log(entry);
  }

  logResponse(entry: AuditEntry): Promise<void> {
    return this.log(entry);
  }

  async reload(): Promise<void> {
    if (!this.isFile()) return;
    await this.idle();
    await this.drop();
    await this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.drop();
  }

  private isFile(): boolean {
    return this.opts.filePath !== 'stdout' && this.opts.filePath !== 'discard';
  }

  private async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private log(entry: AuditEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit device is closed'));
    if (this.opts.filePath === 'discard') return Promise.resolve();
    const line = this.opts.prefix + encodeEntry(entry) + '\n';
    if (this.opts.filePath === 'stdout') return this.writeStdout(Buffer.from(line, 'utf8'));
    if (this.queue.length >= MAX_PENDING_WRITES) return Promise.reject(new Error('audit file device: too many pending writes'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /**
   * One write at a time keeps lines whole and in order (a request entry before its response); entries that arrive
   * while a write is in flight are appended together by the next one, so a busy node makes one write per batch.
   */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          let text = '';
          for (const b of batch) text += b.line;
          // One encoding and one buffer per batch, not per entry.
          await this.writeFile(Buffer.from(text, 'utf8'));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async writeFile(buf: Buffer): Promise<void> {
    if (this.closed) throw new Error('audit device is closed');
    try {
      const fh = await this.current();
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, null);
        if (bytesWritten <= 0) throw new Error('audit file device: write made no progress');
        off += bytesWritten;
      }
    } catch (err) {
      await this.drop();
      throw err;
    }
  }

  /** The open handle if it still is the file at `file_path`, else a freshly opened one. */
  private async current(): Promise<FileHandle> {
    // A file moved away (log rotation) or deleted is noticed within IDENT_CHECK_MS, without a stat per entry.
    if (this.fh && this.ident && Date.now() - this.identCheckedAt < IDENT_CHECK_MS) return this.fh;
    if (this.fh && this.ident) {
      const st = await stat(this.opts.filePath, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
        throw err;
      });
      if (st && st.dev === this.ident.dev && st.ino === this.ident.ino) {
        this.identCheckedAt = Date.now();
        return this.fh;
      }
      await this.drop();
    }
    return this.open();
  }

  private async open(): Promise<FileHandle> {
    const fh = await open(this.opts.filePath, 'a', this.opts.mode || 0o600);
    try {
      const st = await fh.stat({ bigint: true });
      // As Vault does, an existing file is brought to the configured mode (not devices such as /dev/null).
      if (st.isFile() && this.opts.mode !== 0 && Number(st.mode & 0o7777n) !== this.opts.mode) await fh.chmod(this.opts.mode);
      this.ident = { dev: st.dev, ino: st.ino };
      this.identCheckedAt = Date.now();
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.fh = fh;
    return fh;
  }

  private async drop(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.ident = null;
    if (fh) await fh.close().catch(() => undefined);
  }

  private writeStdout(buf: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stdout.write(buf, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** The `file` audit device type. The file is opened on the first entry (the probe, when enabling). */
export const fileAuditFactory: AuditDeviceFactory = async ({ options }) => new FileAuditDevice(parseFileAuditOptions(options));
