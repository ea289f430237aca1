import { InvalidRequestError } from '../errors.js';
import { parseApiDurationSeconds } from '../framework/duration.js';
import { HCLSyntaxError, hclBlocks, hclObjects, parseHCL } from '../hcl.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { ownValue, putOwn } from '../util/own-value.js';

export const CAPABILITIES = ['deny', 'create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One `path "<pattern>" {...}` block, parsed and validated. */
export interface PathRules {
  /** The pattern as written, less a leading `/`. */
  pattern: string;
  /** Exact rule: the path; prefix rule: the pattern less its trailing `*`; segment-wildcard rule: the pattern. */
  path: string;
  /** Ends in `*` and has no `+` segment: matched by longest prefix. */
  isPrefix: boolean;
  /** Has a `+` segment: matched segment by segment (a trailing `*` stays in `path`). */
  hasSegmentWildcards: boolean;
  /** `['deny']` alone when deny was listed. */
  capabilities: Capability[];
  /** Lowercased parameter name -> allowed values (`[]` = any value; `*` = every parameter). */
  allowedParameters?: Record<string, unknown[]>;
  deniedParameters?: Record<string, unknown[]>;
  requiredParameters?: string[];
  /** Seconds. */
  minWrappingTTL?: number;
  maxWrappingTTL?: number;
  /** Uses identity templating (`{{identity.entity.id}}`). */
  templated: boolean;
}

export interface Policy {
  name: string;
  /** The text as written, returned by reads. */
  raw: string;
  paths: PathRules[];
  templated: boolean;
}

/** The old `policy = "..."` shorthand, as Vault maps it. */
const LEGACY_POLICIES: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const TOP_LEVEL_KEYS = new Set(['name', 'path']);
const PATH_KEYS = new Set([
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
]);

/** Policy names are case-insensitive and stored lowercased, as Vault does. */
export function normalisePolicyName(name: string): string {
  return name.trim().toLowerCase();
}

function fail(message: string): never {
  throw new InvalidRequestError(`failed to parse policy: ${message}`);
}

// Vault's identity templating; this server has no identity store, so a templated path never matches (see ACL).
const TEMPLATE = /\{\{([^{}]*)\}\}/g;

function checkTemplating(pattern: string): boolean {
  let templated = false;
  for (const m of pattern.matchAll(TEMPLATE)) {
    const expr = (m[1] ?? '').trim();
    if (!/^identity\.[A-Za-z0-9_.\-/]+$/.test(expr)) fail(`path "${pattern}": invalid templating "${m[0]}"`);
    templated = true;
  }
  if (pattern.replace(TEMPLATE, '').includes('{{')) fail(`path "${pattern}": unterminated templating`);
  return templated;
}

function checkPattern(pattern: string): void {
  if (pattern.includes('+*')) fail(`path "${pattern}": invalid use of wildcards ('+*' is forbidden)`);
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) fail(`path "${pattern}": "*" is only allowed as the last character`);
  // `+` is a wildcard only as a whole segment; `secret/+foo` would match only a literal `+foo`, which is surely a mistake.
  for (const seg of pattern.replace(/\*$/, '').split('/')) {
    if (seg.startsWith('+') && seg !== '+') fail(`path "${pattern}": "+" must stand for a whole path segment`);
  }
}

function stringList(pattern: string, key: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(`path "${pattern}": ${key} must be a list of strings`);
  return v as string[];
}

function parameterMap(pattern: string, key: string, v: unknown): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const objects = hclObjects(v);
  if (objects.length === 0 && !isPlainObject(v)) fail(`path "${pattern}": ${key} must be a map of parameter name to a list of values`);
  for (const obj of objects) {
    for (const [name, values] of Object.entries(obj)) {
      if (name.includes('*') && name !== '*') fail(`path "${pattern}": ${key}: parameter key "${name}" cannot contain non-tail wildcards`);
      const list = Array.isArray(values) ? values : values === undefined || values === null ? [] : [values];
      const lower = name.toLowerCase();
      putOwn(out, lower, [...(ownValue(out, lower) ?? []), ...list]);
    }
  }
  return out;
}

function wrappingTTL(pattern: string, key: string, v: unknown): number {
  let secs: number | null = null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) secs = v;
  else if (typeof v === 'string') secs = parseApiDurationSeconds(v);
  if (secs === null) fail(`path "${pattern}": error parsing ${key}: invalid duration ${JSON.stringify(v)}`);
  return secs;
}

