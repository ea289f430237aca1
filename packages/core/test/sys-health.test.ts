// sys/health status codes as Vault 1.19+ decides them (http/sys_health.go), with the standby's link to the active.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { localSystemBackend } from '../src/sys/local-paths.js';

interface State {
  sealed?: boolean;
  active?: boolean;
  unhealthy?: boolean;
}

async function health(s: State, query: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const backend = localSystemBackend({
    node: {
      initialized: async () => true,
      sealType: () => 'shamir',
      initialize: async () => {
        throw new Error('unused');
      },
      unseal: async () => {
        throw new Error('unused');
      },
      resetUnseal: () => undefined,
      sealStatus: async () => {
        throw new Error('unused');
      },
      isSealed: () => s.sealed ?? false,
      isActive: () => s.active ?? false,
      haStatus: () => ({ enabled: true, isSelf: s.active ?? false, leaderAddress: '', leaderClusterAddress: '' }),
    },
    cluster: { name: 'c', id: 'id' },
    linkHealth: () => ({ ha_connection_healthy: !s.unhealthy, last_request_forwarding_heartbeat_ms: s.unhealthy ? 9000 : 5 }),
    linkUnhealthy: () => s.unhealthy ?? false,
  });
  const r = await backend.handleRequest({ id: '', operation: 'read', path: 'health', data: {}, query, clientToken: '', headers: {} });
  return { status: r!.raw!.status, body: r!.raw!.body as Record<string, unknown> };
}

describe('sys/health and the link to the active', () => {
  it('a standby whose heartbeats stopped answers 474, whatever standbyok says', async () => {
    assert.equal((await health({ unhealthy: true })).status, 474);
    assert.equal((await health({ unhealthy: true }, { standbyok: 'true' })).status, 474);
    assert.equal((await health({ unhealthy: true }, { standbyok: 'true', perfstandbyok: 'true' })).status, 474);
    const body = (await health({ unhealthy: true })).body;
    assert.equal(body.ha_connection_healthy, false);
    assert.equal(body.standby, true);
  });

  it('haunhealthycode overrides 474', async () => {
    assert.equal((await health({ unhealthy: true }, { haunhealthycode: '299' })).status, 299);
    assert.equal((await health({ unhealthy: true }, { standbyok: 'true', haunhealthycode: '200' })).status, 200);
  });

  it('a healthy standby keeps the standby codes; sealed comes first', async () => {
    assert.equal((await health({})).status, 429);
    assert.equal((await health({}, { standbyok: 'true' })).status, 200);
    assert.equal((await health({ sealed: true, unhealthy: true })).status, 503);
    assert.equal((await health({ active: true })).status, 200);
  });
});
