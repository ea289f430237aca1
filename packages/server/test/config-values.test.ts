import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidDurationError } from '@strongroom/storage';
import { ConfigError } from '../src/index.js';
import { readDurationMs } from '../src/config/values.js';

describe('config durations', () => {
  it('read Go durations, bare seconds and numbers as milliseconds', () => {
    assert.equal(readDurationMs('1h30m', 'k'), 5_400_000);
    assert.equal(readDurationMs('1.5s', 'k'), 1500);
    assert.equal(readDurationMs('300ms', 'k'), 300);
    assert.equal(readDurationMs('30', 'k'), 30_000);
    assert.equal(readDurationMs(' 15s ', 'k'), 15_000);
    assert.equal(readDurationMs(2.5, 'k'), 2500);
  });

  it('refuse anything else with a ConfigError naming the key', () => {
    assert.throws(
      () => readDurationMs('1x', 'storage "consul": session_ttl'),
      (err: unknown) =>
        err instanceof ConfigError && /^storage "consul": session_ttl: invalid duration/.test(err.message) && err.cause instanceof InvalidDurationError,
    );
    for (const bad of ['', 'h', '-1s', '-30', true, -1]) assert.throws(() => readDurationMs(bad, 'k'), ConfigError, String(bad));
  });
});
