import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseHCL } from '@strongroom/core';
import { migrate } from '@strongroom/storage';
import { labelledBlocks } from '../config/blocks.js';
import { ConfigError } from '../config/errors.js';
import { parseStorage } from '../config/storage-config.js';
import type { StorageConfig } from '../config/types.js';
import { isPlainObject } from '../config/values.js';
import { buildStorage } from './build-storage.js';

/**
 * `operator migrate -config=<file>`: copies every key from `storage_source` to `storage_destination`, as raw
 * (still encrypted) bytes, so the destination opens with the same unseal keys. The destination must be empty:
 * merging two barriers' data would corrupt both.
 */
export async function migrateStorage(configPath: string, onKey?: (key: string) => void): Promise<number> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration file ${JSON.stringify(configPath)}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = extname(configPath).toLowerCase() === '.json' ? JSON.parse(text) : parseHCL(text);
  } catch (err) {
    throw new ConfigError(`${configPath}: invalid configuration: ${(err as Error).message}`, { cause: err });
  }
  if (!isPlainObject(raw)) throw new ConfigError(`${configPath}: the top level must be an object`);
  const warnings: string[] = [];
  const one = (stanza: 'storage_source' | 'storage_destination'): StorageConfig => {
    const blocks = labelledBlocks(raw[stanza], `${configPath}: ${stanza}`);
    if (blocks.length !== 1) throw new ConfigError(`${configPath}: exactly one "${stanza}" block is required, found ${blocks.length}`);
    return parseStorage(blocks[0]!.label, blocks[0]!.body, stanza, `${configPath}: `, warnings);
  };
  const sourceConfig = one('storage_source');
  const destinationConfig = one('storage_destination');
  if (sourceConfig.type === 'inmem' || destinationConfig.type === 'inmem') {
    throw new ConfigError(`${configPath}: "inmem" storage lives in one process and cannot be migrated`);
  }
  const source = await buildStorage(sourceConfig);
  const destination = await buildStorage(destinationConfig);
  try {
    if ((await destination.list('')).length > 0) {
      throw new ConfigError(`${configPath}: storage_destination is not empty; migrate into an empty ${destinationConfig.type} storage`);
    }
    return await migrate(source, destination, onKey);
  } finally {
    await source.close?.();
    await destination.close?.();
  }
}
