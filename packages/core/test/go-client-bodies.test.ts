// Vault's Go client (api/sys_init.go, api/sys_rekey.go, api/sys_generate_root.go) sends every field of its request
// structs: zero values for what the operator did not give, and `Backup` without a JSON tag.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InmemBackend } from '@strongroom/storage';
import { InvalidRequestError } from '../src/errors.js';
import type { Response } from '../src/logical/request.js';
import { Node } from '../src/node.js';
import { request } from '../src/testing.js';

const body = (resp: Response): Record<string, unknown> => resp.raw?.body as Record<string, unknown>;

/** What `vault operator init -key-shares=N -key-threshold=T` sends. */
const goInit = (n: number, t: number): Record<string, unknown> => ({
  secret_shares: n,
  secret_threshold: t,
  stored_shares: 0,
  pgp_keys: null,
  recovery_shares: 0,
  recovery_threshold: 0,
  recovery_pgp_keys: null,
  root_token_pgp_key: '',
});

describe('requests as Vault\'s Go client sends them', () => {
  let node: Node;
  let root = '';
  let keys: string[] = [];
  before(() => {
    node = new Node({ storage: new InmemBackend() });
  });
  after(() => node.shutdown());

  it('sys/init refuses recovery parameters other than zero, naming those given', async () => {
    const refused = async (extra: Record<string, unknown>, message: string): Promise<void> => {
      await assert.rejects(request(node, 'update', 'sys/init', '', { ...goInit(1, 1), ...extra }), (err: Error) => {
        assert.ok(err instanceof InvalidRequestError, String(err));
        assert.equal(err.message, message);
        return true;
      });
    };
    await refused({ recovery_shares: 3, recovery_threshold: 2 }, 'parameters recovery_shares,recovery_threshold not applicable to seal type shamir');
    await refused({ recovery_threshold: 2 }, 'parameters recovery_threshold not applicable to seal type shamir');
    await refused({ recovery_pgp_keys: ['k'] }, 'parameters recovery_pgp_keys not applicable to seal type shamir');
    assert.equal(await node.initialized(), false);
  });

  it('sys/init takes recovery_shares 0, recovery_threshold 0 and null lists as not given', async () => {
    const r = body(await request(node, 'update', 'sys/init', '', goInit(3, 2)));
    keys = r.keys_base64 as string[];
    root = r.root_token as string;
    assert.equal(keys.length, 3);
    assert.equal(await node.initialized(), true);
  });

  it('sys/unseal takes reset and migrate as false', async () => {
    for (const key of keys.slice(0, 2)) await request(node, 'update', 'sys/unseal', '', { key, reset: false, migrate: false });
    await node.waitActive();
    assert.equal(node.isSealed(), false);
  });

  it('sys/rekey/init reads the untagged `Backup` and ignores stored_shares 0', async () => {
    const goRekey = { secret_shares: 2, secret_threshold: 2, stored_shares: 0, pgp_keys: null, require_verification: false };
    await assert.rejects(request(node, 'update', 'sys/rekey/init', root, { ...goRekey, Backup: true }), /backup of the new keys without providing PGP keys/);
    const r = await request(node, 'update', 'sys/rekey/init', root, { ...goRekey, Backup: false });
    assert.equal(body(r).started, true);
    assert.equal(body(r).n, 2);
    await request(node, 'delete', 'sys/rekey/init', root);
  });

  it('sys/generate-root/attempt takes an empty otp and pgp_key as not given', async () => {
    const r = body(await request(node, 'update', 'sys/generate-root/attempt', root, { otp: '', pgp_key: '' }));
    assert.equal(r.started, true);
    assert.ok(typeof r.otp === 'string' && r.otp.length > 0);
    await request(node, 'delete', 'sys/generate-root/attempt', root);
  });
});
