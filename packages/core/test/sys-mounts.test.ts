import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';

describe('sys/mounts', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('lists the default mounts with Vault\'s entry shape', async () => {
    const resp = await request(core, 'read', 'sys/mounts', root);
    const data = resp.data as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(data).sort(), ['cubbyhole/', 'secret/', 'sys/']);
    const secret = data['secret/']!;
    assert.equal(secret.type, 'kv');
    assert.deepEqual(secret.options, { version: '2' });
    assert.match(String(secret.accessor), /^kv_[0-9a-f]{8}$/);
    assert.deepEqual(secret.config, { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false });
    assert.equal(data['cubbyhole/']!.local, true);
  });

  it('enables a mount with durations in config, shows it, and disables it', async () => {
    await request(core, 'update', 'sys/mounts/app', root, {
      type: 'kv-v2',
      description: 'app secrets',
      config: { default_lease_ttl: '1h', max_lease_ttl: 7200 },
    });
    const one = await request(core, 'read', 'sys/mounts/app', root);
    assert.equal(one.data?.type, 'kv');
    assert.equal(one.data?.description, 'app secrets');
    assert.deepEqual(one.data?.options, { version: '2' });
    assert.deepEqual((one.data?.config as Record<string, unknown>).default_lease_ttl, 3600);
    assert.deepEqual((one.data?.config as Record<string, unknown>).max_lease_ttl, 7200);

    await request(core, 'update', 'app/data/x', root, { data: { a: '1' } });
    await request(core, 'delete', 'sys/mounts/app', root);
    const list = await request(core, 'read', 'sys/mounts', root);
    assert.equal((list.data as Record<string, unknown>)['app/'], undefined);
    // Disabling what is not mounted succeeds, as in Vault.
    await request(core, 'delete', 'sys/mounts/app', root);
  });

  it('refuses bad enable requests with a 400', async () => {
    const bad = async (path: string, data: Record<string, unknown>, msg: RegExp) =>
      assert.rejects(request(core, 'update', path, root, data), (err: unknown) => err instanceof InvalidRequestError && msg.test(err.message));
    await bad('sys/mounts/nokind', {}, /type must be specified/);
    await bad('sys/mounts/nokind', { type: 'nosuch' }, /plugin not found/);
    await bad('sys/mounts/secret', { type: 'kv' }, /already in use/);
    await bad('sys/mounts/sys/x', { type: 'kv' }, /reserved/);
    await bad('sys/mounts/x', { type: 'kv', config: { default_lease_ttl: 'soon' } }, /invalid duration/);
    await bad('sys/mounts/x', { type: 'kv', config: { default_lease_ttl: '2h', max_lease_ttl: '1h' } }, /greater than given max/);
    await bad('sys/mounts/x', { type: 'kv', config: { listing_visibility: 'everyone' } }, /listing_visibility/);
    await bad('sys/mounts/x', { type: 'kv', config: 'nope' }, /config/);
    await bad('sys/mounts/x', { type: 'kv', options: { version: { deep: 1 } } }, /options/);
    await bad('sys/mounts/a/../b', { type: 'kv' }, /invalid mount path/);
    await bad('sys/remount', { from: 'secret' }, /both 'from' and 'to'/);
    await assert.rejects(request(core, 'delete', 'sys/mounts/sys', root), InvalidRequestError);
    await assert.rejects(request(core, 'read', 'sys/mounts/nowhere', root), InvalidRequestError);
  });

  it('tunes TTLs, description and kv version, and reads the effective values back', async () => {
    await request(core, 'update', 'sys/mounts/tuned', root, { type: 'kv', options: { version: 1 } });
    const before = await request(core, 'read', 'sys/mounts/tuned/tune', root);
    assert.equal(before.data?.default_lease_ttl, 768 * 3600);
    assert.equal(before.data?.max_lease_ttl, 768 * 3600);
    assert.deepEqual(before.data?.options, { version: '1' });

    const resp = await request(core, 'update', 'sys/mounts/tuned/tune', root, {
      default_lease_ttl: '30m',
      max_lease_ttl: '1h',
      description: 'tuned',
      options: { version: '2' },
    });
    assert.ok(resp.warnings?.some((w) => /version 2/.test(w)));
    const after = await request(core, 'read', 'sys/mounts/tuned/tune', root);
    assert.equal(after.data?.default_lease_ttl, 1800);
    assert.equal(after.data?.max_lease_ttl, 3600);
    assert.equal(after.data?.description, 'tuned');
    assert.deepEqual(after.data?.options, { version: '2' });

    await request(core, 'update', 'sys/mounts/tuned/tune', root, { default_lease_ttl: 'system', max_lease_ttl: 'system' });
    const reset = await request(core, 'read', 'sys/mounts/tuned', root);
    assert.equal((reset.data?.config as Record<string, unknown>).max_lease_ttl, 0);

    await assert.rejects(request(core, 'update', 'sys/mounts/tuned/tune', root, { default_lease_ttl: '2h', max_lease_ttl: '1h' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/mounts/tuned/tune', root, { token_type: 'batch' }), InvalidRequestError);
    await assert.rejects(request(core, 'read', 'sys/mounts/absent/tune', root), InvalidRequestError);
  });

  it('needs a token with a policy on sys/mounts', async () => {
    await assert.rejects(request(core, 'read', 'sys/mounts', ''), PermissionDeniedError);
    const tok = await request(core, 'update', 'auth/token/create', root, { policies: ['default'] });
    await assert.rejects(request(core, 'read', 'sys/mounts', tok.auth!.clientToken!), PermissionDeniedError);
  });
});

describe('sys/auth', () => {
  let core: Node;
  let root: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('lists token/ with token_type in its config', async () => {
    const resp = await request(core, 'read', 'sys/auth', root);
    const token = (resp.data as Record<string, Record<string, unknown>>)['token/']!;
    assert.equal(token.type, 'token');
    assert.equal((token.config as Record<string, unknown>).token_type, 'default-service');
    const tune = await request(core, 'read', 'sys/auth/token/tune', root);
    assert.equal(tune.data?.token_type, 'default-service');
    assert.equal(tune.data?.default_lease_ttl, 768 * 3600);
  });

  it('refuses to disable token/', async () => {
    await assert.rejects(
      request(core, 'delete', 'sys/auth/token', root),
      (err: unknown) => err instanceof InvalidRequestError && err.message === 'token credential backend cannot be disabled',
    );
  });

  it('refuses unknown auth types and a missing type', async () => {
    await assert.rejects(request(core, 'update', 'sys/auth/foo', root, { type: 'nosuch' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/auth/foo', root, {}), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'sys/auth/foo', root, { type: 'token' }), InvalidRequestError);
  });

  it('needs sudo on sys/auth/*', async () => {
    await request(core, 'update', 'sys/policy/authread', root, { policy: 'path "sys/auth*" { capabilities = ["read", "update", "delete"] }' });
    const tok = (await request(core, 'update', 'auth/token/create', root, { policies: ['authread'] })).auth!.clientToken!;
    // Listing needs read only; the paths below need sudo too.
    const list = await request(core, 'read', 'sys/auth', tok);
    assert.ok((list.data as Record<string, unknown>)['token/']);
    await assert.rejects(request(core, 'read', 'sys/auth/token/tune', tok), PermissionDeniedError);
  });
});
