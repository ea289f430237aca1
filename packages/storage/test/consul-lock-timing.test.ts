import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsulBackend, InvalidDurationError } from '@strongroom/storage';

// No Consul needed: the timings are read when the lock is made, before any request.
test('a consul lock refuses a timing that is not a duration instead of reading it as 0', async () => {
  const bad = new ConsulBackend({ checkTtl: '1x' });
  try {
    assert.throws(() => bad.lock('core/lock', 'me'), (err: unknown) => err instanceof InvalidDurationError && err.text === '1x');
  } finally {
    await bad.close();
  }
  const good = new ConsulBackend({ checkTtl: '1.5s', sessionTtl: '1m', lockDelay: '0s' });
  try {
    assert.doesNotThrow(() => good.lock('core/lock', 'me'));
  } finally {
    await good.close();
  }
});
