// The one-time-password scheme of root token generation: the server returns base64(token XOR otp) and only the
// holder of the OTP can turn it back into the token.
import { randomInt } from 'node:crypto';
import { InvalidInputError } from './errors.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 OTP of the length the server asks for (its token length). */
export function generateOtp(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

/** Decodes Go's base64.RawStdEncoding (no padding); padded input is accepted too. */
function decodeRawBase64(encoded: string): Buffer {
  const s = encoded.trim().replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) {
    throw new InvalidInputError('Error decoding base64\'d token: illegal base64 data');
  }
  return Buffer.from(s, 'base64');
}

/** The root token from an `encoded_token` and the OTP the generation was started with. */
export function decodeRootToken(encoded: string, otp: string): string {
  const tokenBytes = decodeRawBase64(encoded);
  const otpBytes = Buffer.from(otp, 'utf8');
  if (tokenBytes.length !== otpBytes.length) {
    throw new InvalidInputError(
      `Error xoring token: length of byte slices is not equivalent: ${tokenBytes.length} != ${otpBytes.length}`,
    );
  }
  const out = Buffer.alloc(tokenBytes.length);
  for (let i = 0; i < out.length; i++) out[i] = tokenBytes[i]! ^ otpBytes[i]!;
  return out.toString('utf8');
}
