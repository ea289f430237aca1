import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRootToken, generateOtp } from '../src/root-token.js';
import { run } from './support/cli-io.js';

// The vector of Vault's own generate-root test.
const ENCODED = 'Bxg9JQQqOCNKBRICNwMIRzo2J3cWCBRi';
const OTP = '3JhHkONiyiaNYj14nnD9xZQS';
const TOKEN = '4RUmoevJ3lsLni9sTXcNnRE1';

describe('root token decoding', () => {
  it('XORs the raw-base64 encoded token with the OTP', () => {
    assert.equal(decodeRootToken(ENCODED, OTP), TOKEN);
  });

  it('refuses an OTP of the wrong length and undecodable input', () => {
    assert.throws(() => decodeRootToken(ENCODED, 'short'), /length of byte slices is not equivalent: 24 != 5/);
    assert.throws(() => decodeRootToken('not base64!', OTP), /illegal base64 data/);
  });

  it('generates base62 OTPs of the requested length', () => {
    const otp = generateOtp(28);
    assert.equal(otp.length, 28);
    assert.match(otp, /^[0-9A-Za-z]{28}$/);
    assert.notEqual(generateOtp(28), otp);
  });
});

describe('operator generate-root -decode', () => {
  it('prints the token raw (no newline) to a pipe, and as JSON with -format=json', async () => {
    const raw = await run(['operator', 'generate-root', `-decode=${ENCODED}`, `-otp=${OTP}`]);
    assert.deepEqual(raw, { code: 0, stdout: TOKEN, stderr: '' });
    const tty = await run(['operator', 'generate-root', '-decode', ENCODED, '-otp', OTP], { tty: true });
    assert.equal(tty.stdout, `${TOKEN}\n`);
    const json = await run(['operator', 'generate-root', `-decode=${ENCODED}`, `-otp=${OTP}`, '-format=json']);
    assert.deepEqual(JSON.parse(json.stdout), { token: TOKEN });
  });

  it('reads the encoded token from stdin with -decode=-', async () => {
    const res = await run(['operator', 'generate-root', '-decode=-', `-otp=${OTP}`], { stdin: `${ENCODED}\n` });
    assert.deepEqual(res, { code: 0, stdout: TOKEN, stderr: '' });
  });

  it('asks for what is missing', async () => {
    const noOtp = await run(['operator', 'generate-root', `-decode=${ENCODED}`]);
    assert.equal(noOtp.code, 1);
    assert.equal(noOtp.stderr, 'Missing otp: use -otp to supply it\n');
    const empty = await run(['operator', 'generate-root', '-decode=-', `-otp=${OTP}`], { stdin: '' });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /Missing encoded value/);
  });
});
