import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { PermissionDeniedError } from '../src/errors.js';
import { VERSION } from '../src/seal/seal-lifecycle.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/ha-status', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed({ apiAddr: 'https://10.0.0.2:8200', clusterAddr: 'https://10.0.0.2:8201' }));
  });
  after(async () => core.shutdown());

  it('lists the node answering as the active, in Vault\'s node shape', async () => {
    const r = await request(core, 'read', 'sys/ha-status', root);
    assert.deepEqual(r.data?.nodes, [
      {
        hostname: hostname(),
        api_address: 'https://10.0.0.2:8200',
        cluster_address: 'https://10.0.0.2:8201',
        active_node: true,
        last_echo: null,
        echo_duration_ms: 0,
        clock_skew_ms: 0,
        version: VERSION,
        upgrade_version: '',
        redundancy_zone: '',
        replication_primary_canary_age_ms: 0,
      },
    ]);
  });

  it('needs a token whose policy allows it', async () => {
    await assert.rejects(request(core, 'read', 'sys/ha-status', ''), PermissionDeniedError);
  });
});
