import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { silentLogger } from '../src/util/logger.js';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { ExpirationManager } from '../src/expiration/expiration-manager.js';
import type { Auth, Operation, Request, Response, Secret } from '../src/logical/request.js';
import { tokenBackend } from '../src/token/token-paths.js';
import { TokenStore, type AuthRenewer } from '../src/token/token-store.js';
import { ManualTime } from './support/manual-time.js';
import { allKeys } from './support/storage-keys.js';

async function setup() {
  const time = new ManualTime();
  const system = { defaultLeaseTTL: () => 3600, maxLeaseTTL: () => 86400, now: () => time.clock.now() };
  const tokenStorage = new InmemBackend();
  const expireStorage = new InmemBackend();
  const revokedSecrets: string[] = [];
  const revokedTokens: string[] = [];
  // The manager revokes tokens through the store built next, as the core wires them.
  const ref: { tokens?: TokenStore } = {};
  const expiration = new ExpirationManager({
    storage: expireStorage,
    clock: time.clock,
    logger: silentLogger,
    limits: system,
    timers: time,
    router: {
      revokeSecret: async (_path: string, secret: Secret) => {
        revokedSecrets.push(secret.leaseId ?? '');
      },
      renewSecret: async () => null,
      revokeToken: (id: string) => ref.tokens!.revokeTree(id),
    },
  });
  // What the auth methods answer on renewal; a test sets it.
  const renewer: { renewAuth?: AuthRenewer } = {};
  const tokens = new TokenStore({
    storage: tokenStorage,
    clock: time.clock,
    logger: silentLogger,
    expiration,
    systemView: system,
    timers: time,
    renewAuth: async (path, auth) => (renewer.renewAuth ? renewer.renewAuth(path, auth) : null),
    onRevoke: async (id) => {
      revokedTokens.push(id);
    },
  });
  ref.tokens = tokens;
  await tokens.setup();
  const backend = tokenBackend(tokens);
  const root = await tokens.createRoot();

  const call = async (
    path: string,
    data: Record<string, unknown> = {},
    o: { token?: string; op?: Operation; sudo?: boolean } = {},
  ): Promise<Response> => {
    const token = o.token ?? root.id;
    const entry = await tokens.lookupInFlight(token);
    const req: Request = {
      id: 'req',
      operation: o.op ?? 'update',
      path,
      data,
      clientToken: token,
      headers: {},
      mountPoint: 'auth/token/',
      rootPrivs: o.sudo ?? entry?.policies.includes('root') ?? false,
    };
    return (await backend.handleRequest(req)) ?? {};
  };
  const create = async (data: Record<string, unknown> = {}, o: { token?: string; sudo?: boolean; path?: string } = {}): Promise<Auth> => {
    const r = await call(o.path ?? 'create', data, o);
    assert.ok(r.auth, 'create returns an auth block');
    return r.auth;
  };
  return { time, tokens, renewer, expiration, backend, root, call, create, tokenStorage, expireStorage, revokedSecrets, revokedTokens };
}

