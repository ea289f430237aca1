// Tuning as Vault's clients do it: `vault secrets tune` and `vault auth tune` send api.MountConfigInput, where a TTL
// the operator did not give is "" and `auth tune` goes through sys/mounts/auth/<path>/tune.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

/** The body `vault secrets tune` / `vault auth tune` sends with only the TTL flags given. */
const goTune = (ttls: { default_lease_ttl?: string; max_lease_ttl?: string }): Record<string, unknown> => ({
  options: null,
  default_lease_ttl: '',
  max_lease_ttl: '',
  force_no_cache: false,
  ...ttls,
});

describe('mount tuning', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    await request(core, 'update', 'sys/mounts/t1', root, { type: 'kv' });
    await request(core, 'update', 'sys/auth/userpass', root, { type: 'userpass' });
  });
  after(async () => core.shutdown());

  const ttls = async (path: string): Promise<[unknown, unknown]> => {
    const r = await request(core, 'read', path, root);
    return [r.data?.default_lease_ttl, r.data?.max_lease_ttl];
  };

  it('keeps a TTL sent as "" and changes only the one given', async () => {
    await request(core, 'update', 'sys/mounts/t1/tune', root, goTune({ default_lease_ttl: '1h' }));
    assert.deepEqual(await ttls('sys/mounts/t1/tune'), [3600, 768 * 3600]);
    await request(core, 'update', 'sys/mounts/t1/tune', root, goTune({ max_lease_ttl: '2h' }));
    assert.deepEqual(await ttls('sys/mounts/t1/tune'), [3600, 7200]);
    // Nothing given: nothing changes.
    await request(core, 'update', 'sys/mounts/t1/tune', root, goTune({}));
    assert.deepEqual(await ttls('sys/mounts/t1/tune'), [3600, 7200]);
  });

  it('refuses a max below the mount\'s default, with Vault\'s message, and changes nothing', async () => {
    await assert.rejects(request(core, 'update', 'sys/mounts/t1/tune', root, goTune({ max_lease_ttl: '30m' })), (err: Error) => {
      assert.ok(err instanceof InvalidRequestError);
      assert.equal(err.message, 'backend max lease TTL of 1800 would be less than backend default lease TTL of 3600');
      return true;
    });
    assert.deepEqual(await ttls('sys/mounts/t1/tune'), [3600, 7200]);
  });

  it('"system" resets a TTL to the system value', async () => {
    await request(core, 'update', 'sys/mounts/t1/tune', root, goTune({ default_lease_ttl: 'system' }));
    assert.deepEqual(await ttls('sys/mounts/t1/tune'), [768 * 3600, 7200]);
    const mount = await request(core, 'read', 'sys/mounts/t1', root);
    assert.equal((mount.data?.config as Record<string, unknown>).default_lease_ttl, 0);
  });

  it('tunes and reads an auth method through sys/mounts/auth/<path>/tune, as `vault auth tune` does', async () => {
    await request(core, 'update', 'sys/mounts/auth/userpass/tune', root, goTune({ default_lease_ttl: '1h' }));
    assert.deepEqual(await ttls('sys/auth/userpass/tune'), [3600, 768 * 3600]);
    const viaMounts = await request(core, 'read', 'sys/mounts/auth/userpass/tune', root);
    assert.equal(viaMounts.data?.default_lease_ttl, 3600);
    assert.equal(viaMounts.data?.token_type, 'default-service');
    await request(core, 'update', 'sys/mounts/auth/userpass/tune/', root, goTune({ max_lease_ttl: '2h' }));
    assert.deepEqual(await ttls('sys/auth/userpass/tune'), [3600, 7200]);
    await assert.rejects(request(core, 'read', 'sys/mounts/auth/nowhere/tune', root), InvalidRequestError);
    // The secrets table has no mount named auth/...: the route is never read as a secrets engine.
    await assert.rejects(request(core, 'update', 'sys/mounts/auth/nowhere/tune', root, goTune({ default_lease_ttl: '1h' })), InvalidRequestError);
  });

  it("a tuned default TTL is what a kv v1 read reports at once, without a remount (hvac's session checks it)", async () => {
    await request(core, 'update', 'sys/mounts/t2', root, { type: 'kv', options: { version: '1' } });
    await request(core, 'update', 't2/k', root, { v: 1 });
    assert.equal((await request(core, 'read', 't2/k', root)).secret?.ttl, 768 * 3600);
    await request(core, 'update', 'sys/mounts/t2/tune', root, goTune({ default_lease_ttl: '1h' }));
    assert.equal((await request(core, 'read', 't2/k', root)).secret?.ttl, 3600);
  });
});
