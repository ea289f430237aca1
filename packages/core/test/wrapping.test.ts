import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BarrierView } from '@strongroom/barrier';
import { InmemBackend } from '@strongroom/storage';
import { cubbyholeFactory, destroyCubbyhole } from '../src/engines/index.js';
import { InvalidRequestError } from '../src/errors.js';
import type { LogicalBackend } from '../src/logical/backend.js';
import type { Auth, Request, Response } from '../src/logical/request.js';
import type { MountEntry } from '../src/mounts/mount-entry.js';
import { Wrapping, type WrappingCore, type WrappingTokenEntry } from '../src/wrapping/wrapping.js';

const CUBBY: MountEntry = {
  table: 'mounts',
  path: 'cubbyhole/',
  type: 'cubbyhole',
  description: '',
  uuid: 'cubby-uuid',
  accessor: 'cubbyhole_1',
  config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
  options: null,
  local: true,
  seal_wrap: false,
  external_entropy_access: false,
};

/** A token store that keeps tokens in memory and clears a revoked token's cubbyhole, as the core does. */
class FakeTokens {
  readonly tokens = new Map<string, WrappingTokenEntry & { auth: Auth; path: string }>();

  constructor(private readonly cubby: BarrierView) {}

  async createFromAuth(auth: Auth, path: string): Promise<WrappingTokenEntry> {
    const id = `hvs.${randomBytes(12).toString('hex')}`;
    const entry = { id, accessor: randomBytes(12).toString('hex'), policies: [...auth.policies], ttl: auth.ttl ?? 0, auth, path };
    this.tokens.set(id, entry);
    return entry;
  }

  private readonly usedUp = new Set<string>();

  async lookup(token: string): Promise<WrappingTokenEntry | null> {
    return this.usedUp.has(token) ? null : (this.tokens.get(token) ?? null);
  }

  /** Takes one use in one synchronous step, as the core's store does under its per-token lock. */
  async useToken(entry: WrappingTokenEntry): Promise<WrappingTokenEntry | null> {
    const cur = this.tokens.get(entry.id);
    if (!cur || this.usedUp.has(entry.id)) return null;
    if (cur.auth.numUses === 1) this.usedUp.add(entry.id);
    return cur;
  }

  async revokeTree(id: string): Promise<void> {
    this.tokens.delete(id);
    await destroyCubbyhole(this.cubby, id);
  }
}

async function setup(): Promise<{ wrapping: Wrapping; tokens: FakeTokens; cubbyhole: LogicalBackend; barrier: InmemBackend }> {
  const barrier = new InmemBackend();
  const view = new BarrierView(barrier, 'logical/cubby-uuid/');
  const cubbyhole = await cubbyholeFactory({
    storage: view,
    mountPath: 'cubbyhole/',
    mountAccessor: 'cubbyhole_1',
    config: {},
    options: {},
    system: { defaultLeaseTTL: () => 0, maxLeaseTTL: () => 0, now: () => new Date() },
  });
  const tokens = new FakeTokens(view);
  const core: WrappingCore = {
    tokens,
    mounts: { find: (p) => (p === 'cubbyhole/' ? CUBBY : undefined) },
    barrier,
    clock: { now: () => new Date('2024-05-06T07:08:09.120Z') },
  };
  return { wrapping: new Wrapping(core), tokens, cubbyhole, barrier };
}

function request(path: string, wrapTTL?: number, data: Record<string, unknown> = {}): Request {
  return { id: `req-${path}`, operation: 'read', path, data, clientToken: 'hvs.caller', headers: {}, wrapTTL };
}

function body(resp: Response): Record<string, unknown> {
  assert.ok(resp.raw);
  assert.equal(resp.raw.status, 200);
  return resp.raw.body as Record<string, unknown>;
}

const SECRET: Response = { data: { password: 'hunter2' }, secret: { ttl: 3600, renewable: false }, warnings: ['careful'], mountType: 'kv' };

