import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { silentLogger, type Logger } from '../src/util/logger.js';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import { ExpirationManager, type ExpirationRouter } from '../src/expiration/expiration-manager.js';
import { LeaseTimers, MAX_TIMER_DELAY_MS } from '../src/expiration/lease-timers.js';
import { FrameworkBackend } from '../src/framework/framework-backend.js';
import type { Operation, Request, Response, Secret } from '../src/logical/request.js';
import { LEASES_ROOT_PATHS, leasesPaths } from '../src/sys/leases-paths.js';
import { ManualTime } from './support/manual-time.js';

const HOUR = 3600;

interface Calls {
  revokedSecrets: { path: string; secret: Secret }[];
  revokedTokens: string[];
  renewals: { path: string; increment: number }[];
}

function setup(o: { storage?: InmemBackend; time?: ManualTime; router?: Partial<ExpirationRouter>; logger?: Logger } = {}) {
  const time = o.time ?? new ManualTime();
  const storage = o.storage ?? new InmemBackend();
  const calls: Calls = { revokedSecrets: [], revokedTokens: [], renewals: [] };
  const router: ExpirationRouter = {
    revokeSecret: async (path, secret) => {
      calls.revokedSecrets.push({ path, secret });
    },
    renewSecret: async (path, _secret, increment) => {
      calls.renewals.push({ path, increment });
      return null;
    },
    revokeToken: async (id) => {
      calls.revokedTokens.push(id);
    },
    ...o.router,
  };
  const limits = { defaultLeaseTTL: () => 768 * HOUR, maxLeaseTTL: () => 768 * HOUR };
  const mgr = new ExpirationManager({
    storage,
    clock: time.clock,
    logger: o.logger ?? silentLogger,
    router,
    limits,
    timers: time,
    revokeRetry: { attempts: 3, baseMs: 1000 },
  });
  const register = async (path: string, ttl: number, o2: { token?: string; renewable?: boolean; internalData?: Record<string, unknown> } = {}) => {
    const resp: Response = { secret: { ttl, renewable: o2.renewable ?? true, internalData: o2.internalData } };
    await mgr.register({ path, clientToken: o2.token ?? '' }, resp);
    return resp.secret!.leaseId!;
  };
  return { time, storage, mgr, calls, register };
}

// A rejection nobody handled would crash a server: fail the run if one happens.
const unhandled: unknown[] = [];
const onUnhandled = (r: unknown): void => void unhandled.push(r);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

describe('ExpirationManager: register and lookup', () => {
  it('names a lease after its path and reports its times', async () => {
    const { mgr, register, time } = setup();
    const id = await register('db/creds/ro', 600);
    assert.match(id, /^db\/creds\/ro\/[0-9A-Za-z]{24}$/);
    await time.advance(100_000);
    const info = await mgr.lookup(id);
    assert.deepEqual(info, {
      id,
      issue_time: new Date(Date.UTC(2024, 0, 1)).toISOString(),
      expire_time: new Date(Date.UTC(2024, 0, 1) + 600_000).toISOString(),
      last_renewal: null,
      renewable: true,
      ttl: 500,
    });
    assert.equal(await mgr.lookup('db/creds/ro/nope'), null);
    assert.equal(await mgr.lookup('../../etc'), null);
  });

  it('uses the default TTL when the backend gives none', async () => {
    const { mgr, register } = setup();
    const id = await register('kv/x', 0);
    assert.equal((await mgr.lookup(id))?.ttl, 768 * HOUR);
  });

  it('lists lease ids one level at a time', async () => {
    const { mgr, register } = setup();
    const a = await register('db/creds/ro', 60);
    await register('db/creds/rw', 60);
    await register('kv/x', 60);
    assert.deepEqual(await mgr.listPrefix(''), ['db/', 'kv/']);
    assert.deepEqual(await mgr.listPrefix('db/creds'), ['ro/', 'rw/']);
    assert.deepEqual(await mgr.listPrefix('db/creds/ro/'), [a.split('/').pop()]);
    await assert.rejects(mgr.listPrefix('a//b'), InvalidRequestError);
  });
});

