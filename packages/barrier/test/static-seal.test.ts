import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarrierInvalidKeyError, DecryptFailedError, StaticSeal, generateKey } from '@strongroom/barrier';

test('static seal: wraps and unwraps a root key with AES-256-GCM under the current key', async () => {
  const seal = new StaticSeal({ currentKeyId: 'k1', currentKey: generateKey() });
  const root = generateKey();
  const w = await seal.wrap(root);
  assert.equal(w.type, 'static');
  assert.equal(w.key_id, 'k1');
  assert.ok(!Buffer.from(w.ciphertext, 'base64').includes(Buffer.from(root)));
  const { plain, stale } = await seal.unwrap(w);
  assert.deepEqual(plain, root);
  assert.equal(stale, false);
});

test('static seal: a key of the wrong length is refused, naming the key', () => {
  assert.throws(() => new StaticSeal({ currentKeyId: 'k1', currentKey: new Uint8Array(16) }), (e: Error) => e instanceof BarrierInvalidKeyError && /current_key must be 32 bytes, got 16/.test(e.message));
  assert.throws(() => new StaticSeal({ currentKeyId: '', currentKey: generateKey() }), BarrierInvalidKeyError);
  assert.throws(() => new StaticSeal({ currentKeyId: 'a', currentKey: generateKey(), previousKeyId: 'a', previousKey: generateKey() }), /must differ/);
  assert.throws(() => new StaticSeal({ currentKeyId: 'a', currentKey: generateKey(), previousKeyId: 'b' }), /go together/);
});

test('static seal: rotation: a value wrapped by the previous key unwraps and is reported stale', async () => {
  const oldKey = generateKey();
  const root = generateKey();
  const before = await new StaticSeal({ currentKeyId: 'old', currentKey: oldKey }).wrap(root);
  const rotated = new StaticSeal({ currentKeyId: 'new', currentKey: generateKey(), previousKeyId: 'old', previousKey: oldKey });
  const { plain, stale } = await rotated.unwrap(before);
  assert.deepEqual(plain, root);
  assert.equal(stale, true);
  const rewrapped = await rotated.wrap(plain);
  assert.equal(rewrapped.key_id, 'new');
  // Without the previous key the old value no longer opens, and the error names both ids.
  await assert.rejects(new StaticSeal({ currentKeyId: 'new', currentKey: generateKey() }).unwrap(before), (e: Error) => e instanceof DecryptFailedError && /"old"/.test(e.message) && /"new"/.test(e.message));
});

test('static seal: a tampered value, or one relabelled with another key id, fails authentication', async () => {
  const key = generateKey();
  const seal = new StaticSeal({ currentKeyId: 'a', currentKey: key, previousKeyId: 'b', previousKey: key });
  const w = await seal.wrap(generateKey());
  const raw = Buffer.from(w.ciphertext, 'base64');
  raw[20]! ^= 1;
  await assert.rejects(seal.unwrap({ ...w, ciphertext: raw.toString('base64') }), DecryptFailedError);
  await assert.rejects(seal.unwrap({ ...w, key_id: 'b' }), DecryptFailedError);
  await assert.rejects(seal.unwrap({ ...w, ciphertext: 'AAAA' }), /truncated/);
});
