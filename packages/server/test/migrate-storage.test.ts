import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ConfigError, migrateStorage, runServer } from '../src/index.js';

function serverConfig(dataDir: string): string {
  return `storage "file" { path = "${dataDir}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`;
}

describe('migrateStorage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strongroom-migrate-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('copies a node to new storage that opens with the same unseal key and root token', async () => {
    const quiet = new PassThrough().resume();
    await writeFile(join(dir, 'a.hcl'), serverConfig(join(dir, 'a')));
    const a = await runServer({ configPaths: [join(dir, 'a.hcl')], stdout: quiet, env: {} });
    let key: string;
    let token: string;
    try {
      const url = a.addresses[0]!;
      const init = (await (await fetch(`${url}/v1/sys/init`, { method: 'PUT', body: '{"secret_shares":1,"secret_threshold":1}' })).json()) as {
        keys_base64: string[];
        root_token: string;
      };
      key = init.keys_base64[0]!;
      token = init.root_token;
      await fetch(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
      await a.node.waitActive();
      await fetch(`${url}/v1/sys/mounts/kv`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: '{"type":"kv"}' });
      await fetch(`${url}/v1/kv/moved`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: '{"v":"yes"}' });
    } finally {
      await a.close();
    }

    const migration = join(dir, 'migrate.hcl');
    await writeFile(migration, `storage_source "file" { path = "${join(dir, 'a')}" }\nstorage_destination "file" { path = "${join(dir, 'b')}" }\n`);
    const copied = await migrateStorage(migration);
    assert.ok(copied > 0);

    await writeFile(join(dir, 'b.hcl'), serverConfig(join(dir, 'b')));
    const b = await runServer({ configPaths: [join(dir, 'b.hcl')], stdout: quiet, env: {} });
    try {
      const url = b.addresses[0]!;
      await fetch(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
      await b.node.waitActive();
      const read = (await (await fetch(`${url}/v1/kv/moved`, { headers: { 'X-Vault-Token': token } })).json()) as { data: unknown };
      assert.deepEqual(read.data, { v: 'yes' });
    } finally {
      await b.close();
    }

    // The destination now holds data: a second run refuses rather than merging.
    await assert.rejects(migrateStorage(migration), (err: unknown) => err instanceof ConfigError && /not empty/.test(err.message));
  });

  it('refuses a configuration without both blocks', async () => {
    const cfg = join(dir, 'half.hcl');
    await writeFile(cfg, `storage_source "file" { path = "${join(dir, 'a')}" }\n`);
    await assert.rejects(migrateStorage(cfg), (err: unknown) => err instanceof ConfigError && /storage_destination/.test(err.message));
  });
});
