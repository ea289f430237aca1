import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeEcho, encodeEcho } from '../src/cluster/forwarding-service.js';
import { PeerRegistry } from '../src/cluster/peer-registry.js';

describe('the active\'s list of standbys', () => {
  test('a heartbeat carries who the standby is; an older node\'s id and time alone still decode', () => {
    const full = { nodeId: 'n2', time: 5, apiAddr: 'https://b:8200', clusterAddr: 'https://b:8201', hostname: 'b', version: '1.17.0', echoDurationMs: 3, clockSkewMs: -1 };
    assert.deepEqual(decodeEcho(encodeEcho(full)), full);
    assert.deepEqual(decodeEcho(encodeEcho({ nodeId: 'n3', time: 6 })), { nodeId: 'n3', time: 6 });
    assert.throws(() => decodeEcho(encodeEcho({ nodeId: 'n3', time: 6, apiAddr: 42 } as never)), /apiAddr must be a string/);
  });

  test('records each standby once, with its last heartbeat, and forgets one gone quiet', () => {
    let now = 1_000_000;
    const r = new PeerRegistry(300, () => now);
    r.record({ nodeId: 'b', time: 0, apiAddr: 'https://b:8200', clusterAddr: 'https://b:8201', hostname: 'hb', version: 'v', echoDurationMs: 2, clockSkewMs: 1 });
    r.record({ nodeId: 'a', time: 0 });
    now += 200;
    r.record({ nodeId: 'b', time: 0, apiAddr: 'https://b:8200' });
    assert.deepEqual(r.list().map((p) => [p.nodeId, p.lastEcho.getTime()]), [['a', 1_000_000], ['b', 1_000_200]]);
    assert.equal(r.list()[0]!.apiAddress, '');
    now += 200;
    assert.deepEqual(r.list().map((p) => p.nodeId), ['b']);
    r.clear();
    assert.deepEqual(r.list(), []);
  });
});
