import { InvalidRequestError } from '../errors.js';
import { coerce, type FieldData, type FieldSchemas } from '../framework/field.js';
import type { Response } from '../logical/request.js';
import { isPlainObject } from '../util/is-plain-object.js';
import type { TransitKey } from './transit-key.js';

/** One unit of work: the top-level fields of a single request, or one element of `batch_input`. */
export interface TransitItem {
  plaintext?: string;
  ciphertext?: string;
  associated_data?: string;
  key_version?: number;
  /** Echoed back so a client can match results to inputs, as in Vault. */
  reference?: string;
}

const ITEM_FIELDS: FieldSchemas = {
  plaintext: { type: 'string' },
  ciphertext: { type: 'string' },
  associated_data: { type: 'string' },
  key_version: { type: 'int' },
  reference: { type: 'string' },
};

function itemOf(raw: unknown, index: number): TransitItem {
  if (!isPlainObject(raw)) throw new InvalidRequestError(`batch_input[${index}] must be an object`);
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ITEM_FIELDS)) {
    if (raw[name] !== undefined && raw[name] !== null) out[name] = coerce(name, schema, raw[name]);
  }
  return out as TransitItem;
}

/** The single item made of the request's own fields, for the paths that declare them. */
export function topItem(d: FieldData): TransitItem {
  const item: TransitItem = {};
  for (const name of Object.keys(ITEM_FIELDS) as (keyof TransitItem)[]) {
    if (name in d.schema && d.has(name)) Object.assign(item, { [name]: d.get(name) });
  }
  return item;
}

export interface BatchSteps<P> {
  /** Validates and decodes one item before any key is touched: bad input never creates or loads a key. */
  prepare(item: TransitItem): P;
  /** Loads (or creates) the key once every item was looked at. */
  key(): Promise<TransitKey>;
  run(prepared: P, key: TransitKey): Record<string, unknown>;
}

type Outcome<P> = { item: TransitItem; prepared: P } | { item: TransitItem; error: string };

function attempt<T>(fn: () => T): { ok: T } | { error: string } {
  try {
    return { ok: fn() };
  } catch (err) {
    // Only the client's mistakes become per-item errors; anything else is a fault of the server.
    if (err instanceof InvalidRequestError) return { error: err.message };
    throw err;
  }
}

/**
 * Runs a transit operation on the request's own fields, or on each element of `batch_input` as Vault does: one bad
 * element reports its `error` in `batch_results` without failing the others; a request whose every element failed
 * is a 400.
 */
export async function runBatch<P>(d: FieldData, steps: BatchSteps<P>): Promise<Response> {
  if (!d.has('batch_input')) {
    const prepared = steps.prepare(topItem(d));
    return { data: steps.run(prepared, await steps.key()) };
  }
  const raw = d.get<unknown[]>('batch_input');
  if (raw.length === 0) throw new InvalidRequestError('missing batch input to process');
  const outcomes: Outcome<P>[] = raw.map((r, i) => {
    const item = itemOf(r, i);
    const res = attempt(() => steps.prepare(item));
    return 'ok' in res ? { item, prepared: res.ok } : { item, error: res.error };
  });
  const allFailed = (rs: ({ error: string } | object)[]): string | undefined =>
    rs.every((r) => 'error' in r) ? (rs[0] as { error: string }).error : undefined;
  const early = allFailed(outcomes);
  if (early !== undefined) throw new InvalidRequestError(early);
  const key = await steps.key();
  const results = outcomes.map((o) => {
    const reference = o.item.reference ?? '';
    if ('error' in o) return { error: o.error, reference };
    const res = attempt(() => steps.run(o.prepared, key));
    return 'ok' in res ? { ...res.ok, reference } : { error: res.error, reference };
  });
  const late = allFailed(results);
  if (late !== undefined) throw new InvalidRequestError(late);
  return { data: { batch_results: results } };
}
