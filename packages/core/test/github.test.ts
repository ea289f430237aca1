import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import type { Node } from '../src/node.js';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import { allKeys } from './support/storage-keys.js';

interface FakeUser {
  login: string;
  orgs: { id: number; login: string }[];
  teams: { name: string; slug: string; orgId: number }[];
}

const ACME = { id: 4242, login: 'acme' };

/**
 * GitHub's API cannot be reached from the test machines, so this is a local stand-in for the four endpoints the
 * method calls, answering with GitHub's JSON shapes: 401 `Bad credentials` without a known token, and lists paged
 * by `per_page` (at most 100) with `Link: <...>; rel="next"` headers. The mount's `base_url` points at it.
 */
class FakeGitHub {
  readonly users = new Map<string, FakeUser>();
  readonly orgs = new Map<string, { id: number; login: string }>([['acme', ACME]]);
  /** Request paths seen, to check that paging was followed. */
  readonly seen: string[] = [];
  readonly authHeaders: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v3`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private page(res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      const last = new URL(url);
      last.searchParams.set('page', String(Math.ceil(items.length / perPage)));
      headers.link = `<${next.href}>; rel="next", <${last.href}>; rel="last"`;
    }
    this.send(res, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const path = url.pathname.replace(/^\/api\/v3/, '');
    this.seen.push(`${path}${url.search}`);
    this.authHeaders.push(req.headers.authorization ?? '');
    const orgMatch = /^\/orgs\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && orgMatch) {
      const org = this.orgs.get(decodeURIComponent(orgMatch[1]!).toLowerCase());
      if (!org) return this.send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return this.send(res, 200, { ...org, node_id: 'O_x', url: `${this.url}/orgs/${org.login}`, description: null });
    }
    // GitHub accepts both `token <t>` and `Bearer <t>`.
    const m = /^(?:token|Bearer) (.+)$/.exec(req.headers.authorization ?? '');
    const user = m ? this.users.get(m[1]!) : undefined;
    if (!user) return this.send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    if (path === '/user') return this.send(res, 200, { login: user.login, id: 1000 + user.login.length, type: 'User', name: null });
    if (path === '/user/orgs') return this.page(res, url, user.orgs.map((o) => ({ ...o, node_id: 'O_x', description: '' })));
    if (path === '/user/teams') {
      const teams = user.teams.map((t, i) => ({
        id: i + 1,
        name: t.name,
        slug: t.slug,
        permission: 'pull',
        organization: { id: t.orgId, login: t.orgId === ACME.id ? 'acme' : `org${t.orgId}` },
      }));
      return this.page(res, url, teams);
    }
    return this.send(res, 404, { message: 'Not Found' });
  }
}

describe('github auth method', () => {
  let core: Node;
  let root: string;
  let storage: InmemBackend;
  const github = new FakeGitHub();
  const login = (token: unknown) => request(core, 'update', 'auth/github/login', '', { token });

  before(async () => {
    await github.start();
    // 120 other orgs first, so the required one is only found on the second page of `/user/orgs`.
    const otherOrgs = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, login: `other${i}` }));
    github.users.set('ghp_alice', {
      login: 'alice',
      orgs: [...otherOrgs, ACME],
      teams: [
        { name: 'Platform Engineers', slug: 'platform-engineers', orgId: ACME.id },
        { name: 'Security', slug: 'sec', orgId: ACME.id },
        // Same name in another org: must not map.
        { name: 'Admins', slug: 'admins', orgId: 7 },
      ],
    });
    github.users.set('ghp_bob', { login: 'bob', orgs: [{ id: 7, login: 'other6' }], teams: [] });
    storage = new InmemBackend();
    ({ core, rootToken: root } = await testCoreUnsealed({ storage }));
    await request(core, 'update', 'sys/auth/github', root, { type: 'github' });
  });
  after(async () => {
    await core.shutdown();
    await github.stop();
  });

  it('resolves organization_id from GitHub on config write and adds a trailing slash to base_url', async () => {
    await request(core, 'update', 'auth/github/config', root, { organization: 'acme', base_url: github.url, token_policies: 'base', token_ttl: '1h' });
    const read = await request(core, 'read', 'auth/github/config', root);
    assert.equal(read.data?.organization, 'acme');
    assert.equal(read.data?.organization_id, ACME.id);
    assert.equal(read.data?.base_url, `${github.url}/`);
    assert.deepEqual(read.data?.token_policies, ['base']);
    assert.equal(read.data?.token_ttl, 3600);
    assert.ok(github.seen.includes('/orgs/acme'));
  });

  it('refuses a config without organization, or with an organization GitHub does not know', async () => {
    await assert.rejects(request(core, 'update', 'auth/github/config', root, { base_url: github.url }), { code: 'invalid_request', message: /organization/ });
    await assert.rejects(request(core, 'update', 'auth/github/config', root, { organization: 'nope', base_url: github.url }), /unable to fetch the organization_id/);
    assert.equal((await request(core, 'read', 'auth/github/config', root)).data?.organization_id, ACME.id);
  });

  it('maps team (by name and by slug) and user policies, listed and deletable', async () => {
    await request(core, 'update', 'auth/github/map/teams/Platform Engineers', root, { value: 'deploy, read-only' });
    await request(core, 'update', 'auth/github/map/teams/sec', root, { value: 'audit' });
    await request(core, 'update', 'auth/github/map/teams/admins', root, { value: 'root-ish' });
    await request(core, 'update', 'auth/github/map/users/alice', root, { value: 'personal' });
    assert.deepEqual((await request(core, 'read', 'auth/github/map/teams/sec', root)).data, { key: 'sec', value: 'audit' });
    assert.deepEqual(((await request(core, 'list', 'auth/github/map/teams', root)).data?.keys as string[]).sort(), ['admins', 'platform engineers', 'sec']);
    assert.deepEqual((await request(core, 'list', 'auth/github/map/users', root)).data?.keys, ['alice']);

    github.seen.length = 0;
    const resp = await login('ghp_alice');
    const auth = resp.auth!;
    assert.deepEqual(auth.policies, ['audit', 'base', 'default', 'deploy', 'personal', 'read-only']);
    assert.deepEqual(auth.metadata, { username: 'alice', org: 'acme' });
    assert.equal(auth.leaseDuration, 3600);
    // The second page of orgs was fetched through the Link header, with the token as a Bearer credential.
    assert.ok(github.seen.includes('/user/orgs?per_page=100&page=2'), github.seen.join(' '));
    assert.ok(github.authHeaders.includes('Bearer ghp_alice'));

    const self = await request(core, 'read', 'auth/token/lookup-self', auth.clientToken!);
    assert.equal(self.data?.display_name, 'github-alice');
    assert.equal(self.data?.path, 'auth/github/login');
    assert.ok(!JSON.stringify(self).includes('ghp_alice'));

    await request(core, 'delete', 'auth/github/map/users/alice', root);
    assert.equal((await request(core, 'read', 'auth/github/map/users/alice', root)).raw?.status, 404);
    assert.deepEqual((await login('ghp_alice')).auth?.policies, ['audit', 'base', 'default', 'deploy', 'read-only']);
  });

  it('refuses a user outside the organization, a bad token and a missing token with a 400', async () => {
    await assert.rejects(login('ghp_bob'), { name: 'InvalidRequestError', message: 'user is not part of required org' });
    await assert.rejects(login('ghp_wrong'), { name: 'InvalidRequestError', message: /invalid GitHub token/ });
    await assert.rejects(login(''), { message: 'missing token' });
    await assert.rejects(login({ x: 1 }), InvalidRequestError);
  });

  it('renews while the mapped policies are unchanged, and refuses once a mapping changed', async () => {
    const token = (await login('ghp_alice')).auth!.clientToken!;
    const renewed = await request(core, 'update', 'auth/token/renew-self', token, { increment: 60 });
    assert.equal(renewed.auth?.leaseDuration, 60);
    await request(core, 'update', 'auth/github/map/teams/sec', root, { value: 'audit,extra' });
    await assert.rejects(request(core, 'update', 'auth/token/renew-self', token), { name: 'InvalidRequestError', message: /policies do not match/ });
    await request(core, 'update', 'auth/github/map/teams/sec', root, { value: 'audit' });
    await request(core, 'update', 'auth/token/renew-self', token);
    // GitHub no longer knows the token: renewal asks it again and fails.
    const alice = github.users.get('ghp_alice')!;
    github.users.delete('ghp_alice');
    try {
      await assert.rejects(request(core, 'update', 'auth/token/renew-self', token), /invalid GitHub token/);
    } finally {
      github.users.set('ghp_alice', alice);
    }
  });

  it("never writes the GitHub token to the mount's storage or, unencrypted, to the storage backend", async () => {
    await login('ghp_alice');
    const mount = (await request(core, 'read', 'sys/auth', root)).data?.['github/'] as { uuid: string };
    for (const k of await allKeys(core.barrier, `auth/${mount.uuid}/`)) {
      assert.ok(!Buffer.from((await core.barrier.get(k))!).includes('ghp_alice'), `${k} holds the token`);
    }
    for (const k of await allKeys(storage)) assert.ok(!Buffer.from((await storage.get(k))!).includes('ghp_alice'));
  });

  it('answers a 400 when GitHub cannot be reached', async () => {
    const { core: other, rootToken } = await testCoreUnsealed();
    try {
      await request(other, 'update', 'sys/auth/github', rootToken, { type: 'github' });
      // Port 9 on loopback (discard) is closed here, so the connection is refused.
      await request(other, 'update', 'auth/github/config', rootToken, { organization: 'acme', organization_id: 4242, base_url: 'http://127.0.0.1:9/' });
      await assert.rejects(request(other, 'update', 'auth/github/login', '', { token: 'ghp_alice' }), { code: 'invalid_request', message: /unable to reach GitHub/ });
      await assert.rejects(request(other, 'update', 'auth/github/login', '', { token: 'x' }), InvalidRequestError);
    } finally {
      await other.shutdown();
    }
  });
});
