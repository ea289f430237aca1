import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import type { Node } from '../src/node.js';
import { transitFactory } from '../src/engines/transit.js';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import type { Operation, Request, Response } from '../src/logical/request.js';
import { request, testCoreUnsealed } from '../src/testing.js';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const text = (v: unknown): string => Buffer.from(String(v), 'base64').toString('utf8');
const invalid = (message?: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof InvalidRequestError, `expected InvalidRequestError, got ${String(err)}`);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  return true;
};

describe('transit secrets engine', () => {
  let core: Node;
  let root: string;
  const call = (op: Operation, path: string, data: Record<string, unknown> = {}, token = root) => request(core, op, `transit/${path}`, token, data);
  const encrypt = async (key: string, plaintext: string, extra: Record<string, unknown> = {}) =>
    String((await call('update', `encrypt/${key}`, { plaintext: b64(plaintext), ...extra })).data?.ciphertext);
  const decrypt = async (key: string, ciphertext: string, extra: Record<string, unknown> = {}) =>
    text((await call('update', `decrypt/${key}`, { ciphertext, ...extra })).data?.plaintext);

  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    await request(core, 'update', 'sys/mounts/transit', root, { type: 'transit' });
  });
  after(async () => core.shutdown());

  it('creates a key and reads it back with Vault\'s fields', async () => {
    await call('update', 'keys/app');
    const info = (await call('read', 'keys/app')).data!;
    const { keys, ...rest } = info as { keys: Record<string, number> };
    assert.deepEqual(rest, {
      name: 'app', type: 'aes256-gcm96', deletion_allowed: false, derived: false, exportable: false, allow_plaintext_backup: false,
      min_decryption_version: 1, min_encryption_version: 0, latest_version: 1, min_available_version: 0,
      supports_encryption: true, supports_decryption: true, supports_derivation: true, supports_signing: false, auto_rotate_period: 0, imported_key: false,
    });
    assert.deepEqual(Object.keys(keys), ['1']);
    assert.ok(Math.abs(keys['1']! - Date.now() / 1000) < 60);
    await call('update', 'keys/other', { type: 'chacha20-poly1305', exportable: true });
    assert.deepEqual((await call('list', 'keys')).data?.keys, ['app', 'other']);
    assert.equal((await call('read', 'keys/missing')).raw?.status, 404);
  });

  it('round-trips plaintext for every key type, with the Vault ciphertext framing', async () => {
    for (const type of ['aes256-gcm96', 'aes128-gcm96', 'chacha20-poly1305']) {
      await call('update', `keys/t-${type}`, { type });
      const ct = await encrypt(`t-${type}`, 'the quick brown fox');
      assert.match(ct, /^vault:v1:[A-Za-z0-9+/]+=*$/);
      // nonce (12) + ciphertext (19) + tag (16)
      assert.equal(Buffer.from(ct.slice('vault:v1:'.length), 'base64').length, 12 + 19 + 16);
      assert.equal(await decrypt(`t-${type}`, ct), 'the quick brown fox');
      assert.notEqual(await encrypt(`t-${type}`, 'the quick brown fox'), ct, 'a fresh nonce every time');
    }
    const resp = await call('update', 'encrypt/app', { plaintext: '' });
    assert.equal(resp.data?.key_version, 1);
    assert.equal(await decrypt('app', String(resp.data?.ciphertext)), '');
  });

  it('binds associated data: decryption needs the same bytes', async () => {
    const ct = await encrypt('app', 'with aad', { associated_data: b64('tenant-1') });
    assert.equal(await decrypt('app', ct, { associated_data: b64('tenant-1') }), 'with aad');
    await assert.rejects(decrypt('app', ct, { associated_data: b64('tenant-2') }), invalid('cipher: message authentication failed'));
    await assert.rejects(decrypt('app', ct), invalid('cipher: message authentication failed'));
  });

  it('processes batch_input item by item, reporting a bad item without failing the rest', async () => {
    const enc = await call('update', 'encrypt/app', {
      batch_input: [{ plaintext: b64('one'), reference: 'a' }, { plaintext: 'not base64!' }, { plaintext: b64('two'), associated_data: b64('x') }],
    });
    const results = enc.data?.batch_results as { ciphertext?: string; error?: string; reference: string; key_version?: number }[];
    assert.equal(results.length, 3);
    assert.equal(results[0]!.reference, 'a');
    assert.equal(results[0]!.key_version, 1);
    assert.match(results[1]!.error!, /base64/);
    const dec = await call('update', 'decrypt/app', {
      batch_input: [{ ciphertext: results[0]!.ciphertext }, { ciphertext: results[2]!.ciphertext, associated_data: b64('x') }, { ciphertext: 'garbage' }],
    });
    const plain = dec.data?.batch_results as { plaintext?: string; error?: string }[];
    assert.deepEqual([text(plain[0]!.plaintext), text(plain[1]!.plaintext)], ['one', 'two']);
    assert.equal(plain[2]!.error, 'invalid ciphertext: no prefix');
    await assert.rejects(call('update', 'encrypt/app', { batch_input: [] }), invalid('missing batch input to process'));
    await assert.rejects(call('update', 'encrypt/app', { batch_input: ['x'] }), invalid(/batch_input\[0\]/));
    await assert.rejects(call('update', 'encrypt/app', { batch_input: [{ plaintext: '%%%' }] }), invalid(/base64/));
  });

  it('serves random and hash under the mount, as sys/tools does (hvac calls transit/random and transit/hash)', async () => {
    const r = await call('update', 'random/16', { format: 'hex' });
    assert.match(String(r.data?.random_bytes), /^[0-9a-f]{32}$/);
    assert.equal(Buffer.from(String((await call('update', 'random', { bytes: 24 })).data?.random_bytes), 'base64').length, 24);
    const h = await call('update', 'hash/sha2-256', { input: b64('abc') });
    assert.equal(h.data?.sum, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await assert.rejects(call('update', 'hash', { input: b64('abc'), algorithm: 'md5' }), invalid('unsupported algorithm md5'));
  });

  it('rotates: old ciphertext still decrypts, new ciphertext uses v2, min_decryption_version then refuses v1', async () => {
    await call('update', 'keys/rot');
    const v1 = await encrypt('rot', 'old');
    const rotated = await call('update', 'keys/rot/rotate');
    assert.equal(rotated.data?.latest_version, 2);
    const v2 = await encrypt('rot', 'new');
    assert.ok(v2.startsWith('vault:v2:'));
    assert.equal(await decrypt('rot', v1), 'old');
    assert.equal(await decrypt('rot', v2), 'new');
    assert.ok(String(await encrypt('rot', 'pinned', { key_version: 1 })).startsWith('vault:v1:'));

    await call('update', 'keys/rot/config', { min_decryption_version: 2 });
    assert.equal((await call('read', 'keys/rot')).data?.min_decryption_version, 2);
    await assert.rejects(decrypt('rot', v1), invalid('ciphertext or signature version is disallowed by policy (too old)'));
    assert.equal(await decrypt('rot', v2), 'new');
    await assert.rejects(call('update', 'keys/rot/config', { min_decryption_version: 5 }), invalid(/latest key version is 2/));
    await assert.rejects(call('update', 'keys/rot/config', { min_encryption_version: 1 }), invalid());
    await assert.rejects(encrypt('rot', 'x', { key_version: 3 }), invalid(/higher than the latest/));
  });

  it('rewraps an old ciphertext to the latest or a given version', async () => {
    await call('update', 'keys/wrap');
    const v1 = await encrypt('wrap', 'payload');
    await call('update', 'keys/wrap/rotate');
    await call('update', 'keys/wrap/rotate');
    const latest = await call('update', 'rewrap/wrap', { ciphertext: v1 });
    assert.ok(String(latest.data?.ciphertext).startsWith('vault:v3:'));
    assert.equal(latest.data?.key_version, 3);
    assert.equal(await decrypt('wrap', String(latest.data?.ciphertext)), 'payload');
    const pinned = await call('update', 'rewrap/wrap', { ciphertext: v1, key_version: 2 });
    assert.ok(String(pinned.data?.ciphertext).startsWith('vault:v2:'));
  });

  it('issues data keys, with or without their plaintext', async () => {
    const plain = (await call('update', 'datakey/plaintext/app', { bits: 512 })).data!;
    assert.equal(Buffer.from(String(plain.plaintext), 'base64').length, 64);
    const unwrapped = (await call('update', 'decrypt/app', { ciphertext: plain.ciphertext })).data?.plaintext;
    assert.equal(unwrapped, plain.plaintext);
    const wrapped = (await call('update', 'datakey/wrapped/app')).data!;
    assert.equal(wrapped.plaintext, undefined);
    const key = Buffer.from(String((await call('update', 'decrypt/app', { ciphertext: wrapped.ciphertext })).data?.plaintext), 'base64');
    assert.equal(key.length, 32);
    await assert.rejects(call('update', 'datakey/plaintext/app', { bits: 100 }), invalid('invalid bits value'));
    await assert.rejects(call('update', 'datakey/sideways/app'), invalid());
    await assert.rejects(call('update', 'datakey/wrapped/missing'), invalid('encryption key not found'));
  });

  it('refuses deletion until deletion_allowed, then deletes', async () => {
    await call('update', 'keys/doomed');
    await assert.rejects(call('delete', 'keys/doomed'), invalid('deletion is not allowed for this key'));
    const cfg = await call('update', 'keys/doomed/config', { deletion_allowed: true });
    assert.equal(cfg.data?.deletion_allowed, true);
    await call('delete', 'keys/doomed');
    assert.equal((await call('read', 'keys/doomed')).raw?.status, 404);
    await assert.rejects(call('delete', 'keys/doomed'), invalid());
  });

  it('answers bad input with a 400, never a crash', async () => {
    await assert.rejects(call('update', 'keys/bad', { derived: true }), invalid(/not supported/));
    await assert.rejects(call('update', 'keys/bad', { type: 'rsa-2048' }), invalid(/not supported/));
    await assert.rejects(call('update', 'keys/bad', { type: 'nonsense' }), invalid(/unknown key type/));
    await assert.rejects(call('update', 'encrypt/app', {}), invalid('missing plaintext to encrypt'));
    await assert.rejects(call('update', 'encrypt/app', { plaintext: 'a b' }), invalid(/base64/));
    await assert.rejects(call('update', 'encrypt/app', { plaintext: b64('x'), associated_data: '***' }), invalid(/base64/));
    await assert.rejects(call('update', 'encrypt/app', { plaintext: b64('x'), key_version: 'two' }), invalid());
    await assert.rejects(call('update', 'decrypt/app', {}), invalid('missing ciphertext to decrypt'));
    const good = await encrypt('app', 'x');
    const body = good.slice('vault:v1:'.length);
    const flipped = Buffer.from(body, 'base64');
    flipped[flipped.length - 1]! ^= 1;
    for (const [ct, msg] of [
      ['plain text', 'invalid ciphertext: no prefix'],
      ['vault:nope', 'invalid ciphertext: wrong number of fields'],
      ['vault:vX:' + body, 'invalid ciphertext: version number could not be decoded'],
      ['vault:v1:' + body + '!', 'invalid ciphertext: could not decode base64'],
      ['vault:v1:' + b64('short'), 'invalid ciphertext: too short'],
      ['vault:v9:' + body, 'invalid ciphertext: version is too new'],
      ['vault:v1:' + flipped.toString('base64'), 'cipher: message authentication failed'],
    ] as const) {
      await assert.rejects(decrypt('app', ct), invalid(msg), ct);
    }
    await assert.rejects(call('update', 'decrypt/missing', { ciphertext: good }), invalid('encryption key not found'));
    await assert.rejects(call('update', 'keys/app/config', { exportable: true }).then(() => call('update', 'keys/app/config', { exportable: false })), invalid(/cannot be disabled/));
  });

  it('creates the key on encrypt to a new name only for a caller allowed to create', async () => {
    const ct = await encrypt('fresh', 'upserted');
    assert.equal((await call('read', 'keys/fresh')).data?.latest_version, 1);
    assert.equal(await decrypt('fresh', ct), 'upserted');

    await request(core, 'update', 'sys/policy/enc', root, { policy: 'path "transit/encrypt/*" { capabilities = ["update"] }' });
    const token = (await request(core, 'update', 'auth/token/create', root, { policies: ['enc'] })).auth!.clientToken!;
    await assert.rejects(call('update', 'encrypt/nocreate', { plaintext: b64('x') }, token), PermissionDeniedError);
    assert.ok((await call('update', 'encrypt/fresh', { plaintext: b64('x') }, token)).data?.ciphertext);
  });
});

