import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseHCL } from '@strongroom/core';
import { ConfigError } from './errors.js';
import { finalizeConfig, mergeConfigs, type ConfigEnv } from './finalize-config.js';
import { parseConfigObject } from './parse-config.js';
import type { PartialServerConfig, ServerConfig } from './types.js';
import { isPlainObject } from './values.js';

/**
 * Reads and merges configuration files as `vault server -config=...` does: each path is a file (.json is JSON,
 * anything else HCL) or a directory whose .hcl and .json files are read in name order; later values override
 * earlier ones and listeners accumulate.
 */
export async function loadConfig(paths: string[], env: ConfigEnv = process.env): Promise<ServerConfig> {
  return finalizeConfig(await loadPartialConfig(paths), env);
}

/** The merged files before defaults and checks (for dev mode layering, and for tests). */
export async function loadPartialConfig(paths: string[]): Promise<PartialServerConfig> {
  if (paths.length === 0) throw new ConfigError('no configuration file given (pass -config=<file or folder>, or -dev)');
  const parts: PartialServerConfig[] = [];
  for (const p of paths) {
    for (const file of await expandPath(p)) parts.push(await loadFile(file));
  }
  return mergeConfigs(parts);
}

/** Parses one file's text; `source` names it in error messages. */
export function parseConfigText(text: string, format: 'hcl' | 'json', source = ''): PartialServerConfig {
  const where = source === '' ? '' : `${source}: `;
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseHCL(text);
  } catch (err) {
    const detail = (err as { detail?: unknown }).detail ?? (err instanceof Error ? err.message : String(err));
    throw new ConfigError(`${where}invalid ${format === 'json' ? 'JSON' : 'HCL'}: ${String(detail)}`, { cause: err });
  }
  if (!isPlainObject(raw)) throw new ConfigError(`${where}the top level must be an object`);
  return parseConfigObject(raw, source);
}

async function expandPath(p: string): Promise<string[]> {
  let info;
  try {
    info = await stat(p);
  } catch (err) {
    throw new ConfigError(`cannot read configuration ${JSON.stringify(p)}: ${(err as Error).message}`, { cause: err });
  }
  if (!info.isDirectory()) return [p];
  const names = (await readdir(p, { withFileTypes: true }))
    .filter((d) => !d.isDirectory() && !d.name.startsWith('.') && !d.name.endsWith('~'))
    .map((d) => d.name)
    .filter((n) => ['.hcl', '.json'].includes(extname(n).toLowerCase()))
    .sort();
  if (names.length === 0) throw new ConfigError(`configuration folder ${JSON.stringify(p)} has no .hcl or .json file`);
  return names.map((n) => join(p, n));
}

async function loadFile(file: string): Promise<PartialServerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfigText(text, extname(file).toLowerCase() === '.json' ? 'json' : 'hcl', file);
}
