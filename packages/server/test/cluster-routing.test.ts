import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NoActiveNodeError } from '@strongroom/core';
import { Registry } from 'prom-client';
import {
  decideStandbyRoute,
  ForwardingError,
  FORWARDED_REQUESTS_METRIC,
  HEARTBEAT_AGE_METRIC,
  registerForwardingMetrics,
  type StandbyRouteInput,
} from '../src/cluster/index.js';
import { redirectLocation, servedByEveryNode } from '../src/http/standby.js';

const base: StandbyRouteInput = {
  originalUrl: '/v1/secret/data/app?version=3&x=a%2Fb',
  headers: {},
  leader: { api_addr: 'https://active.example:8200' },
  disableClustering: false,
  canForward: true,
};

describe('decideStandbyRoute', () => {
  test('a standby serves its own endpoints, whatever the forwarding state', () => {
    for (const url of ['/v1/sys/health', '/v1/sys/seal-status', '/v1/sys/init', '/v1/sys/unseal', '/v1/sys/leader', '/v1/sys/metrics', '/v1/sys/health/', '/v1/sys/health?standbyok=true']) {
      assert.ok(servedByEveryNode(url), url);
    }
  });

  test('everything else is forwarded, including sys paths that change cluster state', () => {
    for (const path of ['secret/data/app', 'sys/step-down', 'sys/rekey/init', 'sys/generate-root/attempt', 'auth/token/lookup-self', 'sys/healthz']) {
      assert.ok(!servedByEveryNode(`/v1/${path}`), path);
      assert.deepEqual(decideStandbyRoute({ ...base, originalUrl: `/v1/${path}` }), { kind: 'forward' }, path);
    }
  });

  test('X-Vault-No-Request-Forwarding gives a 307 to the active with path and query kept', () => {
    const r = decideStandbyRoute({ ...base, headers: { 'x-vault-no-request-forwarding': 'true' } });
    assert.deepEqual(r, { kind: 'redirect', location: 'https://active.example:8200/v1/secret/data/app?version=3&x=a%2Fb' });
    // An empty header value does not count, as in Vault.
    assert.deepEqual(decideStandbyRoute({ ...base, headers: { 'x-vault-no-request-forwarding': '' } }), { kind: 'forward' });
  });

  test('redirects when clustering is disabled, there is no link, or the link failed before the active saw the request', () => {
    const location = 'https://active.example:8200/v1/secret/data/app?version=3&x=a%2Fb';
    assert.deepEqual(decideStandbyRoute({ ...base, disableClustering: true }), { kind: 'redirect', location });
    assert.deepEqual(decideStandbyRoute({ ...base, canForward: false }), { kind: 'redirect', location });
    const transport = new ForwardingError('unavailable', true, 14);
    assert.deepEqual(decideStandbyRoute({ ...base, forwardError: transport }), { kind: 'redirect', location });
  });

  test('a forward that failed after it may have reached the active is an error, not a redirect', () => {
    const late = new ForwardingError('deadline exceeded', false, 4);
    assert.deepEqual(decideStandbyRoute({ ...base, forwardError: late }), { kind: 'error', error: late });
  });

  test('no known active node: 503 no_active_node', () => {
    for (const leader of [null, { api_addr: '' }]) {
      const r = decideStandbyRoute({ ...base, leader });
      assert.equal(r.kind, 'error');
      assert.ok(r.kind === 'error' && r.error instanceof NoActiveNodeError);
      assert.equal(r.kind === 'error' && (r.error as NoActiveNodeError).code, 'no_active_node');
    }
  });

  test('the redirect keeps the active\'s scheme and host only, defaulting to https', () => {
    assert.equal(redirectLocation('http://10.0.0.5:8200/ignored/path', '/v1/a?b=c'), 'http://10.0.0.5:8200/v1/a?b=c');
    assert.equal(redirectLocation('node-a:8200', '/v1/a'), 'https://node-a:8200/v1/a');
    assert.equal(redirectLocation('https://[::1]:8200', '/v1/a'), 'https://[::1]:8200/v1/a');
    assert.equal(redirectLocation('http://exa mple', '/v1/a'), null);
  });
});

describe('forwarding metrics', () => {
  test('heartbeat age is read at scrape time and forwarded requests are counted by outcome', async () => {
    const registry = new Registry();
    let age = 1.5;
    const metrics = registerForwardingMetrics(registry, { heartbeatAgeSeconds: () => age });
    metrics.forwarded('ok');
    metrics.forwarded('ok');
    metrics.forwarded('error');
    age = 4.25;
    const text = await registry.metrics();
    assert.match(text, new RegExp(`^${HEARTBEAT_AGE_METRIC} 4.25$`, 'm'));
    assert.match(text, new RegExp(`^${FORWARDED_REQUESTS_METRIC}\\{outcome="ok"\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^${FORWARDED_REQUESTS_METRIC}\\{outcome="error"\\} 1$`, 'm'));
    // Registering again (clustering re-installed) replaces rather than throws.
    registerForwardingMetrics(registry, { heartbeatAgeSeconds: () => 0 }).unregister();
    assert.doesNotMatch(await registry.metrics(), /strongroom_ha_/);
  });
});
