import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodedError, InvalidDurationError, MAX_DURATION_SECONDS, parseDurationMs, parseDurationSeconds } from '@strongroom/storage';

describe('parseDurationSeconds', () => {
  it("reads Go's units and their sums", () => {
    assert.equal(parseDurationSeconds('1h30m'), 5400);
    assert.equal(parseDurationSeconds('2h'), 7200);
    assert.equal(parseDurationSeconds('90s'), 90);
    assert.equal(parseDurationSeconds('768h'), 2_764_800);
    assert.equal(parseDurationSeconds('1h1h'), 7200);
  });

  it('truncates toward zero to whole seconds, as Go divides by time.Second', () => {
    assert.equal(parseDurationSeconds('1.5s'), 1);
    assert.equal(parseDurationSeconds('300ms'), 0);
    assert.equal(parseDurationSeconds('-1.5s'), -1);
  });

  it('takes a bare integer as seconds and d as 24 hours, as Vault does', () => {
    assert.equal(parseDurationSeconds('30'), 30);
    assert.equal(parseDurationSeconds('0'), 0);
    assert.equal(parseDurationSeconds('-30'), -30);
    assert.equal(parseDurationSeconds('7d'), 604_800);
    assert.equal(parseDurationSeconds('1d12h'), 129_600);
  });

  it('takes a sign as Go does', () => {
    assert.equal(parseDurationSeconds('-1s'), -1);
    assert.equal(parseDurationSeconds('+1m'), 60);
  });

  it('stops at the longest Go duration', () => {
    assert.equal(parseDurationSeconds(String(MAX_DURATION_SECONDS)), 9_223_372_036);
    assert.throws(() => parseDurationSeconds(String(MAX_DURATION_SECONDS + 1)), InvalidDurationError);
    assert.throws(() => parseDurationSeconds('2562048h'), InvalidDurationError);
    assert.equal(parseDurationSeconds('2562047h'), 2562047 * 3600);
  });
});

describe('parseDurationMs', () => {
  it('keeps milliseconds and below', () => {
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('300ms'), 300);
    assert.equal(parseDurationMs('1500us'), 1.5);
    assert.equal(parseDurationMs('1500\u00b5s'), 1.5);
    assert.equal(parseDurationMs('1500\u03bcs'), 1.5);
    assert.equal(parseDurationMs('2000000ns'), 2);
    assert.equal(parseDurationMs('1m30s'), 90_000);
    assert.equal(parseDurationMs('15'), 15_000);
    assert.equal(parseDurationMs('.5s'), 500);
    assert.equal(parseDurationMs('1.s'), 1000);
    assert.equal(parseDurationMs('2.3s'), 2300);
  });
});

describe('invalid durations', () => {
  for (const text of ['1x', '', 'h', '1.5', '.s', 's', '-', '1h 30m', ' 1h', '1h ', '1..5s', 'constructor', '5 s', '1e3s']) {
    it(`refuses ${JSON.stringify(text)} with a typed error`, () => {
      for (const parse of [parseDurationMs, parseDurationSeconds]) {
        assert.throws(
          () => parse(text),
          (err: unknown) => err instanceof InvalidDurationError && err instanceof CodedError && err.code === 'duration_invalid' && err.text === text,
        );
      }
    });
  }
});