describe('ExpirationManager: renew', () => {
  it('renews from now by the increment, passing the secret to the backend', async () => {
    const { mgr, register, time, calls } = setup();
    const id = await register('db/creds/ro', 60, { internalData: { username: 'u1' } });
    await time.advance(30_000);
    const r = await mgr.renew(id, 120);
    assert.deepEqual(r.secret, { leaseId: id, ttl: 120, renewable: true });
    assert.deepEqual(calls.renewals, [{ path: 'db/creds/ro', increment: 120 }]);
    const info = await mgr.lookup(id);
    assert.equal(info?.ttl, 120);
    assert.equal(info?.last_renewal, new Date(time.now).toISOString());
    await time.advance(60_000);
    assert.equal(calls.revokedSecrets.length, 0, 'the original expiry no longer applies');
    await time.advance(61_000);
    await mgr.settled();
    assert.equal(calls.revokedSecrets.length, 1);
    assert.deepEqual(calls.revokedSecrets[0]?.secret.internalData, { username: 'u1' });
  });

  it('takes the TTL the backend grants, within the max TTL from issue', async () => {
    const { mgr, register, time } = setup({
      router: { renewSecret: async (_p, secret) => ({ secret: { ...secret, ttl: 900, maxTTL: 1000 } }) },
    });
    const id = await register('db/creds/ro', 60);
    assert.equal((await mgr.renew(id, 0)).secret?.ttl, 900);
    await time.advance(500_000);
    const capped = await mgr.renew(id, 0);
    assert.equal(capped.secret?.ttl, 500);
    assert.ok(capped.warnings?.some((w) => /capped/.test(w)));
  });

  it('refuses what cannot be renewed with a 400', async () => {
    const { mgr, register, time } = setup();
    const fixed = await register('kv/x', 60, { renewable: false });
    await assert.rejects(mgr.renew(fixed, 10), (e: unknown) => e instanceof InvalidRequestError && /not renewable/.test(e.message));
    await assert.rejects(mgr.renew('kv/x/unknown', 10), /lease not found/);
    const token = await mgr.registerAuth({ path: 'auth/token/create', tokenId: 't', tokenHash: 'habc', issueTimeMs: time.now, expireTimeMs: time.now + 60_000, renewable: true });
    await assert.rejects(mgr.renew(token, 10), /tokens cannot be renewed/);
  });
});

describe('ExpirationManager: revoke', () => {
  it('revokes one lease through its backend and forgets it', async () => {
    const { mgr, register, calls } = setup();
    const id = await register('db/creds/ro', 60, { internalData: { username: 'u1' } });
    await mgr.revoke(id);
    assert.equal(calls.revokedSecrets[0]?.path, 'db/creds/ro');
    assert.equal(calls.revokedSecrets[0]?.secret.leaseId, id);
    assert.equal(await mgr.lookup(id), null);
    await mgr.revoke(id);
    assert.equal(calls.revokedSecrets.length, 1, 'an unknown lease is a no-op');
  });

  it('revokes by prefix, and a token lease revokes its token', async () => {
    const { mgr, register, calls, time } = setup();
    const a = await register('db/creds/ro', 60);
    const b = await register('db/creds/rw', 60);
    const other = await register('kv/x', 60);
    await mgr.registerAuth({ path: 'auth/userpass/login/bob', tokenId: 'tok-1', tokenHash: 'h1', issueTimeMs: time.now, expireTimeMs: 0, renewable: false });
    await mgr.revokePrefix('db/');
    assert.deepEqual(calls.revokedSecrets.map((c) => c.secret.leaseId).sort(), [a, b].sort());
    assert.ok(await mgr.lookup(other));
    await mgr.revokePrefix('auth/userpass');
    assert.deepEqual(calls.revokedTokens, ['tok-1']);
    await mgr.revokePrefix(other);
    assert.equal(await mgr.lookup(other), null, 'a prefix naming a lease revokes that lease');
  });

  it('revoke-force deletes leases whose backend fails; plain revoke keeps them', async () => {
    const { mgr, register } = setup({ router: { revokeSecret: async () => Promise.reject(new Error('db down')) } });
    const a = await register('db/creds/ro', 60);
    await assert.rejects(mgr.revokePrefix('db/'), /db down/);
    assert.ok(await mgr.lookup(a));
    await mgr.revokePrefix('db/', { force: true });
    assert.equal(await mgr.lookup(a), null);
  });

  it('revokes the leases of one token only', async () => {
    const { mgr, register, calls } = setup();
    const a1 = await register('db/creds/ro', 60, { token: 'token-a' });
    const a2 = await register('kv/y', 60, { token: 'token-a' });
    const b1 = await register('db/creds/ro', 60, { token: 'token-b' });
    await mgr.revokeByToken('token-a');
    assert.deepEqual(calls.revokedSecrets.map((c) => c.secret.leaseId).sort(), [a1, a2].sort());
    assert.ok(await mgr.lookup(b1));
    await mgr.revokeByToken('token-a');
    assert.equal(calls.revokedSecrets.length, 2);
  });
});