describe('TokenStore: root and create', () => {
  it('creates a root token that never expires and cannot be renewed', async () => {
    const { tokens, root, call } = await setup();
    assert.deepEqual(root.policies, ['root']);
    assert.equal(root.ttl, 0);
    assert.equal(root.path, 'auth/token/root');
    assert.equal(root.parent, '');
    assert.match(root.id, /^hvs\.[0-9A-Za-z]{24}$/);
    assert.match(root.accessor, /^[0-9A-Za-z]{24}$/);
    assert.equal((await tokens.lookup(root.id))?.id, root.id);
    const data = (await call('lookup-self', {}, { op: 'read' })).data!;
    assert.equal(data.expire_time, null);
    assert.equal(data.ttl, 0);
    assert.equal(data.renewable, false);
    assert.equal(data.orphan, true);
    await assert.rejects(call('renew-self'), (e: unknown) => e instanceof InvalidRequestError && /not renewable/.test(e.message));
  });

  it('accepts a chosen root id once', async () => {
    const { tokens } = await setup();
    const r = await tokens.createRoot({ id: 'my-dev-root' });
    assert.equal((await tokens.lookup('my-dev-root'))?.accessor, r.accessor);
    await assert.rejects(tokens.createRoot({ id: 'my-dev-root' }), InvalidRequestError);
  });

  it('returns the auth block of a new child token', async () => {
    const { create, tokens, root } = await setup();
    const auth = await create({ policies: ['Dev', 'dev', 'ops'], display_name: 'my app', meta: { team: 'a' } });
    assert.match(auth.clientToken!, /^hvs\.[0-9A-Za-z]{24}$/);
    assert.match(auth.accessor!, /^[0-9A-Za-z]{24}$/);
    assert.deepEqual(auth.policies, ['default', 'dev', 'ops']);
    assert.deepEqual(auth.tokenPolicies, auth.policies);
    assert.deepEqual(auth.metadata, { team: 'a' });
    assert.equal(auth.leaseDuration, 3600);
    assert.equal(auth.renewable, true);
    assert.equal(auth.orphan, false);
    assert.equal(auth.numUses, 0);
    assert.equal(auth.tokenType, 'service');
    assert.equal(auth.entityId, '');
    const e = await tokens.lookup(auth.clientToken!);
    assert.equal(e?.displayName, 'token-my-app');
    assert.equal(e?.parent, root.id);
    assert.equal(e?.path, 'auth/token/create');
  });

  it('reports the lookup fields Vault reports', async () => {
    const { create, call, time } = await setup();
    const auth = await create({ ttl: '1h', period: 0 });
    await time.advance(10_000);
    const d = (await call('lookup', { token: auth.clientToken })).data!;
    assert.deepEqual(Object.keys(d).sort(), [
      'accessor', 'creation_time', 'creation_ttl', 'display_name', 'entity_id', 'expire_time', 'explicit_max_ttl', 'id',
      'identity_policies', 'issue_time', 'meta', 'num_uses', 'orphan', 'path', 'policies', 'renewable', 'ttl', 'type',
    ]);
    assert.equal(d.creation_ttl, 3600);
    assert.equal(d.ttl, 3590);
    assert.equal(d.expire_time, new Date(Date.UTC(2024, 0, 1) + 3600_000).toISOString());
    assert.equal(d.meta, null);
    assert.equal(d.type, 'service');
    const viaPath = (await call(`lookup/${auth.clientToken}`, {}, { op: 'read' })).data!;
    assert.equal(viaPath.accessor, d.accessor);
    const byAccessor = (await call('lookup-accessor', { accessor: d.accessor })).data!;
    assert.equal(byAccessor.id, '');
    assert.equal(byAccessor.accessor, d.accessor);
    await assert.rejects(call('lookup', { token: 'hvs.nope' }), PermissionDeniedError);
    await assert.rejects(call('lookup-accessor', { accessor: 'nope' }), InvalidRequestError);
  });

  it('enforces the create rules for non-root callers', async () => {
    const { create } = await setup();
    const parent = await create({ policies: ['dev'] });
    const as = { token: parent.clientToken!, sudo: false };
    const child = await create({ policies: ['dev'] }, as);
    assert.deepEqual(child.policies, ['default', 'dev']);
    const inherited = await create({}, as);
    assert.deepEqual(inherited.policies, ['default', 'dev']);
    const rejects = (data: Record<string, unknown>, re: RegExp) =>
      assert.rejects(create(data, as), (e: unknown) => e instanceof InvalidRequestError && re.test(e.message));
    await rejects({ policies: ['ops'] }, /subset of parent/);
    await rejects({ no_parent: true }, /root or sudo/);
    await rejects({ period: '1h' }, /root or sudo/);
    await rejects({ id: 'custom' }, /root or sudo/);
    await rejects({ policies: ['response-wrapping'] }, /subset|cannot assign/);
    await rejects({ num_uses: -1 }, /negative/);
    await rejects({ type: 'batch' }, /batch/);
    // sudo without root still cannot mint root tokens
    await assert.rejects(create({ policies: ['root'] }, { token: parent.clientToken!, sudo: true }), /root tokens may not be created/);
  });

  it('turns bad input into 400s', async () => {
    const { create } = await setup();
    await assert.rejects(create({ ttl: 'abc' }), InvalidRequestError);
    await assert.rejects(create({ meta: { a: 1 } }), InvalidRequestError);
    await assert.rejects(create({ id: 'a.b' }), InvalidRequestError);
    await assert.rejects(create({ policies: { a: 1 } }), InvalidRequestError);
    const first = await create({ id: 'fixed-id' });
    assert.equal(first.clientToken, 'fixed-id');
    await assert.rejects(create({ id: 'fixed-id' }), /duplicate/);
  });

  it('lets a root caller create orphans and periodic tokens', async () => {
    const { create, tokens } = await setup();
    const orphan = await create({ no_parent: true });
    assert.equal(orphan.orphan, true);
    const viaPath = await create({}, { path: 'create-orphan' });
    assert.equal((await tokens.lookup(viaPath.clientToken!))?.parent, '');
    const periodic = await create({ period: '2m', ttl: '1h' });
    assert.equal(periodic.leaseDuration, 120);
    const rootChild = await create({ policies: ['root'] });
    assert.equal(rootChild.leaseDuration, 0);
    assert.equal(rootChild.renewable, false);
    const expiringRoot = await create({ policies: ['root'], ttl: '1h' });
    await assert.rejects(create({ policies: ['root'] }, { token: expiringRoot.clientToken! }), /expiring root tokens cannot create non-expiring/);
  });
});

