import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kvTime } from '../src/engines/kv-v2-model.js';
import { mountAccessor } from '../src/util/mount-accessor.js';
import { rfc3339Nano } from '../src/util/rfc3339-nano.js';

describe('core util', () => {
  it("writes times as Go's RFC3339Nano, trailing zeros dropped", () => {
    assert.equal(rfc3339Nano(new Date('2024-05-01T10:20:30.000Z')), '2024-05-01T10:20:30Z');
    assert.equal(rfc3339Nano(new Date('2024-05-01T10:20:30.100Z')), '2024-05-01T10:20:30.1Z');
    assert.equal(rfc3339Nano(new Date('2024-05-01T10:20:30.123Z')), '2024-05-01T10:20:30.123Z');
    assert.equal(kvTime(Date.parse('2024-05-01T10:20:30.010Z')), '2024-05-01T10:20:30.01Z');
    assert.equal(kvTime(null), '');
  });

  it("builds mount accessors as Vault's: type, underscore, 8 hex digits", () => {
    assert.match(mountAccessor('kv'), /^kv_[0-9a-f]{8}$/);
    assert.notEqual(mountAccessor('audit'), mountAccessor('audit'));
  });
});
