import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import { parseCron } from '../src/engines/database-schedule.js';
import { renderUsername } from '../src/engines/database-username.js';

describe('static role schedules (cron, UTC)', () => {
  const at = (iso: string) => new Date(iso);
  it('finds the next matching minute', () => {
    assert.equal(parseCron('0 0 * * *').next(at('2026-12-03T15:33:10Z')).toISOString(), '2026-12-04T00:00:00.000Z');
    assert.equal(parseCron('*/15 * * * *').next(at('2026-12-03T15:33:10Z')).toISOString(), '2026-12-03T15:45:00.000Z');
    assert.equal(parseCron('30 2 1 * *').next(at('2026-12-03T00:00:00Z')).toISOString(), '2027-01-01T02:30:00.000Z');
    assert.equal(parseCron('0 9 * * 1-5').next(at('2026-12-05T10:00:00Z')).toISOString(), '2026-12-07T09:00:00.000Z', 'Saturday -> Monday');
    assert.equal(parseCron('0 12 * * 0').next(at('2026-12-03T00:00:00Z')).toISOString(), '2026-12-06T12:00:00.000Z');
  });
  it('refuses what is not a 5-field cron expression', () => {
    for (const bad of ['* * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', 'a b c d e', '0 0 31 2 *']) {
      assert.throws(() => parseCron(bad).next(at('2026-01-01T00:00:00Z')), InvalidRequestError, bad);
    }
  });
});

describe('database usernames', () => {
  const now = new Date('2026-12-03T00:00:00Z');
  it('follows Vault\'s default template, in characters that need no quoting', () => {
    const name = renderUsername('', { displayName: 'userpass-bob"; DROP', roleName: 'readonly-app-role', now });
    assert.match(name, /^v-userpass-readonly-[A-Za-z0-9]{20}-1796256000$/);
    assert.ok(name.length <= 63);
  });
  it('runs custom templates, and refuses one it cannot run', () => {
    assert.equal(renderUsername('{{ .RoleName | uppercase }}_{{ unix_time }}', { displayName: 'x', roleName: 'app', now }), 'APP_1796256000');
    assert.match(renderUsername('{{ printf "%s-%s" .RoleName (random 4) | replace "-" "_" }}', { displayName: 'x', roleName: 'a-b', now }), /^a_b_[A-Za-z0-9]{4}$/);
    assert.throws(() => renderUsername('{{ .Nope }}', { displayName: 'x', roleName: 'a', now }), InvalidRequestError);
    assert.throws(() => renderUsername('{{ shell "rm" }}', { displayName: 'x', roleName: 'a', now }), InvalidRequestError);
  });
});
