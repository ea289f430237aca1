import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError, PermissionDeniedError } from '../src/errors.js';
import type { Node } from '../src/node.js';
import { request, testCoreUnsealed } from '../src/testing.js';

/** A JSON body as the HTTP layer hands it on: `__proto__` stays an own key, as JSON.parse leaves it. */
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** `__proto__` and `constructor` sent by a client are data, never structure: they grant nothing and hide nothing. */
describe('__proto__ and constructor keys from clients', () => {
  let core: Node;
  let root: string;
  let dir: string;
  let auditFile: string;
  before(async () => {
    ({ core, rootToken: root } = await testCoreUnsealed());
    dir = await mkdtemp(join(tmpdir(), 'proto-keys-'));
    auditFile = join(dir, 'audit.log');
    await request(core, 'update', 'sys/audit/file', root, { type: 'file', options: { file_path: auditFile, log_raw: 'true' } });
  });
  after(async () => {
    await core.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  const tokenWith = async (policy: string): Promise<string> => {
    const name = `p${Math.random().toString(36).slice(2)}`;
    await request(core, 'update', `sys/policies/acl/${name}`, root, { policy });
    return (await request(core, 'update', 'auth/token/create', root, { policies: [name] })).auth!.clientToken!;
  };

  it('grants no hidden capability from a JSON policy', async () => {
    const policy = '{"path": {"secret/data/hidden": {"__proto__": {"capabilities": ["read", "sudo"]}}}}';
    const outcome = await tokenWith(policy).then(
      async (token) => {
        const caps = await request(core, 'update', 'sys/capabilities-self', token, { paths: ['secret/data/hidden'] });
        return caps.data?.capabilities;
      },
      (err: unknown) => err,
    );
    if (!(outcome instanceof InvalidRequestError)) assert.deepEqual(outcome, ['deny']);
  });

  it('grants no hidden capability from an HCL policy', async () => {
    const policy = 'path "secret/data/hidden" {\n  __proto__ = { capabilities = ["read", "sudo"] }\n}';
    const outcome = await tokenWith(policy).then(
      async (token) => {
        const caps = await request(core, 'update', 'sys/capabilities-self', token, { paths: ['secret/data/hidden'] });
        return caps.data?.capabilities;
      },
      (err: unknown) => err,
    );
    if (!(outcome instanceof InvalidRequestError)) assert.deepEqual(outcome, ['deny']);
  });

  it('treats `constructor` and `__proto__` as ordinary parameter names in a policy', async () => {
    for (const name of ['constructor', '__proto__']) {
      const token = await tokenWith(
        `{"path": {"secret/data/params": {"capabilities": ["create", "update", "read"], "allowed_parameters": {"${name}": [], "data": []}}}}`,
      );
      await request(core, 'update', 'secret/data/params', token, json(`{"data": {"a": "b"}, "${name}": "x"}`));
    }
  });

  it('refuses (403, audited) a `constructor` body key outside allowed_parameters instead of failing', async () => {
    const token = await tokenWith('path "secret/data/ctor" { capabilities = ["create", "update"]\n allowed_parameters = { "data" = [] } }');
    await assert.rejects(request(core, 'update', 'secret/data/ctor', token, json('{"data": {"a": "b"}, "constructor": "x"}')), PermissionDeniedError);
    await assert.rejects(request(core, 'update', 'secret/data/ctor', token, json('{"data": {"a": "b"}, "__proto__": "x"}')), PermissionDeniedError);
    const denyToken = await tokenWith('path "secret/data/ctor" { capabilities = ["create", "update"]\n denied_parameters = { "zzz" = [] } }');
    await request(core, 'update', 'secret/data/ctor', denyToken, json('{"data": {"a": "b"}, "constructor": "x", "toString": "y"}'));
    const entries = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { request?: { path?: string }; error?: string });
    assert.ok(entries.some((e) => e.request?.path === 'secret/data/ctor' && e.error === 'permission denied'));
  });

  it('keeps data under `__proto__` in the audit entry', async () => {
    await request(core, 'update', 'secret/data/audited', root, json('{"data": {"a": "b"}, "options": {}, "__proto__": {"smuggled": "yes"}}'));
    const lines = (await readFile(auditFile, 'utf8')).trim().split('\n');
    const req = lines.map((l) => JSON.parse(l) as { type: string; request: { path: string; data?: Record<string, unknown> } })
      .find((e) => e.type === 'request' && e.request.path === 'secret/data/audited');
    assert.ok(req?.request.data);
    assert.ok(Object.hasOwn(req.request.data, '__proto__'), JSON.stringify(req.request.data));
    assert.deepEqual(req.request.data['__proto__'], { smuggled: 'yes' });
  });

  it('stores and returns kv data keys `__proto__` and `constructor` as data', async () => {
    await request(core, 'update', 'secret/data/protokv', root, json('{"data": {"__proto__": {"x": "y"}, "constructor": "c", "a": "b"}}'));
    const read = await request(core, 'read', 'secret/data/protokv', root);
    const data = (read.data as { data: Record<string, unknown> }).data;
    assert.deepEqual(Object.keys(data).sort(), ['__proto__', 'a', 'constructor']);
    assert.deepEqual(data['__proto__'], { x: 'y' });
  });
});