describe('TokenStore: revocation', () => {
  it('revokes a token, its children and their leases, but not orphans', async () => {
    const { create, tokens, expiration, call, revokedSecrets, revokedTokens } = await setup();
    const a = await create({ policies: ['dev'] });
    const b = await create({}, { token: a.clientToken!, sudo: false });
    const c = await create({}, { token: b.clientToken!, sudo: false });
    const orphan = await create({}, { token: a.clientToken!, sudo: true, path: 'create-orphan' });
    const resp: Response = { secret: { ttl: 600, renewable: true } };
    await expiration.register({ path: 'db/creds/ro', clientToken: b.clientToken! }, resp);

    await call('revoke', { token: a.clientToken });
    for (const t of [a, b, c]) assert.equal(await tokens.lookup(t.clientToken!), null);
    assert.ok(await tokens.lookup(orphan.clientToken!));
    assert.deepEqual(revokedSecrets, [resp.secret!.leaseId]);
    assert.equal(await expiration.lookup(resp.secret!.leaseId!), null);
    assert.deepEqual(new Set(revokedTokens), new Set([a.clientToken, b.clientToken, c.clientToken]));
    // the tokens' own leases are gone too; the orphan's stays
    assert.deepEqual(await expiration.listPrefix('auth/token/create/'), []);
    assert.equal((await expiration.listPrefix('auth/token/create-orphan/')).length, 1);
  });

  it('revoke-orphan keeps the children alive as orphans', async () => {
    const { create, tokens, call } = await setup();
    const a = await create({ policies: ['dev'] });
    const b = await create({}, { token: a.clientToken!, sudo: false });
    await assert.rejects(call('revoke-orphan', { token: a.clientToken }, { token: a.clientToken!, sudo: false }), InvalidRequestError);
    await call('revoke-orphan', { token: a.clientToken });
    assert.equal(await tokens.lookup(a.clientToken!), null);
    const child = (await call('lookup', { token: b.clientToken })).data!;
    assert.equal(child.orphan, true);
    await call('revoke', { token: b.clientToken });
    assert.equal(await tokens.lookup(b.clientToken!), null);
  });

  it('revokes by accessor and by self; unknown tokens are a no-op', async () => {
    const { create, tokens, call } = await setup();
    const a = await create();
    const b = await create();
    await call('revoke-accessor', { accessor: a.accessor });
    assert.equal(await tokens.lookup(a.clientToken!), null);
    await call('revoke-self', {}, { token: b.clientToken! });
    assert.equal(await tokens.lookup(b.clientToken!), null);
    await call('revoke', { token: 'hvs.unknown' });
    await assert.rejects(call('revoke', {}), /missing token/);
    await assert.rejects(call('revoke-accessor', { accessor: 'zzz' }), /invalid accessor/);
  });

  it('lists accessors and needs sudo for it', async () => {
    const { create, call, backend, root } = await setup();
    const a = await create();
    const keys = (await call('accessors/', {}, { op: 'list' })).data!.keys as string[];
    assert.deepEqual(keys, [root.accessor, a.accessor!].sort());
    assert.ok(backend.specialPaths().root?.some((p) => p.startsWith('accessors')));
    assert.ok(backend.specialPaths().root?.some((p) => p.startsWith('revoke-orphan')));
  });

  it('never stores a raw token id or accessor in a storage key', async () => {
    const { create, expiration, tokenStorage, expireStorage, root } = await setup();
    const a = await create();
    const b = await create({}, { token: a.clientToken!, sudo: false });
    await expiration.register({ path: 'kv/x', clientToken: b.clientToken! }, { secret: { ttl: 60, renewable: false } });
    const keys = [...(await allKeys(tokenStorage)), ...(await allKeys(expireStorage))];
    assert.ok(keys.length > 5);
    for (const t of [root, { id: a.clientToken!, accessor: a.accessor! }, { id: b.clientToken!, accessor: b.accessor! }]) {
      for (const k of keys) {
        assert.ok(!k.includes(t.id) && !k.includes(t.id.slice(4)), `key ${k} reveals a token`);
        assert.ok(!k.includes(t.accessor), `key ${k} reveals an accessor`);
      }
    }
  });
});

