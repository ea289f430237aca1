import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import type { Node } from '../src/node.js';
import { request, testCoreUnsealed } from '../src/testing.js';
import { globMatchesAny } from '../src/token/token-policies.js';

/** Milliseconds `fn` takes. */
function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('token role policy globs', () => {
  it('match with `*` anywhere, as Vault does', () => {
    const cases: [string, string, boolean][] = [
      ['dev-*', 'dev-a', true],
      ['dev-*', 'prod-a', false],
      ['*-admin', 'ops-admin', true],
      ['*prod*admin*x', 'a-prod-b-admin-c-x', true],
      ['*prod*admin*x', 'prodadminx', true],
      ['*prod*admin*x', 'adminprodx', false],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['ab*ba', 'aba', false],
      ['*', '', true],
      ['exact', 'exact', true],
      ['exact', 'exactly', false],
      ['a**b', 'ab', true],
      ['x*y*z', 'xyyz', true],
      ['x*y*z', 'xzy', false],
    ];
    for (const [glob, value, want] of cases) assert.equal(globMatchesAny([glob], value), want, `${glob} ~ ${value}`);
  });

  it('take time linear in the input, even for a glob that backtracks as a regular expression', () => {
    const value = 'prodadmin'.repeat(600);
    const ms = timed(() => assert.equal(globMatchesAny(['*prod*admin*x'], value), false));
    assert.ok(ms < 200, `took ${ms}ms`);
  });

  describe('through auth/token', () => {
    let core: Node;
    let root: string;
    before(async () => {
      ({ core, rootToken: root } = await testCoreUnsealed());
      await request(core, 'update', 'auth/token/roles/globby', root, { disallowed_policies_glob: ['*prod*admin*x'] });
    });
    after(async () => core.shutdown());

    it('refuses an overlong policy name quickly instead of freezing on the glob', async () => {
      const t0 = performance.now();
      await assert.rejects(
        request(core, 'update', 'auth/token/create/globby', root, { policies: ['prodadmin'.repeat(600)] }),
        InvalidRequestError,
      );
      const ms = performance.now() - t0;
      assert.ok(ms < 500, `took ${ms}ms`);
    });

    it('refuses overlong globs on a role', async () => {
      await assert.rejects(
        request(core, 'update', 'auth/token/roles/long', root, { allowed_policies_glob: [`${'a'.repeat(300)}*`] }),
        InvalidRequestError,
      );
    });

    it('still applies the role globs', async () => {
      await assert.rejects(request(core, 'update', 'auth/token/create/globby', root, { policies: ['my-prod-admin-x'] }), /disallowed/);
      const ok = await request(core, 'update', 'auth/token/create/globby', root, { policies: ['dev'] });
      assert.deepEqual(ok.auth?.policies, ['default', 'dev']);
    });
  });
});
