import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import { parseApiDurationSeconds } from '../src/framework/duration.js';
import { FieldData } from '../src/framework/field.js';

describe('duration fields', () => {
  it("read Go's syntax, bare seconds and days as whole seconds", () => {
    assert.equal(parseApiDurationSeconds('1h30m'), 5400);
    assert.equal(parseApiDurationSeconds(' 30 '), 30);
    assert.equal(parseApiDurationSeconds('1.5s'), 1);
    assert.equal(parseApiDurationSeconds('300ms'), 0);
    assert.equal(parseApiDurationSeconds('7d'), 604_800);
    assert.equal(parseApiDurationSeconds(''), 0);
  });

  it('refuse what is not a duration, and negatives', () => {
    for (const bad of ['1x', 'h', '1.5', '-1s', '-30', '--5s', '9223372037']) assert.equal(parseApiDurationSeconds(bad), null, bad);
  });

  it('turn a bad duration into a 400 naming the field', () => {
    const schema = { ttl: { type: 'duration' as const }, offset: { type: 'signed-duration' as const } };
    assert.equal(new FieldData({ ttl: '1h30m' }, schema).get('ttl'), 5400);
    assert.equal(new FieldData({ offset: '-1h30m' }, schema).get('offset'), -5400);
    assert.throws(() => new FieldData({ ttl: '1x' }, schema), (err: unknown) => err instanceof InvalidRequestError && /field "ttl": invalid duration "1x"/.test(err.message));
    assert.throws(() => new FieldData({ ttl: '-1s' }, schema), InvalidRequestError);
    assert.throws(() => new FieldData({ offset: '--1s' }, schema), InvalidRequestError);
  });
});
