import { createHash, randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import { ownValue } from '../util/own-value.js';

/** Vault's algorithm names -> node's. */
const HASHES: Record<string, string> = {
  'sha2-224': 'sha224',
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

const MAX_RANDOM_BYTES = 128 * 1024;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkFormat(format: string): void {
  if (format !== 'hex' && format !== 'base64') throw new InvalidRequestError(`unsupported encoding format ${JSON.stringify(format)}; must be "hex" or "base64"`);
}

function hash(d: FieldData): Response {
  const algorithm = d.getString('urlalgorithm') || d.getString('algorithm');
  const format = d.getString('format');
  const input = d.getString('input');
  // Go's base64 is strict; node's would silently skip bad characters and hash something else.
  if (!STRICT_BASE64.test(input)) throw new InvalidRequestError('unable to decode input as base64: illegal base64 data');
  checkFormat(format);
  // Own keys only: `constructor` or `__proto__` must be an unknown algorithm, not something every object inherits.
  const nodeAlg = ownValue(HASHES, algorithm);
  if (!nodeAlg) throw new InvalidRequestError(`unsupported algorithm ${algorithm}`);
  const sum = createHash(nodeAlg).update(Buffer.from(input, 'base64')).digest(format === 'hex' ? 'hex' : 'base64');
  return { data: { sum } };
}

function random(d: FieldData): Response {
  let bytes = d.getInt('bytes');
  const url = d.getString('urlbytes');
  if (url !== '') {
    if (!/^\d+$/.test(url)) throw new InvalidRequestError(`error parsing url-set byte count: ${url}`);
    bytes = Number(url);
  }
  const format = d.getString('format');
  const source = d.getString('urlsource') || d.getString('source');
  if (bytes < 1) throw new InvalidRequestError('"bytes" cannot be less than 1');
  if (bytes > MAX_RANDOM_BYTES) throw new InvalidRequestError(`"bytes" should be less than ${MAX_RANDOM_BYTES}`);
  checkFormat(format);
  // No seal with its own entropy here: every source is the platform's CSPRNG.
  if (!['platform', 'seal', 'all'].includes(source)) {
    throw new InvalidRequestError(`unsupported entropy source ${JSON.stringify(source)}; must be "platform" or "seal", or "all"`);
  }
  return { data: { random_bytes: randomBytes(bytes).toString(format === 'hex' ? 'hex' : 'base64') } };
}

/** `<prefix>hash[/<algorithm>]`: sys/tools/hash and sys/hash, and transit's hash path, which Vault serves alike. */
export function hashPath(prefix: string): PathDef {
  return {
    pattern: `${prefix}hash(/(?<urlalgorithm>[^/]+))?`,
    fields: {
      input: { type: 'string', description: 'The base64-encoded input data.' },
      algorithm: { type: 'string', default: 'sha2-256' },
      urlalgorithm: { type: 'string' },
      format: { type: 'string', default: 'hex', description: 'hex or base64.' },
    },
    operations: { update: async (_req, d) => hash(d) },
    helpSynopsis: 'Hash base64-encoded input.',
  };
}

/** `<prefix>random[/<source>][/<bytes>]`: sys/tools/random and sys/random, and transit's random path. */
export function randomPath(prefix: string): PathDef {
  return {
    pattern: `${prefix}random(/(?<urlsource>platform|seal|all))?(/(?<urlbytes>[^/]+))?`,
    fields: {
      bytes: { type: 'int', default: 32 },
      urlbytes: { type: 'string' },
      format: { type: 'string', default: 'base64', description: 'hex or base64.' },
      source: { type: 'string', default: 'platform' },
      urlsource: { type: 'string' },
    },
    operations: { update: async (_req, d) => random(d) },
    helpSynopsis: 'Random bytes from the platform CSPRNG.',
  };
}

/** `sys/tools/hash` and `sys/tools/random`, with the newer `sys/hash` and `sys/random` aliases. */
export function toolsPaths(): PathDef[] {
  return [hashPath('tools/'), hashPath(''), randomPath('tools/'), randomPath('')];
}