describe('TokenStore: uses and expiry', () => {
  it('counts uses down and revokes the token after its last use', async () => {
    const { create, tokens } = await setup();
    const t = await create({ num_uses: 2 });
    const first = await tokens.useToken((await tokens.lookup(t.clientToken!))!);
    assert.equal(first?.numUses, 1);
    const deferred: (() => Promise<void>)[] = [];
    const last = await tokens.useToken((await tokens.lookup(t.clientToken!))!, deferred);
    assert.ok(last, 'the last use is granted');
    assert.equal(await tokens.lookup(t.clientToken!), null, 'no further use after the last one');
    assert.ok(await tokens.lookupInFlight(t.clientToken!), 'the request using it still sees it');
    assert.equal(await tokens.useToken(last), null);
    assert.equal(deferred.length, 1);
    for (const d of deferred) await d();
    assert.equal(await tokens.lookupInFlight(t.clientToken!), null);
  });

  it('revokes a used-up token even when the request never ran its hook', async () => {
    const { create, tokens, time } = await setup();
    const t = await create({ num_uses: 1 });
    await tokens.useToken((await tokens.lookup(t.clientToken!))!, []);
    await time.advance(2000);
    assert.ok(await tokens.lookupInFlight(t.clientToken!), 'the request still has time to finish');
    await time.advance(30_000);
    assert.equal(await tokens.lookupInFlight(t.clientToken!), null);
  });

  it('revokes a used-up token shortly after when no hook is given', async () => {
    const { create, tokens, time } = await setup();
    const t = await create({ num_uses: 1 });
    await tokens.useToken((await tokens.lookup(t.clientToken!))!);
    assert.ok(await tokens.lookupInFlight(t.clientToken!));
    await time.advance(2000);
    assert.equal(await tokens.lookupInFlight(t.clientToken!), null);
  });

  it('refuses child tokens from a limited-use token', async () => {
    const { create } = await setup();
    const t = await create({ num_uses: 3 });
    await assert.rejects(create({}, { token: t.clientToken!, sudo: false }), /restricted use token/);
  });

  it('expires tokens at their TTL and revokes them with their leases', async () => {
    const { create, tokens, time, expiration, revokedSecrets } = await setup();
    const t = await create({ ttl: '60s' });
    const resp: Response = { secret: { ttl: 3000, renewable: false } };
    await expiration.register({ path: 'db/creds/ro', clientToken: t.clientToken! }, resp);
    await time.advance(59_000);
    assert.ok(await tokens.lookup(t.clientToken!));
    await time.advance(2_000);
    await expiration.settled();
    assert.equal(await tokens.lookupInFlight(t.clientToken!), null);
    assert.deepEqual(revokedSecrets, [resp.secret!.leaseId]);
  });

  it('hides an expired token even before its timer fired', async () => {
    const { create, tokens, time } = await setup();
    const t = await create({ ttl: 30 });
    time.now += 31_000;
    assert.equal(await tokens.lookup(t.clientToken!), null);
  });
});

describe('TokenStore: renewal', () => {
  it('renews from now, capped by explicit max TTL', async () => {
    const { create, call, time, tokens } = await setup();
    const t = await create({ ttl: 60, explicit_max_ttl: 100 });
    await time.advance(50_000);
    const r = await call('renew', { token: t.clientToken, increment: 30 });
    assert.equal(r.auth?.leaseDuration, 30);
    assert.equal(r.auth?.clientToken, t.clientToken);
    const capped = await call('renew-self', { increment: '1h' }, { token: t.clientToken! });
    assert.equal(capped.auth?.leaseDuration, 50);
    assert.ok(capped.warnings?.some((w) => /capped/.test(w)));
    const d = (await call('lookup', { token: t.clientToken })).data!;
    assert.equal(d.ttl, 50);
    assert.ok(d.last_renewal);
    await time.advance(51_000);
    await assert.rejects(call('renew', { token: t.clientToken }), /token not found/);
    assert.equal(await tokens.lookup(t.clientToken!), null);
  });

  it('keeps a renewed token past its original expiry', async () => {
    const { create, call, time, tokens, expiration } = await setup();
    const t = await create({ ttl: 60 });
    await time.advance(40_000);
    await call('renew-accessor', { accessor: t.accessor, increment: 60 }).then((r) => assert.equal(r.auth?.clientToken, ''));
    await time.advance(40_000);
    await expiration.settled();
    assert.ok(await tokens.lookup(t.clientToken!), 'the old expiry did not revoke it');
  });

  it('renews periodic tokens to their period and refuses non-renewable ones', async () => {
    const { create, call, time } = await setup();
    const p = await create({ period: 120 });
    await time.advance(100_000);
    assert.equal((await call('renew-self', {}, { token: p.clientToken! })).auth?.leaseDuration, 120);
    const fixed = await create({ renewable: false });
    await assert.rejects(call('renew', { token: fixed.clientToken }), /not renewable/);
  });
});