describe('transit storage', () => {
  async function mount() {
    const storage = new InmemBackend();
    const backend = await transitFactory({
      storage,
      mountPath: 'transit/',
      mountAccessor: 'transit_1',
      config: {},
      options: {},
      system: { defaultLeaseTTL: () => 60, maxLeaseTTL: () => 60, now: () => new Date() },
    });
    const call = async (operation: Operation, path: string, data: Record<string, unknown> = {}): Promise<Response | null> => {
      const req: Request = { id: randomUUID(), operation, path, data, clientToken: 't', headers: {}, mountPoint: 'transit/' };
      if (operation === 'update') req.operation = (await backend.existenceCheck(req)) === false ? 'create' : 'update';
      return backend.handleRequest(req);
    };
    return { storage, call };
  }

  it('never stores a plaintext, only the key entry', async () => {
    const { storage, call } = await mount();
    const secret = 'correct horse battery staple';
    const ct = (await call('update', 'encrypt/k', { plaintext: b64(secret) }))?.data?.ciphertext;
    await call('update', 'decrypt/k', { ciphertext: ct });
    await call('update', 'datakey/plaintext/k');
    assert.deepEqual(await storage.list(''), ['policy/']);
    assert.deepEqual(await storage.list('policy/'), ['k']);
    const stored = Buffer.from((await storage.get('policy/k'))!).toString('utf8');
    assert.ok(!stored.includes(secret) && !stored.includes(b64(secret)));
  });

  it('loses no version when rotations race encryptions', async () => {
    const { call } = await mount();
    await call('update', 'keys/busy');
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(call('update', 'keys/busy/rotate'));
      work.push(call('update', 'encrypt/busy', { plaintext: b64(`m${i}`) }));
    }
    const results = await Promise.all(work);
    const info = (await call('read', 'keys/busy'))!.data!;
    assert.equal(info.latest_version, 21);
    assert.equal(Object.keys(info.keys as object).length, 21);
    for (const [i, r] of results.entries()) {
      if (i % 2 === 0) continue;
      const ct = (r as Response).data?.ciphertext;
      assert.equal(text((await call('update', 'decrypt/busy', { ciphertext: ct }))?.data?.plaintext), `m${(i - 1) / 2}`);
    }
  });
});