describe('ExpirationManager: timers', () => {
  it('revokes a lease when it expires', async () => {
    const { mgr, register, time, calls } = setup();
    const id = await register('db/creds/ro', 60);
    await time.advance(59_000);
    assert.equal(calls.revokedSecrets.length, 0);
    await time.advance(2_000);
    await mgr.settled();
    assert.equal(calls.revokedSecrets[0]?.secret.leaseId, id);
    assert.equal(mgr.pendingTimers, 0);
  });

  it('clamps timers under the Node limit and re-arms for a 768h lease', async () => {
    const { mgr, register, time, calls } = setup();
    const id = await register('db/creds/ro', 768 * HOUR);
    assert.ok(time.delays.every((d) => d <= MAX_TIMER_DELAY_MS && d < 2 ** 31 - 1));
    await time.advance(MAX_TIMER_DELAY_MS);
    assert.ok(await mgr.lookup(id), 'not revoked at the first clamped wake-up');
    assert.equal(time.pending, 1, 're-armed');
    await time.advance(768 * HOUR * 1000 - MAX_TIMER_DELAY_MS);
    await mgr.settled();
    assert.equal(calls.revokedSecrets.length, 1);
  });

  it('LeaseTimers fires at the due time whatever the delay', async () => {
    const time = new ManualTime();
    const timers = new LeaseTimers(time, time.clock);
    let fired = 0;
    timers.arm('x', time.now + 100 * 24 * HOUR * 1000, () => fired++);
    await time.advance(99 * 24 * HOUR * 1000);
    assert.equal(fired, 0);
    await time.advance(24 * HOUR * 1000);
    assert.equal(fired, 1);
    assert.ok(Math.max(...time.delays) <= MAX_TIMER_DELAY_MS);
  });

  it('restore rebuilds timers from storage and revokes what already expired', async () => {
    const first = setup();
    const soon = await first.register('db/creds/ro', 60);
    const later = await first.register('db/creds/rw', 3600);
    const irrelevant = await first.mgr.registerAuth({ path: 'auth/token/root', tokenId: 'r', tokenHash: 'hr', issueTimeMs: first.time.now, expireTimeMs: 0, renewable: false });
    first.mgr.stop();
    await first.time.advance(120_000);
    assert.equal(first.calls.revokedSecrets.length, 0, 'a stopped manager revokes nothing');

    // Another node takes over the same storage.
    const second = setup({ storage: first.storage, time: first.time });
    await second.mgr.restore();
    await second.mgr.settled();
    assert.deepEqual(second.calls.revokedSecrets.map((c) => c.secret.leaseId), [soon]);
    assert.equal(second.mgr.pendingTimers, 1);
    await second.time.advance(3600_000);
    await second.mgr.settled();
    assert.deepEqual(second.calls.revokedSecrets.map((c) => c.secret.leaseId), [soon, later]);
    assert.ok(await second.mgr.lookup(irrelevant), 'a non-expiring lease stays');
  });

  it('retries a failing revocation with backoff, then keeps the lease as irrevocable', async () => {
    let failures = 2;
    const flaky = setup({
      router: {
        revokeSecret: async () => {
          if (failures-- > 0) throw new Error('backend unavailable');
        },
      },
    });
    const id = await flaky.register('db/creds/ro', 10);
    await flaky.time.advance(11_000);
    await flaky.mgr.settled();
    assert.ok(await flaky.mgr.lookup(id), 'still there after the first failure');
    await flaky.time.advance(1_000);
    await flaky.time.advance(2_000);
    await flaky.mgr.settled();
    assert.equal(await flaky.mgr.lookup(id), null, 'revoked on the third attempt');

    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => void errors.push(m) };
    const broken = setup({ logger, router: { revokeSecret: async () => Promise.reject(new Error('gone for good')) } });
    const stuck = await broken.register('db/creds/ro', 10);
    await broken.time.advance(60_000);
    await broken.mgr.settled();
    assert.ok(await broken.mgr.lookup(stuck), 'an irrevocable lease is kept');
    assert.ok(errors.some((m) => /irrevocable/.test(m)));
    assert.equal(broken.mgr.pendingTimers, 0, 'and no longer retried');
    await broken.mgr.restore();
    assert.equal(broken.mgr.pendingTimers, 0, 'restore leaves irrevocable leases alone');
  });
});

