import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Node } from '@strongroom/core';
import { request } from '@strongroom/core/testing';
import { ConsulBackend, FileBackend, type Backend } from '@strongroom/storage';
import { startConsulDev, type ConsulCluster } from '@strongroom/storage/testing';

// Every "exactly once" promise under N parallel attempts: exactly the allowed number succeed, on the file and the
// Consul backends. Each case runs several rounds, since one lucky interleaving proves little.

const N = 12;
const ROUNDS = 3;

type Make = () => Promise<Backend>;

async function settle<T>(tries: Promise<T>[], ok: (v: T) => boolean): Promise<number> {
  const results = await Promise.allSettled(tries);
  return results.filter((r) => r.status === 'fulfilled' && ok(r.value)).length;
}

/** A request that was answered with something (a refusal rejects instead). */
const succeeded = (r: { data?: Record<string, unknown> | null; auth?: unknown }) => r.data != null || r.auth != null;

async function unsealedNode(storage: Backend): Promise<{ node: Node; root: string }> {
  const node = new Node({ storage });
  const { rootToken } = await node.devSetup();
  return { node, root: rootToken };
}

function suite(kind: string, make: Make): void {
  describe(`exactly once (${kind} storage)`, { timeout: 120_000 }, () => {
    let node: Node;
    let root: string;
    before(async () => {
      ({ node, root } = await unsealedNode(await make()));
      await request(node, 'update', 'sys/auth/approle', root, { type: 'approle' });
    });
    after(async () => {
      await node?.shutdown();
    });

    it('a wrapping token is redeemed once', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const wrapped = await request(node, 'update', 'sys/wrapping/wrap', root, { secret: 's3cr3t' }, { wrapTTL: 300 });
        const w = wrapped.wrapInfo!.token;
        const won = await settle(
          Array.from({ length: N }, (_, i) => (i % 2 ? request(node, 'update', 'sys/wrapping/unwrap', w) : request(node, 'update', 'sys/wrapping/unwrap', '', { token: w }))),
          (r) => JSON.stringify(r.data ?? r.raw ?? null).includes('s3cr3t'),
        );
        assert.equal(won, 1, `round ${round}`);
      }
    });

    it('a token with num_uses=k serves exactly k requests', async () => {
      for (const k of [1, 3, 5]) {
        const created = await request(node, 'update', 'auth/token/create', root, { num_uses: k, policies: ['default'] });
        const t = created.auth!.clientToken!;
        const won = await settle(
          Array.from({ length: N }, () => request(node, 'read', 'auth/token/lookup-self', t)),
          (r) => succeeded(r) && (r.data as { id?: string }).id === t,
        );
        assert.equal(won, k, `num_uses=${k}`);
      }
    });

    it('an approle secret ID with secret_id_num_uses=k logs in exactly k times', async () => {
      for (const k of [1, 2, 4]) {
        const role = `r${k}`;
        await request(node, 'update', `auth/approle/role/${role}`, root, { secret_id_num_uses: k, token_policies: ['default'] });
        const roleId = (await request(node, 'read', `auth/approle/role/${role}/role-id`, root)).data!.role_id as string;
        const secretId = (await request(node, 'update', `auth/approle/role/${role}/secret-id`, root)).data!.secret_id as string;
        const won = await settle(
          Array.from({ length: N }, () => request(node, 'update', 'auth/approle/login', '', { role_id: roleId, secret_id: secretId })),
          (r) => !!(r.auth as { clientToken?: string } | undefined)?.clientToken,
        );
        assert.equal(won, k, `secret_id_num_uses=${k}`);
      }
    });

    it('kv v2: of N writes with cas=current exactly one lands', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const path = `secret/data/cas-${round}`;
        await request(node, 'update', path, root, { data: { v: 'first' } });
        const won = await settle(
          Array.from({ length: N }, (_, i) => request(node, 'update', path, root, { data: { v: `w${i}` }, options: { cas: 1 } })),
          (r) => succeeded(r) && (r.data as { version?: number }).version === 2,
        );
        assert.equal(won, 1, `round ${round}`);
        const read = await request(node, 'read', path, root);
        assert.equal((read.data!.metadata as { version: number }).version, 2);
      }
    });
  });

  describe(`unseal under parallel share submissions (${kind} storage)`, { timeout: 120_000 }, () => {
    it('the threshold shares sent at once by several operators unseal exactly once', async () => {
      const node = new Node({ storage: await make() });
      try {
        const init = await node.initialize({ secret_shares: 3, secret_threshold: 2 });
        for (let round = 0; round < ROUNDS; round++) {
          let unseals = 0;
          const off = node.on('unsealed', () => unseals++);
          const subs = [...init.keys, ...init.keys, ...init.keys].map((k) => node.unseal(k));
          const results = await Promise.allSettled(subs);
          off();
          for (const r of results) assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
          const status = await node.sealStatus();
          assert.equal(status.sealed, false, `round ${round}`);
          assert.equal(status.progress, 0, `round ${round}: progress cleared`);
          assert.equal(unseals, 1, `round ${round}: one unseal`);
          await node.seal();
        }
      } finally {
        await node.shutdown();
      }
    });
  });
}

const dirs: string[] = [];
suite('file', async () => {
  const d = await mkdtemp(join(tmpdir(), 'strongroom-once-'));
  dirs.push(d);
  return new FileBackend(d);
});
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

let consul: ConsulCluster | undefined;
let prefixes = 0;
const consulBackends: ConsulBackend[] = [];
before(async () => {
  consul = await startConsulDev();
});
after(async () => {
  for (const b of consulBackends) await b.close();
  await consul?.stop();
});
suite('consul', async () => {
  const b = new ConsulBackend({ address: consul!.addresses[0]!, path: `once${prefixes++}-${Date.now()}/`, checkTtl: '2s', sessionTtl: '10s', lockDelay: '0s' });
  consulBackends.push(b);
  return b;
});