describe('response wrapping', () => {
  it('wraps a response into a single-use response-wrapping token', async () => {
    const { wrapping, tokens } = await setup();
    const resp = await wrapping.wrapResponse(request('secret/foo', 300), { ...SECRET }, 'foo');
    assert.equal(resp.data, null);
    assert.equal(resp.auth, undefined);
    const info = resp.wrapInfo!;
    assert.deepEqual({ ...info, token: '', accessor: '' }, {
      token: '',
      accessor: '',
      ttl: 300,
      creationTime: '2024-05-06T07:08:09.12Z',
      creationPath: 'secret/foo',
    });
    const entry = tokens.tokens.get(info.token)!;
    assert.equal(entry.accessor, info.accessor);
    assert.deepEqual(entry.auth.policies, ['response-wrapping']);
    assert.equal(entry.auth.numUses, 1);
    assert.equal(entry.auth.noDefaultPolicy, true);
    assert.equal(entry.auth.ttl, 300);
    assert.equal(entry.auth.orphan, true);
    assert.equal(entry.auth.renewable, false);
  });

  it('keeps the payload where the token itself can read it, as Vault clients do (cubbyhole/response)', async () => {
    const { wrapping, cubbyhole } = await setup();
    const { wrapInfo } = await wrapping.wrapResponse(request('secret/foo', 60), { ...SECRET }, 'foo');
    const read = await cubbyhole.handleRequest({ id: 'r', operation: 'read', path: 'response', data: {}, clientToken: wrapInfo!.token, headers: {} });
    const envelope = JSON.parse(read?.data?.response as string) as Record<string, unknown>;
    assert.equal(envelope.request_id, 'req-secret/foo');
    assert.deepEqual(envelope.data, { password: 'hunter2' });
    // Another token sees nothing there.
    assert.equal(await cubbyhole.handleRequest({ id: 'r', operation: 'read', path: 'response', data: {}, clientToken: 'hvs.caller', headers: {} }), null);
  });

  it('unwraps exactly the original response once, then the token is gone', async () => {
    const { wrapping, tokens, barrier } = await setup();
    const { wrapInfo } = await wrapping.wrapResponse(request('secret/foo', 60), { ...SECRET }, 'foo');
    const token = wrapInfo!.token;
    assert.deepEqual(await wrapping.lookup(token), { creation_path: 'secret/foo', creation_time: '2024-05-06T07:08:09.12Z', creation_ttl: 60 });

    const out = await wrapping.unwrap(token);
    assert.deepEqual(body(out), {
      request_id: 'req-secret/foo',
      lease_id: '',
      renewable: false,
      lease_duration: 3600,
      data: { password: 'hunter2' },
      wrap_info: null,
      warnings: ['careful'],
      auth: null,
      mount_type: 'kv',
    });
    assert.equal(tokens.tokens.has(token), false);
    for (const op of [() => wrapping.unwrap(token), () => wrapping.lookup(token), () => wrapping.rewrap(token)]) {
      await assert.rejects(op(), (err: unknown) => err instanceof InvalidRequestError && err.message === 'wrapping token is not valid or does not exist');
    }
    // The payload left storage with the token.
    assert.deepEqual(await new BarrierView(barrier, 'logical/cubby-uuid/').list('token/'), []);
  });

  it('hands the payload to only one of two concurrent unwraps', async () => {
    const { wrapping } = await setup();
    const { wrapInfo } = await wrapping.wrapResponse(request('secret/foo', 60), { ...SECRET }, 'foo');
    const results = await Promise.allSettled([wrapping.unwrap(wrapInfo!.token), wrapping.unwrap(wrapInfo!.token)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  });

  it('wraps a login with the wrapped accessor and the auth block in Vault shape', async () => {
    const { wrapping } = await setup();
    const auth: Auth = { clientToken: 'hvs.new', accessor: 'acc-1', policies: ['default', 'dev'], tokenPolicies: ['default', 'dev'], metadata: { username: 'bob' }, leaseDuration: 1800, renewable: true };
    const resp = await wrapping.wrapResponse(request('auth/userpass/login/bob', 120), { auth }, 'login/bob');
    assert.equal(resp.wrapInfo?.wrappedAccessor, 'acc-1');
    const out = body(await wrapping.unwrap(resp.wrapInfo!.token));
    assert.equal(out.data, null);
    assert.deepEqual(out.auth, {
      client_token: 'hvs.new',
      accessor: 'acc-1',
      policies: ['default', 'dev'],
      token_policies: ['default', 'dev'],
      metadata: { username: 'bob' },
      lease_duration: 1800,
      renewable: true,
      entity_id: '',
      token_type: 'service',
      orphan: false,
      mfa_requirement: null,
      num_uses: 0,
    });
  });

  it('sys/wrapping/wrap wraps the request body and needs a wrap TTL', async () => {
    const { wrapping } = await setup();
    await assert.rejects(wrapping.wrapResponse(request('sys/wrapping/wrap', undefined, { a: 1 }), { data: { a: 1 } }, 'wrapping/wrap'), /endpoint requires response wrapping to be used/);
    await assert.rejects(wrapping.wrapResponse(request('sys/wrapping/wrap', 0, { a: 1 }), { data: { a: 1 } }, 'wrapping/wrap'), InvalidRequestError);
    const resp = await wrapping.wrapResponse(request('sys/wrapping/wrap', 300, { a: 1, b: 'two' }), { data: { a: 1, b: 'two' } }, 'wrapping/wrap');
    assert.equal(resp.wrapInfo?.creationPath, 'sys/wrapping/wrap');
    const out = body(await wrapping.unwrap(resp.wrapInfo!.token));
    assert.deepEqual(out.data, { a: 1, b: 'two' });
    assert.equal(out.lease_duration, 0);
  });

  it('rewraps to a new token with the same payload, TTL and creation path', async () => {
    const { wrapping } = await setup();
    const first = (await wrapping.wrapResponse(request('secret/foo', 90), { ...SECRET }, 'foo')).wrapInfo!;
    const second = await wrapping.rewrap(first.token);
    assert.equal(second.data, null);
    const info = second.wrapInfo!;
    assert.notEqual(info.token, first.token);
    assert.equal(info.ttl, 90);
    assert.equal(info.creationPath, 'secret/foo');
    await assert.rejects(wrapping.unwrap(first.token), /wrapping token is not valid or does not exist/);
    assert.deepEqual(body(await wrapping.unwrap(info.token)).data, { password: 'hunter2' });
  });

  it('refuses tokens that are not wrapping tokens', async () => {
    const { wrapping, tokens } = await setup();
    const other = await tokens.createFromAuth({ policies: ['default'] }, 'auth/token/create');
    await assert.rejects(wrapping.unwrap(other.id), /wrapping token is not valid or does not exist/);
    await assert.rejects(wrapping.lookup(''), /wrapping token is not valid or does not exist/);
    await assert.rejects(wrapping.unwrap('hvs.nope'), InvalidRequestError);
    assert.ok(tokens.tokens.has(other.id));
  });

  it('passes through what is not to be wrapped', async () => {
    const { wrapping, tokens } = await setup();
    const plain = { ...SECRET };
    assert.equal(await wrapping.wrapResponse(request('secret/foo'), plain, 'foo'), plain);
    const empty: Response = { mountType: 'kv' };
    assert.equal(await wrapping.wrapResponse(request('secret/foo', 60), empty, 'foo'), empty);
    const notFound: Response = { raw: { status: 404, body: { errors: [] } } };
    assert.equal(await wrapping.wrapResponse(request('secret/data/x', 60), notFound, 'data/x'), notFound);
    assert.equal(tokens.tokens.size, 0);
  });

  it('gives a wrapped raw response back as it was', async () => {
    const { wrapping } = await setup();
    const raw: Response = { raw: { status: 200, body: 'text/plain body', contentType: 'text/plain' } };
    const wrapped = await wrapping.wrapResponse(request('sys/metrics', 60), raw, 'metrics');
    assert.deepEqual((await wrapping.unwrap(wrapped.wrapInfo!.token)).raw, { status: 200, body: 'text/plain body', contentType: 'text/plain' });
  });
});