describe('sys/leases paths', () => {
  function sys(mgr: ExpirationManager) {
    const backend = new FrameworkBackend({ class: 'system', help: '', paths: leasesPaths({ expiration: mgr }) });
    return (path: string, data: Record<string, unknown> = {}, operation: Operation = 'update', rootPrivs = true) => {
      const req: Request = { id: 'req-1', operation, path, data, clientToken: 't', headers: {}, mountPoint: 'sys/', rootPrivs };
      return backend.handleRequest(req);
    };
  }

  it('looks up, renews and revokes leases in Vault shapes', async () => {
    const { mgr, register } = setup();
    const call = sys(mgr);
    const id = await register('db/creds/ro', 60);
    const looked = await call('leases/lookup', { lease_id: id });
    assert.equal(looked?.data?.id, id);
    assert.equal(looked?.data?.ttl, 60);
    const renewed = await call('leases/renew', { lease_id: id, increment: '5m' });
    assert.deepEqual(renewed?.secret, { leaseId: id, ttl: 300, renewable: true });
    const legacy = await call(`renew/${id}`, { increment: 30 });
    assert.equal(legacy?.secret?.ttl, 30);
    assert.equal(await call('leases/revoke', { lease_id: id }), null);
    assert.equal(await mgr.lookup(id), null);
  });

  it('lists, revokes by prefix and answers async revocations with 202', async () => {
    const { mgr, register } = setup();
    const call = sys(mgr);
    await register('db/creds/ro', 60);
    const b = await register('kv/a', 60);
    assert.deepEqual((await call('leases/lookup/db/creds/', {}, 'list'))?.data?.keys, ['ro/']);
    assert.deepEqual((await call('leases/lookup/', {}, 'list'))?.data?.keys, ['db/', 'kv/']);
    assert.equal(await call('leases/lookup/nothing/', {}, 'list'), null);
    await assert.rejects(call('leases/lookup', {}, 'list', false), PermissionDeniedError);
    assert.equal(await call('leases/revoke-prefix/db/'), null);
    assert.deepEqual(await mgr.listPrefix('db/'), []);
    const r = await call(`leases/revoke/${b}`, { sync: false });
    assert.equal(r?.raw?.status, 202);
    await mgr.settled();
    assert.equal(await mgr.lookup(b), null);
    assert.equal((await call('leases/tidy'))?.raw?.status, 202);
    assert.ok(LEASES_ROOT_PATHS.includes('leases/revoke-prefix/*') && LEASES_ROOT_PATHS.includes('revoke-force/*'));
  });

  it('answers bad input with 400s', async () => {
    const { mgr } = setup();
    const call = sys(mgr);
    await assert.rejects(call('leases/lookup', {}), /lease_id must be specified/);
    await assert.rejects(call('leases/lookup', { lease_id: 'x/y' }), /invalid lease/);
    await assert.rejects(call('leases/renew', {}), InvalidRequestError);
    await assert.rejects(call('leases/renew', { lease_id: 'x/y', increment: 'soon' }), InvalidRequestError);
    await assert.rejects(call('leases/renew', { lease_id: 'a//b' }), /lease not found/);
    await assert.rejects(call('leases/lookup/a//b', {}, 'list'), InvalidRequestError);
    await assert.rejects(call('leases/revoke', { lease_id: 'x', sync: 'maybe' }), InvalidRequestError);
  });
});
