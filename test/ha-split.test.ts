import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { runServer } from '@strongroom/server';
import { startConsulDev } from '@strongroom/storage/testing';
import { call } from './helpers/http.js';

// Split mode: data in the embedded file backend, only the HA lock (and service registration) in a real Consul.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'strongroom-split-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('ha_storage "consul" beside storage "file": the banner says so and the node races for the lock in Consul', async () => {
  const consul = await startConsulDev();
  const out = new PassThrough();
  let banner = '';
  out.on('data', (d: Buffer) => (banner += d.toString()));
  const config = path.join(tmp, 'node.hcl');
  writeFileSync(
    config,
    `storage "file" { path = "${path.join(tmp, 'data')}" }
ha_storage "consul" {
  address = "${consul.addresses[0]}"
  path = "split/"
  lock_check_ttl = "2s"
}
listener "tcp" { address = "127.0.0.1:0" tls_disable = true }
api_addr = "http://127.0.0.1:0"
disable_mlock = true
`,
  );
  const srv = await runServer({ configPaths: [config], stdout: out });
  try {
    assert.match(banner, /Storage: file\n/);
    assert.match(banner, /HA Storage: consul/);
    const url = srv.addresses[0]!;
    const init = await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(init.status, 200, init.text);
    await call(url, 'PUT', '/v1/sys/unseal', { body: { key: init.body.keys_base64[0] } });
    let health = await call(url, 'GET', '/v1/sys/health');
    for (let i = 0; i < 100 && health.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      health = await call(url, 'GET', '/v1/sys/health');
    }
    assert.equal(health.status, 200);
    const leader = await call(url, 'GET', '/v1/sys/leader');
    assert.equal(leader.body.ha_enabled, true);
    assert.equal(leader.body.is_self, true);
    const lock = await fetch(`http://${consul.addresses[0]}/v1/kv/split/core/lock`).then((r) => r.json() as Promise<{ Session?: string }[]>);
    assert.ok(lock[0]?.Session, 'the lock is held through a Consul session');
    const keys = await fetch(`http://${consul.addresses[0]}/v1/kv/split/?keys`).then((r) => r.json() as Promise<string[]>);
    assert.deepEqual(keys, ['split/core/lock'], 'no data reaches the HA backend');
  } finally {
    await srv.close();
    await consul.stop();
  }
});
