import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';

/**
 * Password hashes are scrypt in the PHC string format (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, unpadded base64),
 * so the parameters travel with each hash and can be raised later without breaking stored users.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** About as slow as Vault's bcrypt at cost 10 (tens of ms) and 32 MiB per hash. */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Bounds for imported hashes (`password_hash`), each parameter on its own... */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;
/**
 * ...and together: scrypt takes 128·N·r bytes and 128·N·r·p of work, so `ln=20,r=32` alone would be 4 GiB per
 * login. At most twice the default's memory (64 MiB) and four times its work.
 */
const MAX_MEMORY = 2 * 128 * 2 ** DEFAULT_SCRYPT.ln * DEFAULT_SCRYPT.r;
const MAX_WORK = 4 * 128 * 2 ** DEFAULT_SCRYPT.ln * DEFAULT_SCRYPT.r * DEFAULT_SCRYPT.p;

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r * params.p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

function format(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

function inRange(v: number, [lo, hi]: readonly [number, number]): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Reads a PHC scrypt string; null when it is not one or its parameters are out of bounds. */
function parse(text: string): ParsedHash | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{22,172})$/.exec(text);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!inRange(params.ln, LIMITS.ln) || !inRange(params.r, LIMITS.r) || !inRange(params.p, LIMITS.p)) return null;
  const memory = 128 * 2 ** params.ln * params.r;
  if (memory > MAX_MEMORY || memory * params.p > MAX_WORK) return null;
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return null;
  return { params, salt, key };
}

/** Hashes a new password with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return format(params, salt, await derive(password, salt, params, KEY_BYTES));
}

/** Checks a client-supplied `password_hash` and returns it in canonical form; 400 when it is not a usable scrypt hash. */
export function importPasswordHash(text: string): string {
  const parsed = parse(text.trim());
  if (!parsed) {
    throw new InvalidRequestError(
      'invalid "password_hash": expected an scrypt hash in PHC format ($scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>, base64)',
    );
  }
  return format(parsed.params, parsed.salt, parsed.key);
}

/**
 * Whether `password` matches `stored`. With no stored hash (unknown user) a dummy hash with the default parameters
 * is computed all the same, so an unknown user and a wrong password take about as long.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored ? parse(stored) : null;
  if (!parsed) {
    await derive(password, randomBytes(SALT_BYTES), DEFAULT_SCRYPT, KEY_BYTES);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}
