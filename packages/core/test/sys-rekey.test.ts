import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequestError } from '../src/errors.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';
import type { Response } from '../src/logical/request.js';

/** Public curve25519 key with an encryption subkey (base64 of the binary key, as Vault takes it). */
const GOOD_KEY =
  'xjMEXgvhABYJKwYBBAHaRw8BAQdAHa0hZX8sDST+q5mk1RfGC28d7obehBHbBK9q0qccIL7NCnJla2V5IHRlc3TCwBMEExYKAIUFgl4L4QADCwkHCRAzsROVWJu02UUUAAAAAAAcACBzYWx0QG5vdGF0aW9ucy5vcGVucGdwanMub3Jnq6yzUadPJHRH19SXzBByKYN95wbDcjCfR+AunxEAoWcFFQoIDgwEFgACAQIZAQKbAwIeARYhBGdVz+MtTlSpLOMm/jOxE5VYm7TZAACpxwEArJuLNp2P/3ADp3jXL4oTLMz33VkF/ZtQe+pF56RlxysBALlDdyZ49eewBp2ky4wXaxpafgCvoXsdGcam2V0jKskBzjgEXgvhABIKKwYBBAGXVQEFAQEHQHDiktLdbvKjaZhfMhAnlCLVHhBm8sL0OptoTewmLAQmAwEIB8K+BBgWCgBwBYJeC+EACRAzsROVWJu02UUUAAAAAAAcACBzYWx0QG5vdGF0aW9ucy5vcGVucGdwanMub3JnVnMY6DO7j2BL8NdCmh0Ou+y1x0tHVyhoE77pn8mqzV0CmwwWIQRnVc/jLU5UqSzjJv4zsROVWJu02QAAIuMBAPd7CXU5uuI7/MXOH1mGqIkUoNnWpAi8ZGzKG3Ccu3n3AP0Qc7N4pi0sYmkmo+J0SXLJnBIkJIdiEjBOvGcxGPwnAQ==';
const GOOD_FINGERPRINT = '6755cfe32d4e54a92ce326fe33b11395589bb4d9';
/** A well-formed public key with no key that can encrypt (an ed25519 primary key only). */
const SIGN_ONLY_KEY =
  'xjMEXgvhABYJKwYBBAHaRw8BAQdAoD7F68aUcS9uRvEMZdks949qqHmpZPPtrmqacS1EmAHNCXNpZ24gb25secLAEwQTFgoAhQWCXgvhAAMLCQcJEAf4Rpy6iqXfRRQAAAAAABwAIHNhbHRAbm90YXRpb25zLm9wZW5wZ3Bqcy5vcmcwQWRiXQ1urNEeG0I2KQ9S4R3u2qQRLTEeyAUOXiBmPAUVCggODAQWAAIBAhkBApsDAh4BFiEEdW2+nxBoTVR1R9S3B/hGnLqKpd8AAG4FAQC/TfX7/Tyw4N5S3bldih6TRTpi6oG9cr2+33ogjHBYhAD/SEkBPXF0a8tfAvyPaAXDHxe9LgsMh1uyafLT4eUp4wg=';

const body = (resp: Response): Record<string, unknown> => resp.raw?.body as Record<string, unknown>;

describe('sys/rekey with PGP keys', () => {
  let core: Node;
  let root: string;
  let unsealKey: string;
  before(async () => {
    ({ core, rootToken: root, unsealKey } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  const init = (data: Record<string, unknown>): Promise<Response> => request(core, 'update', 'sys/rekey/init', root, data);
  const started = async (): Promise<unknown> => body(await request(core, 'read', 'sys/rekey/init', root)).started;

  it('refuses at init a key it cannot parse, and starts no attempt', async () => {
    for (const key of ['not a key', Buffer.from('not a key either').toString('base64'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----']) {
      await assert.rejects(init({ secret_shares: 1, secret_threshold: 1, pgp_keys: [key] }), (err: Error) => {
        assert.ok(err instanceof InvalidRequestError, String(err));
        assert.match(err.message, /^failed to get PGP key fingerprints: error parsing given PGP key/);
        return true;
      });
      assert.equal(await started(), false);
    }
  });

  it('refuses at init a key that cannot encrypt', async () => {
    await assert.rejects(init({ secret_shares: 1, secret_threshold: 1, pgp_keys: [SIGN_ONLY_KEY] }), {
      name: 'InvalidRequestError',
      message: /^failed to get PGP key fingerprints/,
    });
    assert.equal(await started(), false);
  });

  it('checks every key, not only the first', async () => {
    await assert.rejects(init({ secret_shares: 3, secret_threshold: 2, pgp_keys: [GOOD_KEY, GOOD_KEY, 'bad'] }), InvalidRequestError);
    await assert.rejects(init({ secret_shares: 2, secret_threshold: 2, pgp_keys: [GOOD_KEY, SIGN_ONLY_KEY] }), InvalidRequestError);
    assert.equal(await started(), false);
  });

  it('refuses a number of keys other than secret_shares', async () => {
    await assert.rejects(init({ secret_shares: 3, secret_threshold: 2, pgp_keys: [GOOD_KEY] }), { message: /incorrect number of PGP keys/ });
    await assert.rejects(init({ secret_shares: 1, secret_threshold: 1, pgp_keys: [GOOD_KEY, GOOD_KEY] }), { message: /incorrect number of PGP keys/ });
    await assert.rejects(init({ secret_shares: 1, secret_threshold: 1, backup: true }), { message: /without providing PGP keys/ });
    assert.equal(await started(), false);
  });

  it('with usable keys: reports their fingerprints, encrypts the new shares to them and backs them up', async () => {
    const first = body(await init({ secret_shares: 2, secret_threshold: 2, pgp_keys: [GOOD_KEY, GOOD_KEY], backup: true }));
    assert.equal(first.started, true);
    assert.deepEqual(first.pgp_fingerprints, [GOOD_FINGERPRINT, GOOD_FINGERPRINT]);
    assert.deepEqual(body(await request(core, 'read', 'sys/rekey/init', root)).pgp_fingerprints, [GOOD_FINGERPRINT, GOOD_FINGERPRINT]);
    // A second init while one is under way is refused, even with good keys.
    await assert.rejects(init({ secret_shares: 1, secret_threshold: 1, pgp_keys: [GOOD_KEY] }), { message: /already in progress/ });

    const done = body(await request(core, 'update', 'sys/rekey/update', root, { key: unsealKey, nonce: first.nonce }));
    assert.equal(done.complete, true);
    assert.deepEqual(done.pgp_fingerprints, [GOOD_FINGERPRINT, GOOD_FINGERPRINT]);
    const keys = done.keys as string[];
    assert.equal(keys.length, 2);
    // PGP messages, not the 33-byte shares themselves.
    for (const k of keys) assert.ok(Buffer.from(k, 'hex').length > 100, k);
    const backup = await request(core, 'read', 'sys/rekey/backup', root);
    assert.deepEqual(backup.data, { nonce: first.nonce, keys: { [GOOD_FINGERPRINT]: keys } });
    assert.equal(await started(), false);
  });
});
