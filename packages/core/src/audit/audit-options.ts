import { InvalidRequestError } from '../errors.js';

/** How a device's entries are formatted and hashed (Vault's common audit options). */
export interface FormatOptions {
  /** Write secrets and tokens in the clear (`log_raw`). */
  logRaw: boolean;
  /** Hash accessors too (`hmac_accessor`, default true). */
  hmacAccessor: boolean;
  /** Replace `keys`/`key_info` of list responses by their counts (`elide_list_responses`). */
  elideListResponses: boolean;
}

/** Go's `strconv.ParseBool`, which Vault uses for every boolean option. */
export function parseBoolOption(options: Record<string, string>, name: string, fallback: boolean): boolean {
  const raw = options[name];
  if (raw === undefined) return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw new InvalidRequestError(`unable to parse '${name}': strconv.ParseBool: parsing "${raw}": invalid syntax`);
}

/** Validates the options every device type shares and returns the formatting ones. */
export function parseFormatOptions(options: Record<string, string>): FormatOptions {
  const format = options.format ?? 'json';
  if (format !== 'json') throw new InvalidRequestError(`unknown format type "${format}"`);
  return {
    logRaw: parseBoolOption(options, 'log_raw', false),
    hmacAccessor: parseBoolOption(options, 'hmac_accessor', true),
    elideListResponses: parseBoolOption(options, 'elide_list_responses', false),
  };
}
