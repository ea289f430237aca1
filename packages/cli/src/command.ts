// The shape of one command: its words, flags and argument count as data, and a run() that returns the exit code.
import { Client } from './client.js';
import { clientConfig, HTTP_FLAGS } from './client-config.js';
import { UsageError } from './errors.js';
import type { FlagSpec, ParsedFlags } from './flags.js';
import { readAll, type CliIO } from './io.js';
import { OUTPUT_FORMATS, Output, type OutputFormat } from './output.js';

/** Shared flag sets a command opts into, as Vault's FlagSetHTTP / FlagSetOutputFormat / FlagSetOutputField. */
export type FlagGroup = 'http' | 'format' | 'field';

export interface CommandSpec {
  /** The words that name the command, e.g. `['kv', 'get']`. */
  readonly path: readonly string[];
  readonly synopsis: string;
  /** What follows the command words in the usage line, e.g. `[options] KEY`. */
  readonly usage: string;
  readonly description?: string;
  readonly groups: readonly FlagGroup[];
  readonly flags?: readonly FlagSpec[];
  readonly args?: { readonly min?: number; readonly max?: number };
  run(ctx: CommandContext): Promise<number>;
}

export interface CommandContext {
  readonly io: CliIO;
  readonly args: readonly string[];
  readonly flags: ParsedFlags;
  readonly out: Output;
  /** The client, built on first use from the HTTP flags and the environment. */
  client(): Promise<Client>;
  /** All of stdin, read once however many times it is asked for. */
  stdin(): Promise<string>;
}

export const FORMAT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'format',
    type: 'string',
    usage: 'Print the output in the given format: "table" or "json". Overrides VAULT_FORMAT.',
  },
];

export const FIELD_FLAGS: readonly FlagSpec[] = [
  { name: 'field', type: 'string', usage: 'Print only the field with the given name, without a trailing newline when piped.' },
];

export function groupFlags(group: FlagGroup): readonly FlagSpec[] {
  switch (group) {
    case 'http':
      return HTTP_FLAGS;
    case 'format':
      return FORMAT_FLAGS;
    case 'field':
      return FIELD_FLAGS;
  }
}

export function allFlags(spec: CommandSpec): FlagSpec[] {
  return [...spec.groups.flatMap(groupFlags), ...(spec.flags ?? [])];
}

export function checkArgCount(spec: CommandSpec, got: number): void {
  const min = spec.args?.min ?? 0;
  const max = spec.args?.max ?? Infinity;
  const range = max === Infinity || max === min ? `${min}` : `${min}-${max}`;
  if (got < min) throw new UsageError(`Not enough arguments (expected ${range}, got ${got})`);
  if (got > max) throw new UsageError(`Too many arguments (expected ${max === min ? max : range}, got ${got})`);
}

export function outputFormat(flags: ParsedFlags, env: Record<string, string | undefined>, groups: readonly FlagGroup[]): OutputFormat {
  // Commands without -format only print status lines, which VAULT_FORMAT does not change.
  if (!groups.includes('format')) return 'table';
  const raw = (flags.has('format') ? flags.string('format') : env.VAULT_FORMAT) || 'table';
  const format = raw.toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`Invalid output format: ${raw}`);
  return format as OutputFormat;
}

export function createContext(spec: CommandSpec, io: CliIO, flags: ParsedFlags, args: readonly string[]): CommandContext {
  const out = new Output(io, outputFormat(flags, io.env, spec.groups));
  let client: Promise<Client> | undefined;
  let input: Promise<string> | undefined;
  return {
    io,
    args,
    flags,
    out,
    client: () => (client ??= clientConfig(io.env, flags, io.cwd).then((c) => new Client(c))),
    stdin: () => (input ??= readAll(io.stdin)),
  };
}
