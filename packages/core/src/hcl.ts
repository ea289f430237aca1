import { createRequire } from 'node:module';
import { InvalidRequestError } from './errors.js';
import { isPlainObject } from './util/is-plain-object.js';
import { putOwn } from './util/own-value.js';

/**
 * HCL v1 (and JSON) text -> plain JSON-like objects, shared by policies and the server's config loader.
 *
 * Normalised shape. HCL v1 decodes every block and every `{...}` value as a list of objects, so a repeated block
 * and a single one look alike; this adapter collapses those lists predictably:
 *   - a list of objects with exactly one element becomes that object;
 *   - a list of two or more objects stays a list (in source order);
 *   - every other value (string, number, bool, list of scalars, empty list) is kept as is.
 * So:
 *   storage "consul" { address = "x" }          -> { storage: { consul: { address: "x" } } }
 *   telemetry { disable_hostname = true }       -> { telemetry: { disable_hostname: true } }
 *   listener "tcp" {...}  listener "tcp" {...}  -> { listener: [ { tcp: {...} }, { tcp: {...} } ] }
 *   path "a" {...}  path "b" {...}              -> { path: [ { a: {...} }, { b: {...} } ] }
 *   JSON {"path": {"a": {...}, "b": {...}}}     -> { path: { a: {...}, b: {...} } }
 *   allowed_parameters = { "x" = [] }           -> { allowed_parameters: { x: [] } }
 * Because one block and several blocks differ in shape (and HCL and JSON spell repeats differently), read blocks
 * through `hclObjects` / `hclBlocks` below rather than by hand. A genuine one-element list of objects
 * (`x = [{a = 1}]`) also collapses: HCL v1's decoder cannot tell it from a block either.
 * Keys inside one HCL object come out sorted (Go's encoder sorts map keys); a repeated scalar key keeps the last value.
 *
 * JSON: HCL v1 is not a JSON superset; its parser switches to a separate JSON parser when the first non-blank
 * character is `{`. That parser is lenient to the point of silently returning `{}` or partial data for broken JSON
 * (`{"path": }` -> `{}`), so text starting with `{` is parsed here with JSON.parse and normalised the same way.
 */

interface HclModule {
  parse(input: string): string;
}

const PARSE_FAILURE = 'unable to parse JSON: ';

// The GopherJS bundle sets Error.stackTraceLimit = Infinity and a global `require` as it loads; both would leak into
// the whole process (every Error capturing an unbounded stack), so they are put back once it is loaded.
function loadHcl(): HclModule {
  const savedLimit = Error.stackTraceLimit;
  const hadRequire = Object.prototype.hasOwnProperty.call(globalThis, 'require');
  try {
    return createRequire(import.meta.url)('js-hcl-parser') as typeof import('js-hcl-parser');
  } finally {
    Error.stackTraceLimit = savedLimit;
    if (!hadRequire) delete (globalThis as { require?: unknown }).require;
  }
}

const hcl: HclModule = loadHcl();

/** A parse failure: 400 with the parser's message; `detail` is that message alone (with `At line:col:` if known). */
export class HCLSyntaxError extends InvalidRequestError {
  constructor(readonly detail: string) {
    super(`failed to parse HCL: ${detail}`);
    this.name = 'HCLSyntaxError';
  }
}

function isObjectList(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every(isPlainObject);
}

/**
 * How deep lists and objects may nest. Nothing real comes near; deeper input (50,000 levels parse fine as JSON)
 * would exhaust the stack of every recursive reader after the parser.
 */
const MAX_NESTING = 100;

function normalise(v: unknown, depth = 0): unknown {
  if (depth > MAX_NESTING && (Array.isArray(v) || isPlainObject(v))) throw new HCLSyntaxError(`nesting deeper than ${MAX_NESTING} levels`);
  if (Array.isArray(v)) {
    if (isObjectList(v) && v.length === 1) return normalise(v[0], depth);
    return v.map((x) => normalise(x, depth + 1));
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) putOwn(out, k, normalise(val, depth + 1));
    return out;
  }
  return v;
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `At ${line}:${col}`;
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    throw new HCLSyntaxError(pos ? `${lineCol(text, Number(pos[1]))}: ${msg}` : msg);
  }
}

function parseNative(text: string): unknown {
  let out: string;
  try {
    out = hcl.parse(text);
  } catch (err) {
    // A Go panic inside the bundle surfaces as a JS exception.
    throw new HCLSyntaxError(err instanceof Error ? err.message : String(err));
  }
  if (out.startsWith(PARSE_FAILURE)) throw new HCLSyntaxError(out.slice(PARSE_FAILURE.length));
  if (out.startsWith('unable to ')) throw new HCLSyntaxError(out);
  return JSON.parse(out) as unknown;
}

/** Parses HCL v1 or JSON text into the normalised shape described above; the top level is always an object. */
export function parseHCL(text: string): Record<string, unknown> {
  if (typeof text !== 'string') throw new InvalidRequestError('HCL input must be a string');
  const isJSON = text.trimStart().startsWith('{');
  const parsed = normalise(isJSON ? parseJSON(text) : parseNative(text));
  if (!isPlainObject(parsed)) throw new HCLSyntaxError('top level must be an object');
  return parsed;
}

/** The objects under a block key, whichever shape it took: [] when absent, [v] for one object, v for a list. */
export function hclObjects(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (isPlainObject(value)) return [value];
  if (Array.isArray(value)) return value.filter(isPlainObject);
  return [];
}

/**
 * Labelled blocks (`listener "tcp" {...}`, `path "a" {...}`) as [label, body] pairs in order, whichever shape
 * they took: one block, several, JSON's `{"listener": [{"tcp": {}}]}` or `{"listener": {"tcp": [{}, {}]}}`.
 * A body that is not an object (`path "a" = 1`) is returned as is, for the caller to reject.
 */
export function hclBlocks(value: unknown): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const obj of hclObjects(value)) {
    for (const [label, body] of Object.entries(obj)) {
      if (isObjectList(body)) for (const b of body) out.push([label, b]);
      else out.push([label, body]);
    }
  }
  return out;
}
