import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import type { Node } from '../src/node.js';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import { allKeys } from './support/storage-keys.js';

const BAD_LOGIN = { name: 'InvalidRequestError', code: 'invalid_request', message: 'invalid role or secret ID' };

describe('approle auth method', () => {
  let core: Node;
  let root: string;
  let storage: InmemBackend;
  let now = Date.UTC(2025, 0, 1);
  const login = (data: Record<string, unknown>, token = '', remoteAddress = '127.0.0.1') => request(core, 'update', 'auth/approle/login', token, data, { remoteAddress });
  const roleId = async (role: string) => (await request(core, 'read', `auth/approle/role/${role}/role-id`, root)).data?.role_id as string;
  const newSecretId = async (role: string, data: Record<string, unknown> = {}) =>
    (await request(core, 'update', `auth/approle/role/${role}/secret-id`, root, data)).data as {
      secret_id: string;
      secret_id_accessor: string;
      secret_id_ttl: number;
      secret_id_num_uses: number;
    };

  before(async () => {
    storage = new InmemBackend();
    ({ core, rootToken: root } = await testCoreUnsealed({ storage, clock: { now: () => new Date(now) } }));
    await request(core, 'update', 'sys/auth/approle', root, { type: 'approle' });
    await request(core, 'update', 'sys/policy/dev', root, { policy: 'path "secret/data/dev/*" { capabilities = ["create", "read", "update"] }' });
  });
  after(async () => core.shutdown());

  it('logs a role in with a working token carrying default, its policies and role_name', async () => {
    await request(core, 'update', 'auth/approle/role/web', root, { token_policies: 'dev', token_ttl: '1h', secret_id_ttl: '10m' });
    const id = await roleId('web');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const secret = await newSecretId('web', { metadata: JSON.stringify({ team: 'blue' }) });
    assert.equal(secret.secret_id_ttl, 600);
    assert.equal(secret.secret_id_num_uses, 0);

    const auth = (await login({ role_id: id, secret_id: secret.secret_id }, 'not-a-token')).auth!;
    assert.ok(auth.clientToken);
    assert.deepEqual(auth.policies, ['default', 'dev']);
    assert.deepEqual(auth.metadata, { role_name: 'web', team: 'blue' });
    assert.equal(auth.leaseDuration, 3600);
    const self = await request(core, 'read', 'auth/token/lookup-self', auth.clientToken!);
    assert.equal(self.data?.path, 'auth/approle/login');
    await request(core, 'update', 'secret/data/dev/app', auth.clientToken!, { data: { k: 'v' } });
    await assert.rejects(request(core, 'read', 'secret/data/ops/app', auth.clientToken!), PermissionDeniedError);
    // Renewal works while the role exists.
    await request(core, 'update', 'auth/token/renew-self', auth.clientToken!);
  });

  it('reads, lists and deletes roles, and sets a custom role ID', async () => {
    await request(core, 'update', 'auth/approle/role/Batch', root, { policies: 'a,b', secret_id_num_uses: 3 });
    const read = await request(core, 'read', 'auth/approle/role/batch', root);
    assert.equal(read.data?.bind_secret_id, true);
    assert.equal(read.data?.secret_id_num_uses, 3);
    assert.deepEqual(read.data?.token_policies, ['a', 'b']);
    const list = await request(core, 'list', 'auth/approle/role', root);
    assert.ok((list.data?.keys as string[]).includes('batch'));

    await request(core, 'update', 'auth/approle/role/batch/role-id', root, { role_id: 'custom-batch-id' });
    assert.equal(await roleId('batch'), 'custom-batch-id');
    await assert.rejects(request(core, 'update', 'auth/approle/role/web/role-id', root, { role_id: 'custom-batch-id' }), /already in use/);
    const secret = await newSecretId('batch');
    assert.equal(secret.secret_id_num_uses, 3);
    assert.ok((await login({ role_id: 'custom-batch-id', secret_id: secret.secret_id })).auth?.clientToken);

    await request(core, 'delete', 'auth/approle/role/batch', root);
    assert.equal((await request(core, 'read', 'auth/approle/role/batch', root)).raw?.status, 404);
    await assert.rejects(login({ role_id: 'custom-batch-id', secret_id: secret.secret_id }), BAD_LOGIN);
  });

  it('consumes a secret ID with num_uses 1 on its first login', async () => {
    const secret = await newSecretId('web', { num_uses: 1 });
    assert.equal(secret.secret_id_num_uses, 1);
    const id = await roleId('web');
    assert.ok((await login({ role_id: id, secret_id: secret.secret_id })).auth?.clientToken);
    await assert.rejects(login({ role_id: id, secret_id: secret.secret_id }), BAD_LOGIN);
  });

  it('refuses a secret ID once its ttl has passed', async () => {
    const secret = await newSecretId('web', { ttl: '30s' });
    const id = await roleId('web');
    const lookup = await request(core, 'update', 'auth/approle/role/web/secret-id/lookup', root, { secret_id: secret.secret_id });
    assert.equal(lookup.data?.secret_id_ttl, 30);
    now += 31_000;
    await assert.rejects(login({ role_id: id, secret_id: secret.secret_id }), BAD_LOGIN);
    await assert.rejects(newSecretId('web', { ttl: '1h' }), /cannot be longer/);
  });

  it('destroys a secret ID by value and by accessor', async () => {
    const id = await roleId('web');
    const a = await newSecretId('web');
    const b = await newSecretId('web');
    const keys = (await request(core, 'list', 'auth/approle/role/web/secret-id', root)).data?.keys as string[];
    assert.ok(keys.includes(a.secret_id_accessor) && keys.includes(b.secret_id_accessor));
    const byAccessor = await request(core, 'update', 'auth/approle/role/web/secret-id-accessor/lookup', root, { secret_id_accessor: b.secret_id_accessor });
    assert.equal(byAccessor.data?.secret_id_accessor, b.secret_id_accessor);
    assert.ok(!JSON.stringify(byAccessor).includes(b.secret_id));

    await request(core, 'update', 'auth/approle/role/web/secret-id/destroy', root, { secret_id: a.secret_id });
    await assert.rejects(login({ role_id: id, secret_id: a.secret_id }), BAD_LOGIN);
    await request(core, 'update', 'auth/approle/role/web/secret-id-accessor/destroy', root, { secret_id_accessor: b.secret_id_accessor });
    await assert.rejects(login({ role_id: id, secret_id: b.secret_id }), BAD_LOGIN);
    const after = (await request(core, 'list', 'auth/approle/role/web/secret-id', root)).data?.keys as string[] | undefined;
    assert.ok(!after?.includes(a.secret_id_accessor) && !after?.includes(b.secret_id_accessor));
    await assert.rejects(
      request(core, 'update', 'auth/approle/role/web/secret-id-accessor/lookup', root, { secret_id_accessor: b.secret_id_accessor }),
      InvalidRequestError,
    );
  });

  it('logs in with the role ID alone when bind_secret_id is off and the network is bound', async () => {
    await request(core, 'update', 'auth/approle/role/open', root, { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8', token_policies: 'dev' });
    const auth = (await login({ role_id: await roleId('open') })).auth!;
    assert.deepEqual(auth.policies, ['default', 'dev']);
    assert.deepEqual(auth.metadata, { role_name: 'open' });
    await assert.rejects(newSecretId('open'), /bind_secret_id is not set/);
  });

  it('refuses a role without a secret ID and without a bound CIDR, and checks the bound CIDRs at login', async () => {
    await assert.rejects(request(core, 'update', 'auth/approle/role/unbound', root, { bind_secret_id: false }), /at least one constraint/);
    assert.equal((await request(core, 'read', 'auth/approle/role/unbound', root)).data, undefined);
    await assert.rejects(request(core, 'update', 'auth/approle/role/badcidr', root, { secret_id_bound_cidrs: '10.0.0.0/33' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'auth/approle/role/badcidr', root, { token_bound_cidrs: 'not-an-ip' }), InvalidRequestError);
    await request(core, 'update', 'auth/approle/role/netonly', root, { bind_secret_id: false, token_bound_cidrs: '10.1.0.0/16,::1' });
    const id = await roleId('netonly');
    assert.ok((await login({ role_id: id }, '', '10.1.2.3')).auth);
    assert.ok((await login({ role_id: id }, '', '::ffff:10.1.2.3')).auth);
    assert.ok((await login({ role_id: id }, '', '::1')).auth);
    await assert.rejects(login({ role_id: id }, '', '10.2.0.1'), PermissionDeniedError);
    await assert.rejects(login({ role_id: id }, '', ''), PermissionDeniedError);
    // With a secret ID too, the CIDRs still apply.
    await request(core, 'update', 'auth/approle/role/both', root, { secret_id_bound_cidrs: '192.168.0.0/24' });
    const s = await newSecretId('both');
    await assert.rejects(login({ role_id: await roleId('both'), secret_id: s.secret_id }), PermissionDeniedError);
    assert.ok((await login({ role_id: await roleId('both'), secret_id: s.secret_id }, '', '192.168.0.9')).auth);
    assert.deepEqual((await request(core, 'read', 'auth/approle/role/both', root)).data?.secret_id_bound_cidrs, ['192.168.0.0/24']);
  });

  it('binds the issued token to token_bound_cidrs: from elsewhere it is no token', async () => {
    await request(core, 'update', 'auth/approle/role/bound', root, { bind_secret_id: false, token_bound_cidrs: '10.9.0.0/16', token_policies: 'dev' });
    const token = (await login({ role_id: await roleId('bound') }, '', '10.9.1.1')).auth!.clientToken!;
    const self = (from: string) => request(core, 'read', 'auth/token/lookup-self', token, {}, { remoteAddress: from });
    assert.equal((await self('10.9.8.7')).data?.id, token);
    await assert.rejects(self('10.10.0.1'), PermissionDeniedError);
    await assert.rejects(self(''), PermissionDeniedError);
  });

  it('gives the same 400 for a wrong role ID or secret ID, and refuses bad input with a 400', async () => {
    const secret = await newSecretId('web');
    await assert.rejects(login({ role_id: 'no-such-role-id', secret_id: secret.secret_id }), BAD_LOGIN);
    await assert.rejects(login({ role_id: await roleId('web'), secret_id: 'no-such-secret-id' }), BAD_LOGIN);
    await assert.rejects(login({ role_id: await roleId('web') }), { code: 'invalid_request', message: 'missing secret_id' });
    await assert.rejects(login({}), { code: 'invalid_request', message: 'missing role_id' });
    await assert.rejects(login({ role_id: { x: 1 } }), InvalidRequestError);
    await assert.rejects(newSecretId('web', { metadata: '{"a":1}' }), InvalidRequestError);
    await assert.rejects(newSecretId('web', { metadata: 'not json' }), InvalidRequestError);
    await assert.rejects(newSecretId('ghost'), /does not exist/);
    await assert.rejects(request(core, 'update', 'auth/approle/role/bad', root, { secret_id_num_uses: -1 }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'auth/approle/role/bad', root, { token_type: 'batch' }), InvalidRequestError);
  });

  it('never stores a raw secret ID, nor names a credential in a storage key', async () => {
    await request(core, 'update', 'auth/approle/role/canary', root, {});
    await request(core, 'update', 'auth/approle/role/canary/role-id', root, { role_id: 'role-id-canary-4711' });
    const { secret_id } = await newSecretId('canary');
    const mount = (await request(core, 'read', 'sys/auth', root)).data?.['approle/'] as { uuid: string };
    const prefix = `auth/${mount.uuid}/`;
    const keys = await allKeys(core.barrier, prefix);
    assert.ok(keys.some((k) => k.startsWith(`${prefix}secret_id/canary/`)));
    for (const k of keys) {
      assert.ok(!k.includes(secret_id) && !k.includes('role-id-canary'), `${k} names a credential`);
      const plain = Buffer.from((await core.barrier.get(k))!).toString('utf8');
      assert.ok(!plain.includes(secret_id), `${k} holds the secret ID`);
    }
    for (const k of await allKeys(storage)) assert.ok(!Buffer.from((await storage.get(k))!).includes(secret_id));
  });

  it('lets only privileged tokens manage roles', async () => {
    await request(core, 'update', 'auth/approle/role/priv', root, { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.1/32' });
    const token = (await login({ role_id: await roleId('priv') })).auth!.clientToken!;
    await assert.rejects(request(core, 'list', 'auth/approle/role', token), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'auth/approle/role/priv/secret-id', token), PermissionDeniedError);
  });
});
