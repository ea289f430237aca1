import type { Backend } from '@strongroom/storage';
import { rfc3339Nano } from '../util/rfc3339-nano.js';

interface VersionEntry {
  version: string;
  build_date: string;
  timestamp_installed: string;
}

const PREFIX = 'core/versions/';

/** The versions this cluster ran, each recorded the first time an active node of it started (Vault's core/versions/). */
export class VersionHistory {
  constructor(
    private readonly o: { barrier: Pick<Backend, 'get' | 'put' | 'list'>; version: string; buildDate: string; now: () => Date },
  ) {}

  /** Run when a node becomes active: records its version unless already known. */
  async record(): Promise<void> {
    const key = PREFIX + this.o.version;
    if (await this.o.barrier.get(key)) return;
    const entry: VersionEntry = { version: this.o.version, build_date: this.o.buildDate, timestamp_installed: rfc3339Nano(this.o.now()) };
    await this.o.barrier.put(key, Buffer.from(JSON.stringify(entry)));
  }

  /** Vault's `sys/version-history` LIST answer: versions in install order, each with its predecessor. */
  async list(): Promise<{ keys: string[]; key_info: Record<string, unknown> }> {
    const entries: VersionEntry[] = [];
    for (const k of await this.o.barrier.list(PREFIX)) {
      const raw = await this.o.barrier.get(PREFIX + k);
      if (raw) entries.push(JSON.parse(Buffer.from(raw).toString('utf8')) as VersionEntry);
    }
    entries.sort((a, b) => a.timestamp_installed.localeCompare(b.timestamp_installed));
    const key_info: Record<string, unknown> = {};
    entries.forEach((e, i) => {
      key_info[e.version] = { build_date: e.build_date, previous_version: i > 0 ? entries[i - 1]!.version : null, timestamp_installed: e.timestamp_installed };
    });
    return { keys: entries.map((e) => e.version), key_info };
  }
}
