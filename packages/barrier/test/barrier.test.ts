import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import {
  AESGCMBarrier,
  BarrierView,
  BarrierInvalidKeyError,
  InvalidPathError,
  Keyring,
  BarrierSealedError,
  encryptValue,
  generateKey,
  KEYRING_PATH,
} from '@strongroom/barrier';

const text = (s: string) => new Uint8Array(Buffer.from(s));
const str = (b: Uint8Array | null) => (b ? Buffer.from(b).toString() : null);

async function unsealed(storage = new InmemBackend()) {
  const barrier = new AESGCMBarrier(storage);
  const rootKey = generateKey();
  await barrier.initialize(rootKey);
  await barrier.unseal(rootKey);
  return { barrier, storage, rootKey };
}

test('only ciphertext reaches storage, and a value reads back', async () => {
  const { barrier, storage } = await unsealed();
  await barrier.put('logical/abc/secret', text('top-secret-password'));
  assert.equal(str(await barrier.get('logical/abc/secret')), 'top-secret-password');
  for (const key of ['logical/abc/secret', KEYRING_PATH]) {
    const raw = await storage.get(key);
    assert.ok(raw);
    assert.ok(!Buffer.from(raw).includes('top-secret-password'), `${key} holds plaintext`);
  }
  const frame = (await storage.get('logical/abc/secret'))!;
  assert.equal(frame[4], 2, 'framing version 2');
  assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0), 1, 'term 1');
});

test('a value moved to another path does not decrypt', async () => {
  const { barrier, storage } = await unsealed();
  await barrier.put('a/one', text('x'));
  await storage.put('a/two', (await storage.get('a/one'))!);
  await assert.rejects(barrier.get('a/two'), (e: Error) => e.name === 'DecryptFailedError');
});

test('a sealed barrier refuses every operation and forgets its keys', async () => {
  const { barrier, rootKey } = await unsealed();
  await barrier.put('k', text('v'));
  barrier.seal();
  assert.equal(barrier.isSealed(), true);
  await assert.rejects(barrier.get('k'), BarrierSealedError);
  await assert.rejects(barrier.put('k', text('v')), BarrierSealedError);
  await assert.rejects(barrier.list(''), BarrierSealedError);
  await barrier.unseal(rootKey);
  assert.equal(str(await barrier.get('k')), 'v');
});

test('sealing zeroes the key material it held', async () => {
  const { barrier } = await unsealed();
  const keyring = (barrier as unknown as { keyring: Keyring }).keyring;
  const root = keyring.rootKey;
  const term = keyring.active.value;
  barrier.seal();
  assert.ok(root.every((b) => b === 0));
  assert.ok(term.every((b) => b === 0));
});

test('a wrong root key is an invalid key error, and init twice is refused', async () => {
  const { barrier, storage, rootKey } = await unsealed();
  barrier.seal();
  await assert.rejects(barrier.unseal(generateKey()), BarrierInvalidKeyError);
  await assert.rejects(barrier.unseal(new Uint8Array(5)), BarrierInvalidKeyError);
  assert.equal(await barrier.verifyRootKey(rootKey), true);
  assert.equal(await barrier.verifyRootKey(generateKey()), false);
  await assert.rejects(new AESGCMBarrier(storage).initialize(generateKey()), (e: Error) => e.name === 'AlreadyInitializedError');
});

test('rotate adds a term; values of older terms still decrypt', async () => {
  const { barrier, storage, rootKey } = await unsealed();
  await barrier.put('old', text('v1'));
  assert.equal(await barrier.rotate(), 2);
  await barrier.put('new', text('v2'));
  assert.equal(new DataView((await storage.get('new'))!.buffer).getUint32(0), 2);
  assert.equal(barrier.keyStatus().term, 2);
  barrier.seal();
  await barrier.unseal(rootKey);
  assert.equal(str(await barrier.get('old')), 'v1');
  assert.equal(str(await barrier.get('new')), 'v2');
});

test('rekey replaces the root key and keeps the data', async () => {
  const { barrier, rootKey } = await unsealed();
  await barrier.put('k', text('kept'));
  const newRoot = generateKey();
  await barrier.rekey(newRoot);
  barrier.seal();
  await assert.rejects(barrier.unseal(rootKey), BarrierInvalidKeyError);
  await barrier.unseal(newRoot);
  assert.equal(str(await barrier.get('k')), 'kept');
});

test('a second node over the same storage follows a rotation and a rekey', async () => {
  const { barrier: active, storage, rootKey } = await unsealed();
  const standby = new AESGCMBarrier(storage);
  await standby.unseal(rootKey);
  await active.rotate();
  await active.put('after-rotate', text('r'));
  assert.equal(str(await standby.get('after-rotate')), 'r');
  await active.rekey(generateKey());
  await active.rotate();
  await active.put('after-rekey', text('k'));
  assert.equal(str(await standby.get('after-rekey')), 'k');
});

test('the active term rotates by itself after its maximum number of encryptions', async () => {
  const storage = new InmemBackend();
  const rootKey = generateKey();
  // A keyring whose term 1 has already done max_operations - 1 encryptions (Vault's minimum is 1,000,000).
  const keyring = Keyring.create(rootKey, generateKey(), new Date()).withRotation({ maxOperations: 1_000_000, interval: 0, enabled: true });
  keyring.active.encryptions = 999_999;
  await storage.put(KEYRING_PATH, encryptValue(rootKey, 0, KEYRING_PATH, keyring.serialize()));
  const barrier = new AESGCMBarrier(storage);
  await barrier.unseal(rootKey);
  await barrier.put('a', text('1'));
  await barrier.settled();
  assert.equal(barrier.keyStatus().term, 2);
  await barrier.put('b', text('2'));
  assert.equal(str(await barrier.get('a')), '1');
  await assert.rejects(barrier.setRotationConfig({ maxOperations: 10, interval: 0, enabled: true }), /at least 1000000/);
});

test('a view cannot escape its prefix', async () => {
  const { barrier } = await unsealed();
  const view = new BarrierView(barrier, 'logical/m1/');
  await view.put('a/b', text('1'));
  assert.equal(str(await barrier.get('logical/m1/a/b')), '1');
  for (const bad of ['../m2/x', '/abs', 'a//b', 'a/../../x', '']) {
    await assert.rejects(view.put(bad, text('x')), InvalidPathError, bad);
    await assert.rejects(view.get(bad), InvalidPathError, bad);
  }
  await assert.rejects(view.list('../'), InvalidPathError);
  const sub = view.subView('a/');
  assert.equal(str(await sub.get('b')), '1');
  assert.deepEqual(await view.list(''), ['a/']);
  await view.deletePrefix();
  assert.deepEqual(await barrier.list('logical/m1/'), []);
});
