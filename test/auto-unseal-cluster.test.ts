// Unattended unseal of a three-node cluster over a real Consul: with a static key, and with another Strongroom
// server's transit key as the unsealer. Every node is SIGKILLed and restarted; nobody sends an unseal call.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runServer, type RunningServer } from '@strongroom/server';
import { freePorts, startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';
import { request, sleep, startNodes, stopNodes, waitForActive, type StrongroomNode } from './helpers/strongroom-cluster.js';

let consul: ConsulCluster;
let dir: string;

before(async () => {
  consul = await startConsulCluster(3);
  dir = await mkdtemp(path.join(tmpdir(), 'strongroom-auto-unseal-'));
});
after(async () => {
  await consul?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function sealStatus(n: StrongroomNode): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (await n.http('GET', '/v1/sys/seal-status')).body;
}

async function waitUnsealed(nodes: StrongroomNode[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const n of nodes) {
    while ((await sealStatus(n).catch(() => ({ sealed: true }))).sealed) {
      if (Date.now() > deadline) throw new Error(`node ${n.index} still sealed:\n${n.output().slice(-3000)}`);
      await sleep(50);
    }
  }
}

/** SIGKILL every node, start them all again, and time how long until one is active. */
async function killAndRestartAll(nodes: StrongroomNode[], label: string): Promise<number> {
  for (const n of nodes) n.kill('SIGKILL');
  await sleep(200);
  const t0 = Date.now();
  await Promise.all(nodes.map((n) => n.start()));
  await waitForActive(nodes, 60_000);
  const ms = Date.now() - t0;
  console.log(`# ${label}: ${ms} ms from start of 3 SIGKILLed nodes to an active node, no unseal call`);
  return ms;
}

describe('seal "static"', () => {
  let nodes: StrongroomNode[] = [];
  after(async () => stopNodes(nodes));

  test('init returns recovery keys; after SIGKILL of every node the cluster unseals itself and elects an active node', async () => {
    const keyFile = path.join(dir, 'unseal.key');
    await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
    nodes = await startNodes(consul, 3, {
      storageExtra: 'path = "static-seal/"',
      extraConfig: `seal "static" {\n  current_key_id = "k1"\n  current_key = "file://${keyFile}"\n}\n`,
    });
    const init = await nodes[0]!.http('PUT', '/v1/sys/init', { recovery_shares: 3, recovery_threshold: 2 });
    assert.equal(init.status, 200, init.text);
    assert.equal(init.body.recovery_keys.length, 3);
    assert.equal(init.body.recovery_keys_base64.length, 3);
    assert.deepEqual(init.body.keys, []);
    assert.match(init.body.root_token, /^hvs\./);
    // The other two were started before init: they notice it and unseal themselves.
    await waitUnsealed(nodes);
    await waitForActive(nodes);
    const status = await sealStatus(nodes[1]!);
    assert.equal(status.type, 'static');
    assert.equal(status.recovery_seal, true);
    assert.equal(status.t, 2);
    assert.equal(status.n, 3);

    const ms = await killAndRestartAll(nodes, 'static seal');
    assert.ok(ms < 60_000);
    await waitUnsealed(nodes);
    // The data written before the restart is there: same root key.
    const active = nodes[await waitForActive(nodes)]!;
    assert.equal((await active.http('GET', '/v1/auth/token/lookup-self', undefined, { 'X-Vault-Token': init.body.root_token })).status, 200);
  });
});

describe('seal "transit" with another Strongroom server as the unsealer', () => {
  let nodes: StrongroomNode[] = [];
  let unsealer: RunningServer | null = null;
  let unsealerUrl = '';
  let unsealerKey = '';
  const unsealerConfig = (): string => path.join(dir, 'unsealer.hcl');
  const startUnsealer = async (): Promise<void> => {
    unsealer = await runServer({ configPaths: [unsealerConfig()], stdout: new PassThrough(), env: {} });
  };
  after(async () => {
    await stopNodes(nodes);
    await unsealer?.close();
  });

  test('the cluster unseals through the unsealer; without it the nodes stay sealed and retry, and unseal once it is back', async () => {
    const [port] = await freePorts(1);
    unsealerUrl = `http://127.0.0.1:${port}`;
    await writeFile(unsealerConfig(), `storage "file" { path = "${path.join(dir, 'unsealer')}" }\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`);
    await startUnsealer();
    const call = (method: string, p: string, body?: unknown, token?: string) => request(unsealerUrl, method, p, body, token ? { 'X-Vault-Token': token } : {});
    const uinit = await call('PUT', '/v1/sys/init', { secret_shares: 1, secret_threshold: 1 });
    unsealerKey = uinit.body.keys_base64[0];
    const root = uinit.body.root_token as string;
    await call('PUT', '/v1/sys/unseal', { key: unsealerKey });
    await unsealer!.node.waitActive();
    assert.equal((await call('POST', '/v1/sys/mounts/transit', { type: 'transit' }, root)).status, 204);
    assert.ok((await call('POST', '/v1/transit/keys/autounseal', {}, root)).status < 300);
    const policy = 'path "transit/encrypt/autounseal" { capabilities = ["update"] }\npath "transit/decrypt/autounseal" { capabilities = ["update"] }';
    await call('PUT', '/v1/sys/policy/autounseal', { policy }, root);
    const token = (await call('POST', '/v1/auth/token/create', { policies: ['autounseal'], ttl: '1h' }, root)).body.auth.client_token as string;

    nodes = await startNodes(consul, 3, {
      storageExtra: 'path = "transit-seal/"',
      extraConfig: `seal "transit" {\n  address = "${unsealerUrl}"\n  key_name = "autounseal"\n  mount_path = "transit/"\n}\n`,
      env: { VAULT_TOKEN: token, VAULT_ADDR: unsealerUrl },
    });
    const init = await nodes[0]!.http('PUT', '/v1/sys/init', {});
    assert.equal(init.status, 200, init.text);
    assert.equal(init.body.recovery_keys.length, 5);
    assert.deepEqual(init.body.keys, []);
    await waitUnsealed(nodes);
    assert.equal((await sealStatus(nodes[2]!)).type, 'transit');
    await killAndRestartAll(nodes, 'transit seal');

    // The unsealer goes away; the cluster restarts and cannot unseal.
    await unsealer!.close();
    unsealer = null;
    for (const n of nodes) n.kill('SIGKILL');
    await sleep(200);
    await Promise.all(nodes.map((n) => n.start()));
    await sleep(3000);
    for (const n of nodes) {
      const s = await sealStatus(n);
      assert.equal(s.sealed, true, `node ${n.index} unsealed without its unsealer`);
      assert.match(String(s.warnings?.[0]), /unreachable/);
      assert.match(n.output(), /auto-unseal failed; node stays sealed, retrying/);
    }
    // Back, and unsealed by its operator: the nodes unseal at their next try.
    await startUnsealer();
    await call('PUT', '/v1/sys/unseal', { key: unsealerKey });
    const t0 = Date.now();
    await waitUnsealed(nodes, 30_000);
    await waitForActive(nodes, 30_000);
    console.log(`# transit seal: ${Date.now() - t0} ms from the unsealer's return to an active node`);
    // No token in any log line.
    for (const n of nodes) assert.ok(!n.output().includes(token), `node ${n.index} logged the seal token`);
  });
});
