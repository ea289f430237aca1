import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '@strongroom/storage/testing';
import { runServer, type RunningServer } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${url}/v1/${path}`, { method, headers: token ? { 'X-Vault-Token': token } : {}, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const t = await r.text();
  return { status: r.status, body: t ? JSON.parse(t) : undefined };
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The transit seal against another Strongroom server (its transit engine speaks Vault's API). The unsealer keeps
 * its data in a file and listens on a fixed port, so it can be stopped and started again as an outage would.
 */
describe('seal "transit" against another Strongroom server', () => {
  let dir: string;
  let unsealerUrl: string;
  let unsealer: RunningServer | null = null;
  let unsealerKey: string;
  let rootToken: string;
  let sealToken: string;
  const servers: RunningServer[] = [];

  const startUnsealer = async (): Promise<void> => {
    unsealer = await runServer({ configPaths: [join(dir, 'unsealer.hcl')], stdout: new PassThrough(), env: {} });
  };
  const startNode = async (): Promise<RunningServer> => {
    const s = await runServer({ configPaths: [join(dir, 'node.hcl')], stdout: new PassThrough(), env: { VAULT_TOKEN: sealToken } });
    servers.push(s);
    return s;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-transit-'));
    const [port] = await freePorts(1);
    unsealerUrl = `http://127.0.0.1:${port}`;
    await writeFile(join(dir, 'unsealer.hcl'), `storage "file" { path = "${join(dir, 'unsealer')}" }\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n`);
    await writeFile(
      join(dir, 'node.hcl'),
      `storage "file" { path = "${join(dir, 'node')}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nseal "transit" {\n  address = "${unsealerUrl}"\n  key_name = "autounseal"\n  mount_path = "transit/"\n}\n`,
    );
    await startUnsealer();
    const init = await call(unsealerUrl, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
    unsealerKey = init.body.keys_base64[0];
    rootToken = init.body.root_token;
    await call(unsealerUrl, 'PUT', 'sys/unseal', { key: unsealerKey });
    await unsealer!.node.waitActive();
    assert.equal((await call(unsealerUrl, 'POST', 'sys/mounts/transit', { type: 'transit' }, rootToken)).status, 204);
    assert.ok((await call(unsealerUrl, 'POST', 'transit/keys/autounseal', {}, rootToken)).status < 300);
    await call(unsealerUrl, 'PUT', 'sys/policy/autounseal', { policy: 'path "transit/encrypt/autounseal" { capabilities = ["update"] }\npath "transit/decrypt/autounseal" { capabilities = ["update"] }' }, rootToken);
    // A short, renewable token: the node must renew it to keep it.
    const tok = await call(unsealerUrl, 'POST', 'auth/token/create', { policies: ['autounseal'], ttl: '4s', no_default_policy: false }, rootToken);
    sealToken = tok.body.auth.client_token;
  });
  after(async () => {
    for (const s of servers) await s.close();
    await unsealer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('init returns recovery keys; the node unseals with the transit key and renews its token', async () => {
    const node = await startNode();
    const url = node.addresses[0]!;
    const init = await call(url, 'PUT', 'sys/init', {});
    assert.equal(init.status, 200, JSON.stringify(init.body));
    assert.equal(init.body.recovery_keys.length, 5);
    assert.deepEqual(init.body.keys, []);
    const status = (await call(url, 'GET', 'sys/seal-status')).body;
    assert.equal(status.type, 'transit');
    assert.equal(status.recovery_seal, true);
    assert.equal(status.sealed, false);
    // Past the token's 4 s TTL: renewal kept it alive.
    await new Promise((r) => setTimeout(r, 5000));
    const look = await call(unsealerUrl, 'POST', 'auth/token/lookup', { token: sealToken }, rootToken);
    assert.equal(look.status, 200, JSON.stringify(look.body));
    await node.close();
  });

  it('with the unsealer down the node stays sealed, says why and retries; it unseals once the unsealer is back', async () => {
    // A token that outlives the outage: nobody renews it while the unsealer is down.
    sealToken = (await call(unsealerUrl, 'POST', 'auth/token/create', { policies: ['autounseal'], ttl: '1h' }, rootToken)).body.auth.client_token;
    await unsealer!.close();
    unsealer = null;
    const node = await startNode();
    const url = node.addresses[0]!;
    await until(async () => ((await call(url, 'GET', 'sys/seal-status')).body.warnings ?? []).length > 0, 'a warning in sys/seal-status');
    const status = (await call(url, 'GET', 'sys/seal-status')).body;
    assert.equal(status.sealed, true);
    assert.equal(status.initialized, true);
    assert.match(status.warnings[0], /transit seal at http:\/\/127\.0\.0\.1:\d+ unreachable/);
    assert.equal((await call(url, 'GET', 'sys/health')).status, 503);
    await startUnsealer();
    // A sealed unsealer answers 503: still retrying.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(node.node.isSealed(), true);
    await call(unsealerUrl, 'PUT', 'sys/unseal', { key: unsealerKey });
    await until(() => !node.node.isSealed(), 'the node to unseal', 20_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify((await call(url, 'GET', 'sys/seal-status')).body.warnings)}`);
    });
    await node.node.waitActive(10_000);
    assert.equal((await call(url, 'GET', 'sys/seal-status')).body.warnings, undefined);
  });
});
