import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { InmemBackend } from '@strongroom/storage';
import { AESGCMBarrier, BarrierInvalidInputError, BarrierInvalidKeyError, combine, generateKey, split, validateShamirParams } from '@strongroom/barrier';

function pick<T>(items: T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

test('every shares/threshold pair up to 10/10 rebuilds 32-byte secrets, leading zero bytes included', () => {
  for (let shares = 1; shares <= 10; shares++) {
    for (let threshold = shares === 1 ? 1 : 2; threshold <= shares; threshold++) {
      for (const secret of [generateKey(), Uint8Array.from([0, 0, 0, ...randomBytes(29)]), Uint8Array.from([...randomBytes(31), 0]), new Uint8Array(32)]) {
        const parts = split(secret, shares, threshold);
        assert.equal(parts.length, shares);
        for (let trial = 0; trial < 3; trial++) {
          const subset = pick(parts, threshold + (trial % Math.max(1, shares - threshold + 1)));
          assert.deepEqual(combine(subset), secret, `${shares}/${threshold}`);
        }
      }
    }
  }
});

test('bounds are checked with clear messages', () => {
  assert.throws(() => validateShamirParams(0, 0), /shares must be at least one/);
  assert.throws(() => validateShamirParams(3, 1), /threshold must be greater than one/);
  assert.throws(() => validateShamirParams(3, 4), /threshold cannot be larger than shares/);
  assert.throws(() => validateShamirParams(256, 3), /shares must be less than 256/);
  assert.throws(() => split(generateKey(), 2.5, 2), BarrierInvalidInputError);
  assert.doesNotThrow(() => validateShamirParams(255, 255));
});

test('a duplicated, truncated or mixed-length share is refused', () => {
  const parts = split(generateKey(), 5, 3);
  assert.throws(() => combine([parts[0]!, parts[0]!, parts[1]!]), /duplicate share/);
  assert.throws(() => combine([parts[0]!, parts[1]!, parts[2]!.subarray(0, 10)]), BarrierInvalidInputError);
  assert.throws(() => combine([parts[0]!, parts[1]!, new Uint8Array(parts[2]!.length + 16).fill(8)]), BarrierInvalidInputError);
});

test('a foreign set of shares is caught as an invalid key when it fails to open the keyring', async () => {
  const rootKey = generateKey();
  const barrier = new AESGCMBarrier(new InmemBackend());
  await barrier.initialize(rootKey);
  const mine = split(rootKey, 5, 3);
  const foreign = split(generateKey(), 5, 3);
  const mixed = combine([mine[0]!, mine[1]!, foreign[2]!]);
  await assert.rejects(barrier.unseal(mixed), BarrierInvalidKeyError);
  await barrier.unseal(combine([mine[4]!, mine[2]!, mine[0]!]));
  assert.equal(barrier.isSealed(), false);
});
