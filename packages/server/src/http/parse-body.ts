import { HttpError } from '../errors/http-error.js';

/**
 * The one place a request body becomes request data. Vault reads JSON whatever the Content-Type; a form body
 * (`application/x-www-form-urlencoded`) is accepted when it does not look like JSON. An empty body is no data.
 */
export function parseRequestBody(body: Buffer | undefined, contentType: string | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  const text = body.toString('utf8');
  const first = text.trimStart()[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[' && mediaType(contentType) === 'application/x-www-form-urlencoded') {
    return parseForm(text);
  }
  if (nestingDepth(text) > MAX_DEPTH) throw new HttpError('http_malformed_body', 'failed to parse JSON input: exceeded max depth');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new HttpError('http_malformed_body', `failed to parse JSON input: ${(err as Error).message}`);
  }
  // Go decodes `null` into a nil map: no data.
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    throw new HttpError('http_malformed_body', `failed to parse JSON input: the body must be a JSON object, got ${kind}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The deepest nesting a body may have. Go's decoder stops at 10000; data is walked recursively here (storage,
 * audit hashing, responses), and a body nested deeper than the stack allows would fail as a 500, not a 400.
 */
const MAX_DEPTH = 1000;

/** How deeply objects and arrays nest in JSON text (strings skipped); stops counting once past the limit. */
function nestingDepth(text: string): number {
  // A text shorter than the limit cannot nest deeper than it: the common case costs nothing.
  if (text.length <= MAX_DEPTH) return 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) return depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return depth;
}

/** `type/subtype` of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Vault's parseFormRequest: one value stays a string, repeated keys are joined with commas. */
function parseForm(text: string): Record<string, unknown> {
  const params = new URLSearchParams(text);
  // fromEntries defines each key, so a field named `__proto__` stays data.
  return Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key).join(',')]));
}
