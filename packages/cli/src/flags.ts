// Vault-style flags (`-flag=value`, `-flag value`, single dash, anywhere on the line) parsed with yargs' parser.
import { Parser } from 'yargs/helpers';
import { parseDurationSeconds } from './duration.js';
import { UsageError } from './errors.js';

export type FlagType = 'string' | 'bool' | 'int' | 'duration' | 'strings';

export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  readonly usage: string;
  readonly aliases?: readonly string[];
  readonly default?: string | boolean | number;
}

// short-option-groups off so `-format=json` is one flag named "format", as Go's flag package reads it; negation off
// so `-no-store` is its own flag; numbers stay strings so an OTP or a key is never turned into a number.
const PARSER_CONFIGURATION = {
  'short-option-groups': false,
  'boolean-negation': false,
  'camel-case-expansion': false,
  'dot-notation': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'strip-aliased': true,
  'greedy-arrays': false,
  'duplicate-arguments-array': true,
  'populate--': true,
} as const;

export const HELP_FLAG: FlagSpec = { name: 'help', type: 'bool', aliases: ['h'], usage: 'Show this help.' };

export class ParsedFlags {
  constructor(
    private readonly specs: ReadonlyMap<string, FlagSpec>,
    private readonly values: ReadonlyMap<string, unknown>,
  ) {}

  /** Whether the flag was given on the command line (as opposed to left at its default). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string {
    const v = this.last(name);
    if (v === undefined) return String(this.spec(name).default ?? '');
    return String(v);
  }

  bool(name: string): boolean {
    const v = this.last(name);
    if (v === undefined) return Boolean(this.spec(name).default ?? false);
    return v === true;
  }

  int(name: string): number {
    const v = this.last(name);
    if (v === undefined) return Number(this.spec(name).default ?? 0);
    return Number(v);
  }

  /** A duration flag in whole seconds (0 when unset). */
  seconds(name: string): number {
    const v = this.last(name);
    if (v === undefined) return 0;
    return Math.trunc(parseDurationSeconds(String(v)) ?? 0);
  }

  /** Every value of a repeatable flag, in order. */
  strings(name: string): string[] {
    const v = this.values.get(name);
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  }

  private last(name: string): unknown {
    const v = this.values.get(name);
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  private spec(name: string): FlagSpec {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`flag -${name} is not declared by this command`);
    return spec;
  }
}

export interface ParsedLine {
  flags: ParsedFlags;
  args: string[];
}

function checkValue(spec: FlagSpec, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    const bad = (): never => {
      throw new UsageError(`invalid value ${JSON.stringify(String(v))} for flag -${spec.name}: parse error`);
    };
    switch (spec.type) {
      case 'bool':
        if (typeof v !== 'boolean') bad();
        break;
      case 'int':
        if (!/^[-+]?\d+$/.test(String(v).trim())) bad();
        break;
      case 'duration':
        if (parseDurationSeconds(String(v)) === null) bad();
        break;
      default:
        break;
    }
  }
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedLine {
  const all = [...specs, HELP_FLAG];
  const byName = new Map(all.map((s) => [s.name, s]));
  const alias: Record<string, string[]> = {};
  for (const s of all) if (s.aliases?.length) alias[s.name] = [...s.aliases];
  const parsed = Parser.detailed([...argv], {
    configuration: PARSER_CONFIGURATION,
    boolean: all.filter((s) => s.type === 'bool').map((s) => s.name),
    string: all.filter((s) => s.type !== 'bool').map((s) => s.name),
    alias,
  });
  if (parsed.error) throw new UsageError(parsed.error.message);
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(parsed.argv)) {
    if (key === '_' || key === '--' || key === '$0') continue;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`flag provided but not defined: -${key}`);
    checkValue(spec, value);
    values.set(key, value);
  }
  const rest = (parsed.argv['--'] as unknown[] | undefined) ?? [];
  const args = [...parsed.argv._, ...rest].map(String);
  return { flags: new ParsedFlags(byName, values), args };
}
