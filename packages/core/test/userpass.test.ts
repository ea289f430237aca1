import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import type { Node } from '../src/node.js';
import { hashPassword } from '../src/credential/userpass-password.js';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import { allKeys } from './support/storage-keys.js';

const BAD_LOGIN = { name: 'InvalidRequestError', code: 'invalid_request', message: 'invalid username or password' };

describe('userpass auth method', () => {
  let core: Node;
  let root: string;
  let storage: InmemBackend;
  const login = (user: string, password: unknown, token = '') => request(core, 'update', `auth/userpass/login/${user}`, token, { password });

  before(async () => {
    storage = new InmemBackend();
    ({ core, rootToken: root } = await testCoreUnsealed({ storage }));
    await request(core, 'update', 'sys/auth/userpass', root, { type: 'userpass' });
    await request(core, 'update', 'sys/policy/dev', root, { policy: 'path "secret/data/dev/*" { capabilities = ["create", "read", "update"] }' });
  });
  after(async () => core.shutdown());

  it('is listed as an auth method once enabled', async () => {
    const mounts = await request(core, 'read', 'sys/auth', root);
    assert.equal((mounts.data?.['userpass/'] as { type: string }).type, 'userpass');
  });

  it('logs a user in with a working token carrying default, its policies and its username', async () => {
    await request(core, 'update', 'auth/userpass/users/bob', root, { password: 's3cret', token_policies: 'dev', token_ttl: '1h' });
    const resp = await login('bob', 's3cret');
    const auth = resp.auth!;
    assert.ok(auth.clientToken);
    assert.deepEqual(auth.policies, ['default', 'dev']);
    assert.deepEqual(auth.metadata, { username: 'bob' });
    assert.equal(auth.leaseDuration, 3600);
    assert.equal(auth.renewable, true);

    const self = await request(core, 'read', 'auth/token/lookup-self', auth.clientToken!);
    assert.equal(self.data?.path, 'auth/userpass/login/bob');
    assert.equal(self.data?.display_name, 'userpass-bob');
    assert.deepEqual(self.data?.meta, { username: 'bob' });
    // The token works under its policies, and only there.
    await request(core, 'update', 'secret/data/dev/app', auth.clientToken!, { data: { k: 'v' } });
    await assert.rejects(request(core, 'read', 'secret/data/ops/app', auth.clientToken!), PermissionDeniedError);
  });

  it('gives the same 400 for a wrong password and an unknown user, in similar time', async () => {
    await request(core, 'update', 'auth/userpass/users/timing', root, { password: 'right' });
    await assert.rejects(login('timing', 'wrong'), BAD_LOGIN);
    await assert.rejects(login('nobody', 'wrong'), BAD_LOGIN);
    const time = async (user: string): Promise<number> => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 3; i++) await login(user, 'wrong').catch(() => undefined);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const wrong = await time('timing');
    const unknown = await time('nobody');
    // Both run one scrypt of the same cost; an unknown user answering much faster would reveal who exists.
    assert.ok(unknown > wrong / 3 && unknown < wrong * 3, `unknown user ${unknown} ms vs wrong password ${wrong} ms`);
  });

  it('needs no token to log in, and refuses a missing password or a malformed body with a 400', async () => {
    await request(core, 'update', 'auth/userpass/users/carol', root, { password: 'pw' });
    const resp = await login('carol', 'pw', 'not-a-token');
    assert.ok(resp.auth?.clientToken);
    await assert.rejects(login('carol', ''), { code: 'invalid_request', message: 'missing password' });
    await assert.rejects(login('carol', { x: 1 }), InvalidRequestError);
  });

  it('lower-cases usernames on write, read and login', async () => {
    await request(core, 'update', 'auth/userpass/users/Dave', root, { password: 'pw', policies: 'Dev, ops' });
    const read = await request(core, 'read', 'auth/userpass/users/DAVE', root);
    assert.deepEqual(read.data?.token_policies, ['dev', 'ops']);
    const resp = await login('DaVe', 'pw');
    assert.deepEqual(resp.auth?.metadata, { username: 'dave' });
    const list = await request(core, 'list', 'auth/userpass/users', root);
    assert.ok((list.data?.keys as string[]).includes('dave'));
  });

  it('shows the token settings on read, never the password', async () => {
    await request(core, 'update', 'auth/userpass/users/erin', root, {
      password: 'hunter2-erin',
      token_policies: ['a', 'b'],
      token_ttl: 600,
      token_max_ttl: '2h',
      token_num_uses: 5,
      token_no_default_policy: true,
    });
    const read = await request(core, 'read', 'auth/userpass/users/erin', root);
    assert.deepEqual(read.data, {
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 7200,
      token_no_default_policy: true,
      token_num_uses: 5,
      token_period: 0,
      token_policies: ['a', 'b'],
      token_ttl: 600,
      token_type: 'default',
    });
    assert.ok(!JSON.stringify(read).includes('hunter2'));
    assert.ok(!JSON.stringify(read).includes('scrypt'));
    const resp = await login('erin', 'hunter2-erin');
    assert.deepEqual(resp.auth?.policies, ['a', 'b']);
    assert.equal(resp.auth?.leaseDuration, 600);
    assert.equal(resp.auth?.numUses, 5);
  });

  it('never stores the password, encrypted or decrypted', async () => {
    const password = 'plain-text-canary-4711';
    await request(core, 'update', 'auth/userpass/users/frank', root, { password });
    const mount = (await request(core, 'read', 'sys/auth', root)).data?.['userpass/'] as { uuid: string };
    const prefix = `auth/${mount.uuid}/`;
    const keys = await allKeys(core.barrier, prefix);
    assert.ok(keys.includes(`${prefix}user/frank`));
    for (const k of keys) {
      const plain = Buffer.from((await core.barrier.get(k))!).toString('utf8');
      assert.ok(!plain.includes(password), `${k} holds the password`);
      if (k.endsWith('/frank')) assert.match(plain, /\$scrypt\$ln=\d+,r=\d+,p=\d+\$/);
    }
    for (const k of await allKeys(storage)) assert.ok(!Buffer.from((await storage.get(k))!).includes(password));
  });

  it('changes a password and policies through their own paths', async () => {
    await request(core, 'update', 'auth/userpass/users/gina', root, { password: 'old', token_policies: 'dev' });
    await request(core, 'update', 'auth/userpass/users/gina/password', root, { password: 'new' });
    await assert.rejects(login('gina', 'old'), BAD_LOGIN);
    assert.ok((await login('gina', 'new')).auth?.clientToken);
    await request(core, 'update', 'auth/userpass/users/gina/policies', root, { token_policies: ['ops'] });
    assert.deepEqual((await login('gina', 'new')).auth?.policies, ['default', 'ops']);
    await assert.rejects(request(core, 'update', 'auth/userpass/users/ghost/password', root, { password: 'x' }), { message: 'username does not exist' });
    await assert.rejects(request(core, 'update', 'auth/userpass/users/gina/password', root, {}), { message: 'missing password' });
  });

  it('refuses renewal once the user is deleted or its policies changed', async () => {
    await request(core, 'update', 'auth/userpass/users/hank', root, { password: 'pw', token_policies: 'dev' });
    const token = (await login('hank', 'pw')).auth!.clientToken!;
    const renewed = await request(core, 'update', 'auth/token/renew-self', token, { increment: 60 });
    assert.equal(renewed.auth?.leaseDuration, 60);

    await request(core, 'update', 'auth/userpass/users/hank/policies', root, { token_policies: 'ops' });
    await assert.rejects(request(core, 'update', 'auth/token/renew-self', token), /policies have changed/);

    await request(core, 'update', 'auth/userpass/users/hank/policies', root, { token_policies: 'dev' });
    await request(core, 'update', 'auth/token/renew-self', token);
    await request(core, 'delete', 'auth/userpass/users/hank', root);
    await assert.rejects(login('hank', 'pw'), BAD_LOGIN);
    await assert.rejects(request(core, 'update', 'auth/token/renew', root, { token }), InvalidRequestError);
    assert.equal((await request(core, 'read', 'auth/userpass/users/hank', root)).raw?.status, 404);
  });

  it('accepts an scrypt password_hash instead of a password', async () => {
    await request(core, 'update', 'auth/userpass/users/ivy', root, { password_hash: await hashPassword('from-hash', { ln: 10, r: 8, p: 1 }) });
    assert.ok((await login('ivy', 'from-hash')).auth?.clientToken);
    await assert.rejects(request(core, 'update', 'auth/userpass/users/ivy2', root, { password_hash: '$2a$10$abcdefghijklmnopqrstuv' }), InvalidRequestError);
    await assert.rejects(request(core, 'update', 'auth/userpass/users/ivy3', root, { password: 'x', password_hash: 'y' }), /only one of/);
  });

  it('refuses imported hashes whose scrypt cost would exhaust memory or CPU (ln=20,r=32 is 4 GiB a login)', async () => {
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
    const key = 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U';
    for (const params of ['ln=20,r=32,p=1', 'ln=17,r=16,p=1', 'ln=16,r=8,p=16', 'ln=20,r=8,p=1']) {
      await assert.rejects(
        request(core, 'update', 'auth/userpass/users/costly', root, { password_hash: `$scrypt$${params}$${salt}$${key}` }),
        InvalidRequestError,
        params,
      );
    }
    await request(core, 'update', 'auth/userpass/users/fair', root, { password_hash: `$scrypt$ln=16,r=8,p=1$${salt}$${key}` });
  });

  it('runs logins through a bounded queue: a flood beyond it is a 429, not unbounded memory', async () => {
    await request(core, 'update', 'auth/userpass/users/flood', root, { password: 'pw' });
    const results = await Promise.allSettled(Array.from({ length: 120 }, () => login('flood', 'wrong')));
    const refused = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'rate_limited').length;
    const bad = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'invalid_request').length;
    assert.ok(refused > 0, 'some were turned away');
    assert.equal(refused + bad, 120);
    assert.ok((await login('flood', 'pw')).auth?.clientToken, 'the queue drains and serves again');
  });

  it('refuses bad user settings with a 400', async () => {
    const write = (data: Record<string, unknown>) => request(core, 'update', 'auth/userpass/users/jay', root, data);
    await assert.rejects(write({ token_policies: 'dev' }), { message: 'missing password' });
    await assert.rejects(write({ password: 'x', token_ttl: 'soon' }), InvalidRequestError);
    await assert.rejects(write({ password: 'x', token_ttl: '2h', token_max_ttl: '1h' }), /cannot be greater/);
    await assert.rejects(write({ password: 'x', token_num_uses: -1 }), /cannot be negative/);
    await assert.rejects(write({ password: 'x', token_type: 'batch' }), InvalidRequestError);
    await assert.rejects(write({ password: 'x', token_type: 'bogus' }), InvalidRequestError);
    await assert.rejects(write({ password: 'x', policies: 'a', token_policies: 'b' }), /cannot specify both/);
    await assert.rejects(write({ password: ['x'] }), InvalidRequestError);
    assert.equal((await request(core, 'read', 'auth/userpass/users/jay', root)).raw?.status, 404);
  });

  it('lets only privileged tokens manage users', async () => {
    const token = (await login('bob', 's3cret')).auth!.clientToken!;
    await assert.rejects(request(core, 'list', 'auth/userpass/users', token), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'auth/userpass/users/mallory', token, { password: 'x' }), PermissionDeniedError);
  });
});

describe('userpass logins and the auth mount tuning', () => {
  it("takes the tuned mount's default and max lease TTL", async () => {
    const { core, rootToken } = await testCoreUnsealed();
    try {
      await request(core, 'update', 'sys/auth/tuned', rootToken, { type: 'userpass', config: { default_lease_ttl: '1h', max_lease_ttl: '2h' } });
      await request(core, 'update', 'auth/tuned/users/amy', rootToken, { password: 'pw-amy-123' });
      await request(core, 'update', 'auth/tuned/users/ben', rootToken, { password: 'pw-ben-123', token_ttl: '5h' });
      const amy = await request(core, 'update', 'auth/tuned/login/amy', '', { password: 'pw-amy-123' });
      assert.equal(amy.auth?.leaseDuration, 3600);
      const ben = await request(core, 'update', 'auth/tuned/login/ben', '', { password: 'pw-ben-123' });
      assert.equal(ben.auth?.leaseDuration, 7200);
    } finally {
      await core.shutdown();
    }
  });
});
