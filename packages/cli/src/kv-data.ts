// `key=value` arguments into a request body, as Vault's kv-builder reads them: `key=@file` takes a file's contents,
// `key=-` takes stdin, a lone `-` merges a JSON object from stdin, and a repeated key collects its values in a list.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from './errors.js';

export interface KeyValueSources {
  /** Reads all of stdin; called at most once. */
  stdin(): Promise<string>;
  /** Base for relative `@file` paths. */
  cwd: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function parseKeyValues(args: readonly string[], sources: KeyValueSources): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  let stdinUsed = false;
  const takeStdin = async (): Promise<string> => {
    if (stdinUsed) throw new InvalidInputError('stdin already consumed');
    stdinUsed = true;
    return sources.stdin();
  };

  for (const raw of args) {
    if (raw === '') continue;
    if (raw === '-') {
      const text = await takeStdin();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new InvalidInputError(`failed to parse JSON from stdin: ${(err as Error).message}`, { cause: err });
      }
      if (!isRecord(parsed)) throw new InvalidInputError('failed to parse JSON from stdin: expected an object');
      Object.assign(result, parsed);
      continue;
    }
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`invalid key/value pair "${raw}": format must be key=value`);
    const key = raw.slice(0, eq);
    let value: unknown = raw.slice(eq + 1);
    if (value === '-') value = await takeStdin();
    else if (typeof value === 'string' && value.startsWith('@')) {
      const file = path.resolve(sources.cwd, value.slice(1));
      try {
        value = await readFile(file, 'utf8');
      } catch (err) {
        throw new InvalidInputError(`error reading file ${file}: ${(err as Error).message}`, { cause: err });
      }
    } else if (typeof value === 'string' && value.startsWith('\\@')) value = value.slice(1);

    if (key in result) {
      const existing = result[key];
      result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    } else result[key] = value;
  }
  return result;
}

/** Repeated `k=v` flag values (e.g. `-metadata`) into a string map; a value without `=` is an error. */
export function parseFlagPairs(flag: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`invalid value ${JSON.stringify(v)} for flag -${flag}: expected key=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
