// End to end over HTTP: init, unseal by several operators, restart, encryption at rest, rotation, rekey,
// generate-root and bad input, each against the file backend and a real Consul.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startConsulCluster, type ConsulCluster } from '@strongroom/storage/testing';
import {
  assertClientError,
  assertSealStatus,
  call,
  consulStorage,
  fileStorage,
  leaks,
  sleep,
  startServer,
  waitActive,
  type CallOptions,
  type Json,
  type RawStorage,
  type Reply,
  type StartedServer,
} from './helpers/seal-e2e.js';

const MiB = 1024 * 1024;

/** Shares of another initialization: valid in shape, wrong for every node under test. */
let foreignKeys: string[] = [];

before(async () => {
  const storage = await fileStorage();
  const dir = await mkdtemp(path.join(tmpdir(), 'strongroom-seal-foreign-'));
  const { srv, url } = await startServer(storage, dir);
  try {
    const init = await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    assert.equal(init.status, 200, init.text);
    foreignKeys = init.body.keys;
  } finally {
    await srv.close();
    await storage.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});

for (const kind of ['file', 'consul'] as const) {
  describe(`seal lifecycle over ${kind} storage`, () => {
    let storage: RawStorage;
    let consul: ConsulCluster | undefined;
    let dir: string;
    let node: StartedServer | null = null;
    let url = '';
    let keys: string[] = [];
    let keysB64: string[] = [];
    let rootToken = '';
    const markers = {
      alpha: `alpha-plaintext-${randomBytes(8).toString('hex')}`,
      beta: `beta-plaintext-${randomBytes(8).toString('hex')}`,
      gamma: `gamma-after-rotate-${randomBytes(8).toString('hex')}`,
    };
    const status = async (agent?: http.Agent): Promise<Json> => {
      const r = await call(url, 'GET', '/v1/sys/seal-status', { agent });
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const unseal = (key: unknown, agent?: http.Agent): Promise<Reply> => call(url, 'PUT', '/v1/sys/unseal', { body: { key }, agent });
    const read = (p: string, token = rootToken): Promise<Reply> => call(url, 'GET', `/v1/${p}`, { token });
    const start = async (): Promise<void> => {
      node = await startServer(storage, dir);
      url = node.url;
    };
    const stop = async (): Promise<void> => {
      const n = node;
      node = null;
      await n?.srv.close();
    };

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), `strongroom-seal-${kind}-`));
      if (kind === 'file') {
        storage = await fileStorage();
      } else {
        // A one-server cluster rather than a dev agent: `consul agent -dev` also binds the fixed gRPC-TLS port 8503,
        // so a second dev agent on the machine (another test file running alongside) fails to start.
        consul = await startConsulCluster(1);
        storage = consulStorage(consul, `seal-e2e-${randomBytes(4).toString('hex')}/`);
      }
      await start();
    });
    after(async () => {
      await stop();
      await storage?.cleanup();
      await consul?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('bad input on an uninitialized node is a 4xx with a message, and initializes nothing', async () => {
      assertSealStatus(await status(), { initialized: false, sealed: true, t: 0, n: 0, progress: 0, storage: kind });
      const init = (o: CallOptions): Promise<Reply> => call(url, 'PUT', '/v1/sys/init', o);
      assertClientError(await init({ raw: '{"secret_shares": 5,' }), 400, /JSON/);
      assertClientError(await init({ raw: '[5, 3]' }), 400);
      assertClientError(await init({ raw: '"five"' }), 400);
      assertClientError(await init({ body: { secret_shares: 'five', secret_threshold: 3 } }), 400, /secret_shares/);
      assertClientError(await init({ body: { secret_shares: 5, secret_threshold: { n: 3 } } }), 400, /secret_threshold/);
      assertClientError(await init({ body: { secret_shares: 5.5, secret_threshold: 3 } }), 400);
      assertClientError(await init({ body: { secret_shares: 3, secret_threshold: 5 } }), 400, /threshold cannot be larger than shares/);
      assertClientError(await init({ body: { secret_shares: 5, secret_threshold: 1 } }), 400, /threshold must be greater than one/);
      assertClientError(await init({ body: { secret_shares: 0, secret_threshold: 0 } }), 400);
      assertClientError(await init({ body: { secret_shares: 256, secret_threshold: 3 } }), 400);
      assertClientError(await init({ body: { secret_shares: -5, secret_threshold: -3 } }), 400);
      assertClientError(await init({ body: {} }), 400);
      assertClientError(await init({ raw: Buffer.alloc(32 * MiB + 1, 0x20) }), 413);
      assertClientError(await unseal('abcd'), 400, /not initialized/);
      assert.equal((await call(url, 'GET', '/v1/sys/init')).body.initialized, false);
      assertSealStatus(await status(), { initialized: false, sealed: true, t: 0, n: 0, progress: 0, storage: kind });
    });

    test('init 5/3, then three operators on separate connections unseal with one share each', async () => {
      // Two operators racing to init: one wins, the other is told it is done.
      const racing = await Promise.all([0, 1].map(() => call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 5, secret_threshold: 3 } })));
      const init = racing.find((r) => r.status === 200)!;
      assert.ok(init, racing.map((r) => r.text).join('\n'));
      assertClientError(racing.find((r) => r !== init)!, 400, /already initialized/);
      keys = init.body.keys;
      keysB64 = init.body.keys_base64;
      rootToken = init.body.root_token;
      assert.equal(keys.length, 5);
      assert.equal(keysB64.length, 5);
      assert.equal(new Set(keys).size, 5);
      for (let i = 0; i < 5; i++) assert.deepEqual(Buffer.from(keys[i]!, 'hex'), Buffer.from(keysB64[i]!, 'base64'));
      assert.equal(typeof rootToken, 'string');
      assert.ok(rootToken.length > 0);
      assertClientError(await call(url, 'PUT', '/v1/sys/init', { body: { secret_shares: 5, secret_threshold: 3 } }), 400, /already initialized/);

      const clients = [0, 1, 2].map(() => new http.Agent({ keepAlive: false, maxSockets: 1 }));
      try {
        assertSealStatus(await status(clients[0]), { initialized: true, sealed: true, t: 3, n: 5, progress: 0, storage: kind });
        const first = await unseal(keys[0], clients[0]);
        assert.equal(first.status, 200, first.text);
        assertSealStatus(first.body, { initialized: true, sealed: true, t: 3, n: 5, progress: 1, storage: kind });
        const nonce = first.body.nonce;
        // The second operator sees the first one's progress, and adds to it.
        assertSealStatus(await status(clients[1]), { initialized: true, sealed: true, t: 3, n: 5, progress: 1, storage: kind });
        assert.equal((await status(clients[1])).nonce, nonce);
        const second = await unseal(keysB64[1], clients[1]);
        assert.equal(second.status, 200, second.text);
        assertSealStatus(second.body, { initialized: true, sealed: true, t: 3, n: 5, progress: 2, storage: kind });
        assert.equal(second.body.nonce, nonce);
        const seen = await status(clients[2]);
        assert.equal(seen.progress, 2);
        assert.equal(seen.nonce, nonce);
        const third = await unseal(keys[2], clients[2]);
        assert.equal(third.status, 200, third.text);
        assertSealStatus(third.body, { initialized: true, sealed: false, t: 3, n: 5, progress: 0, storage: kind });
      } finally {
        for (const c of clients) c.destroy();
      }
      await waitActive(url);
      assertSealStatus(await status(), { initialized: true, sealed: false, t: 3, n: 5, progress: 0, storage: kind });
      // Already unsealed: a key is accepted and changes nothing.
      const again = await unseal(keys[3]);
      assert.equal(again.status, 200);
      assert.equal(again.body.sealed, false);
    });

    test('values written through the API appear nowhere in storage in plaintext', async () => {
      const mount = await call(url, 'POST', '/v1/sys/mounts/e2e-kv', { token: rootToken, body: { type: 'kv', options: { version: '2' } } });
      assert.equal(mount.status, 204, mount.text);
      for (const [name, value] of Object.entries({ alpha: markers.alpha, beta: markers.beta })) {
        const w = await call(url, 'POST', `/v1/e2e-kv/data/${name}`, { token: rootToken, body: { data: { password: value, note: `${value}-note` } } });
        assert.equal(w.status, 200, w.text);
      }
      const r = await read('e2e-kv/data/alpha');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.data.data.password, markers.alpha);

      const entries = await storage.entries();
      assert.ok(entries.size > 5, `only ${entries.size} entries in storage`);
      // Written values, the root token, and the unseal shares: none may be readable from the storage.
      const secrets = [markers.alpha, markers.beta, `${markers.alpha}-note`, rootToken, ...keys, ...keysB64];
      let bytes = 0;
      for (const [key, value] of entries) {
        bytes += value.length;
        for (const s of secrets) assert.ok(!leaks(value, s), `plaintext of a secret found in storage at ${key}`);
      }
      assert.ok(bytes > 0);
      // The shares themselves in binary form.
      for (const k of keys) {
        const raw = Buffer.from(k, 'hex');
        for (const [key, value] of entries) assert.ok(!value.includes(raw), `an unseal share found in storage at ${key}`);
      }
    });

    test('a stored value copied to another key fails to decrypt, and the node keeps serving', async () => {
      const entries = await storage.entries();
      const src = [...entries.keys()].find((k) => /^logical\/[^/]+\/metadata\/alpha$/.test(k));
      assert.ok(src, `no metadata entry for alpha among ${[...entries.keys()].join(', ')}`);
      await storage.put(src.replace(/alpha$/, 'copied'), entries.get(src)!);
      const r = await read('e2e-kv/data/copied');
      assert.ok(r.status >= 500 && r.status < 600, `expected a 5xx, got ${r.status} ${r.text}`);
      assert.ok(Array.isArray(r.body?.errors));
      assert.ok(!r.text.includes(markers.alpha));
      // The node is still up and every other value still reads.
      assert.equal((await call(url, 'GET', '/v1/sys/health')).status, 200);
      const ok = await read('e2e-kv/data/alpha');
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.data.data.password, markers.alpha);
    });

    test('rotate adds a term; values written under the old term still read', async () => {
      const before = await read('sys/key-status');
      assert.equal(before.status, 200, before.text);
      assert.equal(before.body.data.term, 1);
      assert.ok(!Number.isNaN(Date.parse(before.body.data.install_time)));
      assertClientError(await call(url, 'PUT', '/v1/sys/rotate', {}), 403);
      const rot = await call(url, 'PUT', '/v1/sys/rotate', { token: rootToken });
      assert.equal(rot.status, 204, rot.text);
      const afterRotate = await read('sys/key-status');
      assert.equal(afterRotate.body.data.term, 2);
      assert.equal(afterRotate.body.term, 2, 'key-status data is also at the top level');
      for (const [name, value] of Object.entries({ alpha: markers.alpha, beta: markers.beta })) {
        const r = await read(`e2e-kv/data/${name}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.data.data.password, value);
      }
      const w = await call(url, 'POST', '/v1/e2e-kv/data/gamma', { token: rootToken, body: { data: { password: markers.gamma } } });
      assert.equal(w.status, 200, w.text);
      // The new value is framed with the new term.
      const entries = await storage.entries();
      const gammaMeta = entries.get([...entries.keys()].find((k) => /^logical\/[^/]+\/metadata\/gamma$/.test(k))!)!;
      assert.equal(gammaMeta.readUInt32BE(0), 2);
      for (const [key, value] of entries) assert.ok(!leaks(value, markers.gamma), `plaintext at ${key}`);
    });

    test('generate-root with an OTP yields a working root token', async () => {
      const attempt = await call(url, 'PUT', '/v1/sys/generate-root/attempt', { body: {} });
      assert.equal(attempt.status, 200, attempt.text);
      const { otp, nonce } = attempt.body;
      assert.equal(attempt.body.started, true);
      assert.equal(attempt.body.required, 3);
      assert.equal(typeof otp, 'string');
      assert.equal(otp.length, attempt.body.otp_length);
      assert.ok(otp.length > 0);
      assertClientError(await call(url, 'PUT', '/v1/sys/generate-root/update', { body: { key: keys[0], nonce: 'not-the-nonce' } }), 400, /nonce/);
      let last: Reply | null = null;
      for (const [i, key] of [keys[1], keysB64[3], keys[4]].entries()) {
        last = await call(url, 'PUT', '/v1/sys/generate-root/update', { body: { key, nonce } });
        assert.equal(last.status, 200, last.text);
        if (i < 2) {
          assert.equal(last.body.progress, i + 1);
          assert.equal(last.body.complete, false);
          // A share given twice is refused during generate-root (unlike unseal).
          if (i === 0) assertClientError(await call(url, 'PUT', '/v1/sys/generate-root/update', { body: { key, nonce } }), 400, /already been provided/);
        }
      }
      assert.equal(last!.body.complete, true);
      const encoded = Buffer.from(last!.body.encoded_token, 'base64');
      assert.ok(!String(last!.body.encoded_token).endsWith('='), 'raw base64 without padding');
      const otpBytes = Buffer.from(otp);
      assert.equal(encoded.length, otpBytes.length);
      const token = Buffer.from(encoded.map((b, i) => b ^ otpBytes[i]!)).toString('utf8');
      assert.notEqual(token, rootToken);
      const self = await read('auth/token/lookup-self', token);
      assert.equal(self.status, 200, self.text);
      assert.deepEqual(self.body.data.policies, ['root']);
      const secret = await read('e2e-kv/data/beta', token);
      assert.equal(secret.body.data.data.password, markers.beta);
    });

    test('after a restart the node is sealed, and the unseal rules hold', async () => {
      await stop();
      await start();
      assertSealStatus(await status(), { initialized: true, sealed: true, t: 3, n: 5, progress: 0, storage: kind });
      assert.equal((await call(url, 'GET', '/v1/sys/health')).status, 503);
      assertClientError(await read('e2e-kv/data/alpha'), 503, /sealed/);

      // Undecodable keys: 400, and nothing counted.
      for (const bad of ['not hex or base64!', 'abc', 'zz', '%%%%', ' ', 12345, true, ['a'], { k: 1 }, null]) {
        assertClientError(await unseal(bad), 400);
        assert.equal((await status()).progress, 0, `progress after key ${JSON.stringify(bad)}`);
      }
      // Well-formed hex or base64 that cannot be a share of this seal: refused at once, not counted.
      for (const bad of ['deadbeef', Buffer.alloc(16, 7).toString('base64'), keys[0]!.slice(0, -2), `${keys[0]}00`]) {
        assertClientError(await unseal(bad), 400);
        assert.equal((await status()).progress, 0, `progress after key ${JSON.stringify(bad)}`);
      }
      assertClientError(await call(url, 'PUT', '/v1/sys/unseal', { body: {} }), 400, /'key' must be specified/);
      assertClientError(await call(url, 'PUT', '/v1/sys/unseal', { raw: '{"key": "' }), 400, /JSON/);
      assertClientError(await call(url, 'PUT', '/v1/sys/unseal', { body: { reset: 'maybe' } }), 400);
      assertClientError(await call(url, 'PUT', '/v1/sys/unseal', { raw: Buffer.alloc(32 * MiB + 1024, 0x41) }), 413);
      assert.equal((await status()).progress, 0);

      // The same share twice counts once, in hex or in base64.
      const one = await unseal(keys[0]);
      assert.equal(one.body.progress, 1);
      const firstNonce = one.body.nonce;
      assert.equal((await unseal(keys[0])).body.progress, 1);
      assert.equal((await unseal(keysB64[0])).body.progress, 1);
      // reset clears the attempt.
      const reset = await call(url, 'PUT', '/v1/sys/unseal', { body: { reset: true } });
      assert.equal(reset.status, 200, reset.text);
      assertSealStatus(reset.body, { initialized: true, sealed: true, t: 3, n: 5, progress: 0, storage: kind });

      // A share of another initialization at the threshold: 400, and the attempt starts over.
      assert.equal((await unseal(keys[0])).body.progress, 1);
      const n1 = (await status()).nonce;
      assert.notEqual(n1, firstNonce);
      assert.equal((await unseal(keys[1])).body.progress, 2);
      const wrong = await unseal(foreignKeys[2]);
      assertClientError(wrong, 400, /^Unseal failed, invalid key$/);
      assertSealStatus(await status(), { initialized: true, sealed: true, t: 3, n: 5, progress: 0, storage: kind });
      const restart = await unseal(keys[0]);
      assert.equal(restart.body.progress, 1);
      assert.notEqual(restart.body.nonce, n1);

      // The original shares (any three) unseal it, even sent all at once by four operators.
      await call(url, 'PUT', '/v1/sys/unseal', { body: { reset: true } });
      const clients = [0, 1, 2, 3].map(() => new http.Agent({ keepAlive: false }));
      try {
        const replies = await Promise.all([keysB64[4], keys[3], keys[1], keys[2]].map((k, i) => unseal(k, clients[i])));
        for (const r of replies) assert.equal(r.status, 200, r.text);
        assert.equal(replies.filter((r) => r.body.sealed === false).length >= 1, true);
      } finally {
        for (const c of clients) c.destroy();
      }
      assertSealStatus(await status(), { initialized: true, sealed: false, t: 3, n: 5, progress: 0, storage: kind });
      await waitActive(url);
      await sleep(200);
      // The node took up its active duties once, whoever sent the last share.
      assert.equal(node!.output().match(/node is active/g)?.length, 1, node!.output());
      const r = await read('e2e-kv/data/alpha');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.data.data.password, markers.alpha);
      assert.equal((await read('sys/key-status')).body.data.term, 2);
    });

    test('rekey to 3/2: the old shares no longer unseal, the new ones do, and the data is intact', async () => {
      assertClientError(await call(url, 'PUT', '/v1/sys/rekey/update', { body: { key: keys[0], nonce: 'x' } }), 400, /no rekey in progress/);
      const idle = await call(url, 'GET', '/v1/sys/rekey/init');
      assert.equal(idle.status, 200, idle.text);
      assert.equal(idle.body.started, false);
      assert.equal(idle.body.required, 3);
      // An attempt can be looked at and cancelled.
      const first = await call(url, 'PUT', '/v1/sys/rekey/init', { body: { secret_shares: 4, secret_threshold: 2 } });
      assert.equal(first.status, 200, first.text);
      const seen = await call(url, 'GET', '/v1/sys/rekey/init');
      assert.equal(seen.body.started, true);
      assert.equal(seen.body.nonce, first.body.nonce);
      assert.equal(seen.body.n, 4);
      assert.equal((await call(url, 'DELETE', '/v1/sys/rekey/init')).status, 204);
      assert.equal((await call(url, 'GET', '/v1/sys/rekey/init')).body.started, false);
      const init = await call(url, 'PUT', '/v1/sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2 } });
      assert.equal(init.status, 200, init.text);
      assert.equal(init.body.started, true);
      assert.equal(init.body.t, 2);
      assert.equal(init.body.n, 3);
      assert.equal(init.body.required, 3);
      const nonce = init.body.nonce;
      assert.match(nonce, /^[0-9a-f-]{36}$/);
      assertClientError(await call(url, 'PUT', '/v1/sys/rekey/update', { body: { key: keys[0], nonce: 'wrong' } }), 400, /nonce/);
      let last: Reply | null = null;
      for (const key of [keys[0], keys[2], keysB64[4]]) {
        last = await call(url, 'PUT', '/v1/sys/rekey/update', { body: { key, nonce } });
        assert.equal(last.status, 200, last.text);
      }
      assert.equal(last!.body.complete, true);
      const newKeys: string[] = last!.body.keys;
      const newKeysB64: string[] = last!.body.keys_base64;
      assert.equal(newKeys.length, 3);
      assert.equal(newKeysB64.length, 3);
      assert.equal(last!.body.nonce, nonce);
      assertSealStatus(await status(), { initialized: true, sealed: false, t: 2, n: 3, progress: 0, storage: kind });

      const seal = await call(url, 'PUT', '/v1/sys/seal', { token: rootToken });
      assert.equal(seal.status, 204, seal.text);
      assertSealStatus(await status(), { initialized: true, sealed: true, t: 2, n: 3, progress: 0, storage: kind });

      assert.equal((await unseal(keys[0])).body.progress, 1);
      assertClientError(await unseal(keys[1]), 400, /^Unseal failed, invalid key$/);
      assert.equal((await status()).sealed, true);
      assert.equal((await unseal(newKeys[2])).body.progress, 1);
      const done = await unseal(newKeysB64[0]);
      assertSealStatus(done.body, { initialized: true, sealed: false, t: 2, n: 3, progress: 0, storage: kind });
      await waitActive(url);
      for (const [name, value] of Object.entries(markers)) {
        const r = await read(`e2e-kv/data/${name}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.data.data.password, value);
      }
      assert.equal((await read('sys/key-status')).body.data.term, 2, 'a rekey leaves the keyring terms alone');
      // The new shares are not stored either.
      const entries = await storage.entries();
      for (const k of [...newKeys, ...newKeysB64]) for (const [key, v] of entries) assert.ok(!leaks(v, k), `new share at ${key}`);
      keys = newKeys;
      keysB64 = newKeysB64;
    });

    test('bad input on an unsealed node is a 4xx with a message, and the node keeps answering', async () => {
      const rekey = (body: CallOptions): Promise<Reply> => call(url, 'PUT', '/v1/sys/rekey/init', body);
      assertClientError(await rekey({ body: { secret_shares: 'five', secret_threshold: 2 } }), 400, /secret_shares/);
      assertClientError(await rekey({ body: { secret_shares: 2, secret_threshold: 3 } }), 400, /threshold cannot be larger than shares/);
      assertClientError(await rekey({ raw: '{"secret_shares":' }), 400, /JSON/);
      assertClientError(await rekey({ raw: Buffer.alloc(32 * MiB + 1, 0x20) }), 413);
      assert.equal((await call(url, 'GET', '/v1/sys/rekey/init')).body.started, false);
      assertClientError(await call(url, 'PUT', '/v1/sys/unseal', { body: { reset: true } }), 400, /unsealed/);
      const kv = (o: CallOptions): Promise<Reply> => call(url, 'POST', '/v1/e2e-kv/data/bad', { token: rootToken, ...o });
      assertClientError(await kv({ raw: '{"data": {"a": ' }), 400, /JSON/);
      assertClientError(await kv({ body: { data: 'not an object' } }), 400);
      assertClientError(await kv({ raw: Buffer.alloc(33 * MiB, 0x20) }), 413);
      assertClientError(await call(url, 'GET', '/v1/e2e-kv/data/..%2f..%2fsys', { token: rootToken }), 400);
      assertClientError(await call(url, 'PUT', '/v1/sys/generate-root/update', { body: { key: keys[0], nonce: 'x' } }), 400);
      assertClientError(await call(url, 'PUT', '/v1/sys/generate-root/attempt', { body: { otp: 'short' } }), 400, /OTP/);
      assert.equal((await call(url, 'GET', '/v1/sys/health')).status, 200);
      assert.equal((await read('e2e-kv/data/alpha')).body.data.data.password, markers.alpha);
    });
  });
}
