// What a command prints, in the chosen format: Vault's Key/Value tables for people, Go-shaped JSON for scripts.
import type { CliIO } from './io.js';
import { HOPE_DELIM, tableOutput } from './format/columns.js';
import { goQuotedList, goValue, humanDuration, humanDurationValue, looksLikeDuration } from './format/go-value.js';
import { goJson } from './format/json.js';
import { wrapAtLength } from './format/wrap.js';
import { asRecord, secretJson, type Secret } from './secret.js';

export type OutputFormat = 'table' | 'json';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export class Output {
  constructor(
    private readonly io: CliIO,
    readonly format: OutputFormat,
  ) {}

  get isTable(): boolean {
    return this.format === 'table';
  }

  /** A line (or block) on stdout. */
  info(text: string): void {
    this.io.stdout.write(text + '\n');
  }

  warn(text: string): void {
    this.io.stderr.write(text + '\n');
  }

  error(text: string): void {
    this.io.stderr.write(text + '\n');
  }

  /** A value meant for a pipe: no newline unless a person is reading it on a terminal. */
  raw(text: string): number {
    this.io.stdout.write(this.io.stdout.isTTY ? text + '\n' : text);
    return 0;
  }

  json(value: unknown): number {
    this.info(goJson(value));
    return 0;
  }

  /** A whole response: the envelope as JSON, or its lease, auth, wrapping and data rows as a table. */
  secret(secret: Secret): number {
    if (!this.isTable) return this.json(secretJson(secret));
    this.printWarnings(secret);
    const rows = secretRows(secret);
    if (rows.length > 0) this.info(keyValueTable(rows));
    return 0;
  }

  /** A status object or map: Key/Value rows sorted by key, or JSON. */
  data(data: unknown): number {
    if (!this.isTable) return this.json(data);
    if (Array.isArray(data)) return this.keys(data);
    const map = asRecord(data);
    if (!map) {
      this.error('Could not parse output: cannot use the table formatter for this type');
      return 1;
    }
    const rows = Object.keys(map)
      .sort()
      .map((k): [string, string] => [k, goValue(looksLikeDuration(k) ? humanDurationValue(map[k]) : map[k])]);
    if (rows.length > 0) this.info(keyValueTable(rows));
    return 0;
  }

  /** The `keys` of a LIST response: a sorted "Keys" column, or the JSON array. */
  list(secret: Secret): number {
    const keys = asRecord(secret.data)?.keys;
    if (!this.isTable) return this.json(keys ?? null);
    this.printWarnings(secret);
    return this.keys(Array.isArray(keys) ? keys : []);
  }

  /** One field of a response, raw in table mode (for `$(strongroom ... -field=x)`), as JSON otherwise. */
  field(source: Secret | Record<string, unknown>, field: string, fromSecret: boolean): number {
    const val = fromSecret ? secretField(source as Secret, field) : (source as Record<string, unknown>)[field];
    if (val === undefined || val === null) {
      this.error(`Field "${field}" not present in secret`);
      return 1;
    }
    if (this.isTable) return this.raw(goValue(val));
    return this.json(val);
  }

  printWarnings(secret: Secret): void {
    const warnings = secret.warnings ?? [];
    if (warnings.length === 0) return;
    this.warn('WARNING! The following warnings were returned from the server:\n');
    for (const w of warnings) {
      this.warn(wrapAtLength(`* ${w}`, 2));
      this.warn('');
    }
  }

  private keys(list: readonly unknown[]): number {
    const keys = list.map((k) => goValue(k)).sort();
    if (keys.length > 0) this.info(tableOutput(['Keys', ...keys], { delim: HOPE_DELIM }));
    return 0;
  }
}

export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  return tableOutput([`Key${HOPE_DELIM}Value`, ...rows.map(([k, v]) => `${k} ${HOPE_DELIM} ${v}`)], {
    delim: HOPE_DELIM,
  });
}

/** The rows Vault's table formatter shows for a response, in its order. */
export function secretRows(secret: Secret): [string, string][] {
  const out: [string, string][] = [];
  const lease = secret.lease_duration ?? 0;
  if (lease > 0) {
    if (secret.lease_id) {
      out.push(['lease_id', secret.lease_id]);
      out.push(['lease_duration', humanDuration(lease)]);
      out.push(['lease_renewable', String(secret.renewable ?? false)]);
    } else {
      // A kv read carries the mount's TTL as a refresh hint rather than a real lease.
      out.push(['refresh_interval', humanDuration(lease)]);
    }
  }
  const auth = secret.auth;
  if (auth) {
    out.push(['token', auth.client_token ?? '']);
    out.push(['token_accessor', auth.accessor ?? '']);
    out.push(['token_duration', auth.lease_duration ? humanDuration(auth.lease_duration) : '\u221e']);
    out.push(['token_renewable', String(auth.renewable ?? false)]);
    out.push(['token_policies', goQuotedList(auth.token_policies)]);
    out.push(['identity_policies', goQuotedList(auth.identity_policies)]);
    out.push(['policies', goQuotedList(auth.policies)]);
    for (const [k, v] of Object.entries(auth.metadata ?? {})) out.push([`token_meta_${k}`, goValue(v)]);
  }
  const wrap = secret.wrap_info;
  if (wrap) {
    out.push(['wrapping_token:', wrap.token ?? '']);
    out.push(['wrapping_accessor:', wrap.accessor ?? '']);
    out.push(['wrapping_token_ttl:', humanDuration(wrap.ttl ?? 0)]);
    out.push(['wrapping_token_creation_time:', wrap.creation_time ?? '']);
    out.push(['wrapping_token_creation_path:', wrap.creation_path ?? '']);
    if (wrap.wrapped_accessor) out.push(['wrapped_accessor:', wrap.wrapped_accessor]);
  }
  const data = asRecord(secret.data) ?? {};
  for (const k of Object.keys(data).sort()) {
    out.push([k, goValue(looksLikeDuration(k) ? humanDurationValue(data[k]) : data[k])]);
  }
  return out;
}

/** `-field` on a whole response: the envelope's own names first (token, lease_id, ...), then the data keys. */
export function secretField(secret: Secret, field: string): unknown {
  const auth = secret.auth;
  const wrap = secret.wrap_info;
  switch (field) {
    case 'wrapping_token':
      return wrap?.token;
    case 'wrapping_accessor':
      return wrap?.accessor;
    case 'wrapping_token_ttl':
      return wrap ? humanDuration(wrap.ttl ?? 0) : undefined;
    case 'wrapping_token_creation_time':
      return wrap?.creation_time;
    case 'wrapping_token_creation_path':
      return wrap?.creation_path;
    case 'wrapped_accessor':
      return wrap?.wrapped_accessor;
    case 'refresh_interval':
      return humanDuration(secret.lease_duration ?? 0);
    case 'lease_id':
      return secret.lease_id;
    case 'lease_duration':
      return humanDuration(secret.lease_duration ?? 0);
    case 'lease_renewable':
      return secret.renewable;
  }
  if (auth) {
    switch (field) {
      case 'token':
        return auth.client_token;
      case 'token_accessor':
        return auth.accessor;
      case 'token_duration':
        return humanDuration(auth.lease_duration ?? 0);
      case 'token_renewable':
        return auth.renewable;
      case 'token_policies':
        return auth.token_policies;
      case 'identity_policies':
        return auth.identity_policies;
      case 'policies':
        return auth.policies;
    }
  }
  return asRecord(secret.data)?.[field];
}
