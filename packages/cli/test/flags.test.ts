import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { parseFlags, type FlagSpec } from '../src/flags.js';

const specs: FlagSpec[] = [
  { name: 'format', type: 'string', usage: '' },
  { name: 'key-shares', type: 'int', aliases: ['n'], default: 5, usage: '' },
  { name: 'no-store', type: 'bool', usage: '' },
  { name: 'renewable', type: 'bool', default: true, usage: '' },
  { name: 'policy', type: 'strings', usage: '' },
  { name: 'ttl', type: 'duration', usage: '' },
  { name: 'otp', type: 'string', usage: '' },
];

describe('Vault-style flags', () => {
  it('reads -format=json as one long flag, the way Vault does, not as -f -o -r ...', () => {
    const { flags, args } = parseFlags(['-format=json', 'secret/foo'], specs);
    assert.equal(flags.string('format'), 'json');
    assert.deepEqual(args, ['secret/foo']);
  });

  it('accepts -flag value, --flag=value and flags after the positional arguments', () => {
    assert.equal(parseFlags(['-format', 'json'], specs).flags.string('format'), 'json');
    assert.equal(parseFlags(['--format=json'], specs).flags.string('format'), 'json');
    const { flags, args } = parseFlags(['secret/foo', 'a=b', '-format=json'], specs);
    assert.equal(flags.string('format'), 'json');
    assert.deepEqual(args, ['secret/foo', 'a=b']);
  });

  it('treats -no-store as its own flag rather than the negation of "store"', () => {
    const { flags } = parseFlags(['-no-store'], specs);
    assert.equal(flags.bool('no-store'), true);
  });

  it('knows aliases, defaults and explicit false', () => {
    const { flags } = parseFlags(['-n=7', '-renewable=false'], specs);
    assert.equal(flags.int('key-shares'), 7);
    assert.equal(flags.bool('renewable'), false);
    assert.equal(parseFlags([], specs).flags.int('key-shares'), 5);
    assert.equal(parseFlags([], specs).flags.bool('renewable'), true);
    assert.equal(parseFlags([], specs).flags.has('key-shares'), false);
  });

  it('collects a repeated flag in order and keeps the last value of a single one', () => {
    const { flags } = parseFlags(['-policy=a', 'path', '-policy', 'b', '-format=table', '-format=json'], specs);
    assert.deepEqual(flags.strings('policy'), ['a', 'b']);
    assert.equal(flags.string('format'), 'json');
  });

  it('keeps values as strings: an OTP of digits stays text', () => {
    const { flags, args } = parseFlags(['-otp=0012', '0034'], specs);
    assert.equal(flags.string('otp'), '0012');
    assert.deepEqual(args, ['0034']);
  });

  it('keeps a lone "-" as an argument (stdin) and stops at "--"', () => {
    const { args, flags } = parseFlags(['secret/foo', '-', '--', '-format=x'], specs);
    assert.deepEqual(args, ['secret/foo', '-', '-format=x']);
    assert.equal(flags.has('format'), false);
  });

  it('converts durations to seconds', () => {
    assert.equal(parseFlags(['-ttl=1h30m'], specs).flags.seconds('ttl'), 5400);
    assert.equal(parseFlags(['-ttl=90'], specs).flags.seconds('ttl'), 90);
  });

  it('rejects an unknown flag and a malformed number with usage errors', () => {
    assert.throws(() => parseFlags(['-bogus=1'], specs), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, 'flag provided but not defined: -bogus');
      assert.equal(err.exitCode, 1);
      return true;
    });
    assert.throws(() => parseFlags(['-key-shares=five'], specs), /invalid value "five" for flag -key-shares: parse error/);
    assert.throws(() => parseFlags(['-ttl=soon'], specs), /invalid value "soon" for flag -ttl/);
  });
});