describe('TokenStore: logins', () => {
  it('turns a login into a token with a lease under the login path', async () => {
    const { tokens, expiration } = await setup();
    const e = await tokens.createFromAuth(
      { policies: ['Dev'], displayName: 'bob', metadata: { username: 'bob' }, ttl: 0, internalData: { pw: 'x' } },
      'auth/userpass/login/bob',
      'auth/userpass/',
    );
    assert.deepEqual(e.policies, ['default', 'dev']);
    assert.equal(e.displayName, 'userpass-bob');
    assert.equal(e.ttl, 3600);
    assert.equal(e.parent, '');
    const keys = await expiration.listPrefix('auth/userpass/login/bob');
    assert.deepEqual(keys, [tokens.hashOf(e.id)]);
    await expiration.revokePrefix('auth/userpass/');
    assert.equal(await tokens.lookup(e.id), null);
  });

  it('applies no_default_policy and max TTL, and refuses root', async () => {
    const { tokens } = await setup();
    const e = await tokens.createFromAuth({ policies: ['a'], noDefaultPolicy: true, ttl: 7200, maxTTL: 600 }, 'auth/approle/login');
    assert.deepEqual(e.policies, ['a']);
    assert.equal(e.ttl, 600);
    assert.equal(e.displayName, 'approle');
    await assert.rejects(tokens.createFromAuth({ policies: ['root'] }, 'auth/x/login'), /cannot create root tokens/);
  });

  it('asks the auth method on renewal and refuses changed policies', async () => {
    const { tokens, call, renewer } = await setup();
    const seen: Auth[] = [];
    let policies = ['dev'];
    renewer.renewAuth = async (path: string, auth: Auth) => {
      assert.equal(path, 'auth/userpass/login/bob');
      seen.push(auth);
      return { auth: { ...auth, policies, ttl: 900 } };
    };
    const e = await tokens.createFromAuth({ policies: ['dev'], ttl: 60, internalData: { user: 'bob' } }, 'auth/userpass/login/bob');
    const r = await call('renew', { token: e.id });
    assert.equal(r.auth?.leaseDuration, 900);
    assert.deepEqual(seen[0]?.internalData, { user: 'bob' });
    policies = ['ops'];
    await assert.rejects(call('renew', { token: e.id }), /policies have changed/);
  });
});

describe('TokenStore: roles', () => {
  it('creates tokens through a role within its allowed policies', async () => {
    const { create, call, tokens } = await setup();
    await call('roles/ci', { allowed_policies: 'deploy,read', orphan: true, path_suffix: 'v1', token_period: 0 });
    const role = (await call('roles/ci', {}, { op: 'read' })).data!;
    assert.deepEqual(role.allowed_policies, ['deploy', 'read']);
    assert.equal(role.orphan, true);
    assert.deepEqual((await call('roles', {}, { op: 'list' })).data!.keys, ['ci']);

    const caller = await create({ policies: ['default'] });
    const as = { token: caller.clientToken!, sudo: false };
    const t = await create({ policies: ['deploy'] }, { ...as, path: 'create/ci' });
    assert.deepEqual(t.policies, ['default', 'deploy']);
    assert.equal(t.orphan, true);
    const e = await tokens.lookup(t.clientToken!);
    assert.equal(e?.path, 'auth/token/create/ci/v1');
    assert.equal(e?.role, 'ci');
    await assert.rejects(create({ policies: ['admin'] }, { ...as, path: 'create/ci' }), /allowed policies/);
    await assert.rejects(create({}, { ...as, path: 'create/nope' }), /unknown role/);
    await assert.rejects(call('roles/bad', { token_type: 'batch' }), InvalidRequestError);
    await assert.rejects(call('roles/bad', { path_suffix: '../x' }), InvalidRequestError);
    await call('roles/ci', {}, { op: 'delete' });
    assert.equal(await call('roles/ci', {}, { op: 'read' }).then((r) => r.data ?? null), null);
  });
});
