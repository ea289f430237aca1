import { readFile } from 'node:fs/promises';
import { ConsulBackend, FileBackend, InmemBackend, isHABackend, type Backend, type ConsulBackendOptions, type HABackend } from '@strongroom/storage';
import { formatDurationMs } from '../config/duration.js';
import type { ConsulStorageConfig, StorageConfig } from '../config/types.js';

/** The storage backend a `storage` block describes. */
export async function buildStorage(cfg: StorageConfig): Promise<Backend> {
  switch (cfg.type) {
    case 'file':
      return new FileBackend(cfg.path);
    case 'inmem':
      return new InmemBackend();
    case 'consul':
      return buildConsul(cfg);
  }
}

/** The lock backend of split mode (`ha_storage`). */
export function buildHAStorage(cfg: ConsulStorageConfig): Promise<HABackend> {
  return buildConsul(cfg);
}

async function buildConsul(cfg: ConsulStorageConfig): Promise<ConsulBackend> {
  const o: ConsulBackendOptions = {
    address: cfg.address,
    scheme: cfg.scheme,
    path: cfg.path,
    sessionTtl: formatDurationMs(cfg.sessionTtlMs),
    lockWaitTime: formatDurationMs(cfg.lockWaitTimeMs),
    tlsSkipVerify: cfg.tlsSkipVerify,
  };
  if (cfg.token !== undefined) o.token = cfg.token;
  if (cfg.lockCheckTtlMs !== undefined) o.checkTtl = formatDurationMs(cfg.lockCheckTtlMs);
  if (cfg.lockDelayMs !== undefined) o.lockDelay = formatDurationMs(cfg.lockDelayMs);
  if (cfg.tlsCaFile !== undefined) o.tlsCa = await readFile(cfg.tlsCaFile);
  if (cfg.tlsCertFile !== undefined) o.tlsCert = await readFile(cfg.tlsCertFile);
  if (cfg.tlsKeyFile !== undefined) o.tlsKey = await readFile(cfg.tlsKeyFile);
  return new ConsulBackend(o);
}

/** `Storage: file (HA disabled)` in the banner: the type, and whether it can hold the HA lock. */
export function describeStorage(cfg: StorageConfig, backend: Backend): string {
  const ha = isHABackend(backend);
  return `${cfg.type} (HA ${ha ? 'available' : 'disabled'})`;
}
