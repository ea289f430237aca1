import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, testCoreUnsealed } from '../src/testing.js';
import type { Node } from '../src/node.js';
import type { Response } from '../src/logical/request.js';

const body = (resp: Response): Record<string, any> => resp.raw?.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('sys/rekey with require_verification', () => {
  let core: Node;
  let root: string;
  let unsealKey: string;
  before(async () => {
    ({ core, rootToken: root, unsealKey } = await testCoreUnsealed());
  });
  after(async () => core.shutdown());

  it('keeps the old key until the new shares are proven, then only the new ones unseal', async () => {
    await core.mounts.enable('kept/', { type: 'kv', options: { version: '1' } });
    await request(core, 'update', 'kept/x', root, { v: 'still here' });
    const init = body(await request(core, 'update', 'sys/rekey/init', root, { secret_shares: 3, secret_threshold: 2, require_verification: true }));
    assert.equal(init.started, true);
    assert.equal(init.verification_required, true);
    const done = body(await request(core, 'update', 'sys/rekey/update', root, { key: unsealKey, nonce: init.nonce }));
    assert.equal(done.complete, true);
    assert.equal(done.keys.length, 3);
    assert.ok(done.verification_nonce);

    // Not verified yet: the old key is still the one that unseals.
    const status = body(await request(core, 'read', 'sys/rekey/verify', root));
    assert.equal(status.progress, 0);
    await assert.rejects(request(core, 'update', 'sys/rekey/verify', root, { key: done.keys[0], nonce: 'wrong' }), /incorrect nonce/);
    assert.equal(body(await request(core, 'update', 'sys/rekey/verify', root, { key: done.keys[0], nonce: done.verification_nonce })).progress, 1);
    const verified = body(await request(core, 'update', 'sys/rekey/verify', root, { key: done.keys[2], nonce: done.verification_nonce }));
    assert.equal(verified.complete, true);

    await core.seal();
    await core.unseal(unsealKey).then(
      () => assert.fail('the old key still unseals after the rekey'),
      (err: Error) => assert.match(err.message, /invalid key|must be|length/),
    );
    await core.unseal(done.keys[1]);
    const s = await core.unseal(done.keys[0]);
    assert.equal(s.sealed, false);
    await core.waitActive();
    const read = await request(core, 'read', 'kept/x', root);
    assert.equal(read.data?.v, 'still here');
  });
});

describe('sys/generate-root in OTP mode', () => {
  it('a wrong nonce or a repeated share is refused; the encoded token decodes to a working root token', async () => {
    const { core, unsealKey } = await testCoreUnsealed();
    try {
      const start = body(await request(core, 'update', 'sys/generate-root/attempt', '', {}));
      assert.equal(start.started, true);
      assert.equal(start.otp.length, start.otp_length);
      await assert.rejects(request(core, 'update', 'sys/generate-root/update', '', { key: unsealKey, nonce: 'nope' }), /incorrect nonce/);
      const done = body(await request(core, 'update', 'sys/generate-root/update', '', { key: unsealKey, nonce: start.nonce }));
      assert.equal(done.complete, true);
      const enc = Buffer.from(done.encoded_token, 'base64');
      const otp = Buffer.from(start.otp, 'utf8');
      const token = Buffer.from(enc.map((b, i) => b ^ otp[i]!)).toString('utf8');
      const me = await request(core, 'read', 'auth/token/lookup-self', token);
      assert.deepEqual(me.data?.policies, ['root']);
    } finally {
      await core.shutdown();
    }
  });
});
