import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';

/** Vault's default username template of the PostgreSQL plugin (63 is PostgreSQL's identifier limit). */
export const DEFAULT_USERNAME_TEMPLATE = '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}';

export interface UsernameInputs {
  displayName: string;
  roleName: string;
  now: Date;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function random(n: number): string {
  return Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');
}

/** Characters a generated name may carry: none of them can close a quoted identifier or string in SQL. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

type Value = string;

/** Splits an action into words, keeping quoted strings and parenthesised groups whole. */
function words(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new Error('unterminated string');
      out.push(text.slice(i, end + 1));
      i = end + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        if (text[j] === ')' && --depth === 0) break;
      }
      if (depth !== 0) throw new Error('unbalanced parentheses');
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|') {
      out.push('|');
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s|()"]/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * The part of Go's text/template that Vault's username templates use: `.DisplayName`, `.RoleName`, literals,
 * `random N`, `unix_time`, `unix_time_millis`, `uuid`, `printf`, and the filters `truncate N`, `lowercase`,
 * `uppercase`, `replace OLD NEW`, chained with `|`.
 */
function evaluate(expr: string, inputs: UsernameInputs): Value {
  const stages: string[][] = [[]];
  for (const w of words(expr)) {
    if (w === '|') stages.push([]);
    else stages[stages.length - 1]!.push(w);
  }
  let value: Value | undefined;
  for (const stage of stages) {
    if (stage.length === 0) throw new Error('empty pipeline stage');
    const [head, ...args] = stage;
    const arg = (w: string): Value => operand(w, inputs);
    const withPiped = value === undefined ? args.map(arg) : [...args.map(arg), value];
    value = call(head!, withPiped, inputs);
  }
  return value!;
}

function operand(w: string, inputs: UsernameInputs): Value {
  if (w.startsWith('"')) return w.slice(1, -1);
  if (w.startsWith('(')) return evaluate(w.slice(1, -1), inputs);
  if (/^\d+$/.test(w)) return w;
  return call(w, [], inputs);
}

function call(name: string, args: Value[], inputs: UsernameInputs): Value {
  const int = (v: Value | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a whole number`);
    return n;
  };
  switch (name) {
    case '.DisplayName':
      return inputs.displayName;
    case '.RoleName':
      return inputs.roleName;
    case 'unix_time':
      return String(Math.floor(inputs.now.getTime() / 1000));
    case 'unix_time_millis':
      return String(inputs.now.getTime());
    case 'uuid':
      return randomUUID();
    case 'random':
      return random(int(args[0]));
    case 'truncate':
      return args[1]!.slice(0, int(args[0]));
    case 'lowercase':
      return args[0]!.toLowerCase();
    case 'uppercase':
      return args[0]!.toUpperCase();
    case 'replace':
      return args[2]!.replaceAll(args[0]!, args[1]!);
    case 'printf': {
      const [format, ...rest] = args;
      let k = 0;
      return format!.replace(/%[sdv]/g, () => rest[k++] ?? '');
    }
    default:
      if (name.startsWith('.')) throw new Error(`unknown field ${name}`);
      if (args.length === 0 && !/^[a-z_]+$/.test(name)) return name;
      throw new Error(`unknown function ${name}`);
  }
}

/** Renders a username template; a template this engine cannot run is the client's error. */
export function renderUsername(template: string, inputs: UsernameInputs): string {
  const source = template.trim() === '' ? DEFAULT_USERNAME_TEMPLATE : template;
  let out: string;
  try {
    out = source.replace(/\{\{(.*?)\}\}/gs, (_m, expr: string) => evaluate(expr.trim(), { ...inputs, displayName: safe(inputs.displayName), roleName: safe(inputs.roleName) }));
  } catch (err) {
    throw new InvalidRequestError(`unable to initialize username template: ${(err as Error).message}`);
  }
  const name = safe(out);
  if (name === '') throw new InvalidRequestError('username template produced an empty username');
  return name.slice(0, 63);
}