function parsePathBlock(rawPattern: string, body: unknown): PathRules {
  if (!isPlainObject(body)) fail(`path "${rawPattern}": expected a block, got ${JSON.stringify(body)}`);
  for (const key of Object.keys(body)) {
    if (!PATH_KEYS.has(key)) fail(`path "${rawPattern}": invalid key "${key}"`);
  }
  const pattern = rawPattern.startsWith('/') ? rawPattern.slice(1) : rawPattern;
  checkPattern(pattern);
  const templated = checkTemplating(pattern);
  const hasSegmentWildcards = pattern === '+' || pattern.startsWith('+/') || pattern.includes('/+');
  const isPrefix = pattern.endsWith('*') && !hasSegmentWildcards;

  const caps: string[] = [];
  if (body.policy !== undefined) {
    const legacy = typeof body.policy === 'string' ? LEGACY_POLICIES[body.policy] : undefined;
    if (!legacy) fail(`path "${rawPattern}": invalid policy ${JSON.stringify(body.policy)}`);
    caps.push(...legacy);
  }
  if (body.capabilities !== undefined) caps.push(...stringList(rawPattern, 'capabilities', body.capabilities));
  for (const c of caps) {
    if (!(CAPABILITIES as readonly string[]).includes(c)) fail(`path "${rawPattern}": invalid capability "${c}"`);
  }
  const rules: PathRules = {
    pattern,
    path: isPrefix ? pattern.slice(0, -1) : pattern,
    isPrefix,
    hasSegmentWildcards,
    capabilities: CAPABILITIES.filter((c) => caps.includes(c)),
    templated,
  };
  // As in Vault, deny stands alone and the rest of the block no longer matters.
  if (caps.includes('deny')) {
    rules.capabilities = ['deny'];
    return rules;
  }
  if (body.allowed_parameters !== undefined) rules.allowedParameters = parameterMap(rawPattern, 'allowed_parameters', body.allowed_parameters);
  if (body.denied_parameters !== undefined) rules.deniedParameters = parameterMap(rawPattern, 'denied_parameters', body.denied_parameters);
  if (body.required_parameters !== undefined) {
    const req = stringList(rawPattern, 'required_parameters', body.required_parameters);
    for (const p of req) if (p.includes('*')) fail(`path "${rawPattern}": required_parameters: parameter key "${p}": wildcard is not permitted here`);
    if (req.length > 0) rules.requiredParameters = req;
  }
  if (body.min_wrapping_ttl !== undefined) rules.minWrappingTTL = wrappingTTL(rawPattern, 'min_wrapping_ttl', body.min_wrapping_ttl);
  if (body.max_wrapping_ttl !== undefined) rules.maxWrappingTTL = wrappingTTL(rawPattern, 'max_wrapping_ttl', body.max_wrapping_ttl);
  if (rules.minWrappingTTL && rules.maxWrappingTTL && rules.maxWrappingTTL < rules.minWrappingTTL) {
    fail(`path "${rawPattern}": max_wrapping_ttl cannot be less than min_wrapping_ttl`);
  }
  return rules;
}

/**
 * Parses an ACL policy (HCL or JSON): `path "<pattern>" { capabilities = [...], allowed_parameters = {...},
 * denied_parameters = {...}, required_parameters = [...], min_wrapping_ttl, max_wrapping_ttl }`, plus Vault's old
 * `policy = "read|write|sudo|deny"` shorthand. Throws InvalidRequestError (`failed to parse policy: ...`) on
 * syntax errors, unknown keys or capabilities, misplaced wildcards, or a policy without any path.
 */
export function parsePolicy(name: string, text: string): Policy {
  const policyName = normalisePolicyName(name);
  if (policyName === '') throw new InvalidRequestError('policy name must be provided');
  if (policyName === 'root') throw new InvalidRequestError('cannot update "root" policy');
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidRequestError("'policy' parameter not supplied or empty");

  let doc: Record<string, unknown>;
  try {
    doc = parseHCL(text);
  } catch (err) {
    if (err instanceof HCLSyntaxError) fail(err.detail);
    throw err;
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) fail(`invalid key "${key}" (a policy has only "path" blocks)`);
  }
  const blocks = hclBlocks(doc.path);
  if (doc.path !== undefined && blocks.length === 0) fail('"path" must be a block: path "<pattern>" { capabilities = [...] }');
  if (blocks.length === 0) fail('policy has no "path" blocks');
  const paths = blocks.map(([pattern, body]) => parsePathBlock(pattern, body));
  return { name: policyName, raw: text, paths, templated: paths.some((p) => p.templated) };
}
