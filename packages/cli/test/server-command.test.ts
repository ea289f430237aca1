import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunServerOptions, ServerModule } from '../src/server-module.js';
import { run } from './support/cli-io.js';

function stub(mod: ServerModule) {
  return { loadServer: async () => mod };
}

describe('server', () => {
  it('passes the dev flags and every -config to the server and lasts until it stops', async () => {
    let seen: RunServerOptions | undefined;
    const res = await run(
      ['server', '-dev', '-dev-root-token-id=root', '-dev-listen-address=127.0.0.1:8300', '-config=a.hcl', '-config', 'b.hcl', '-log-level=debug'],
      { cwd: '/etc/strongroom', main: stub({ runServer: async (opts) => ((seen = opts), { close: async () => undefined, closed: Promise.resolve() }) }) },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(seen?.dev, true);
    assert.equal(seen?.devRootTokenId, 'root');
    assert.equal(seen?.devListenAddress, '127.0.0.1:8300');
    assert.deepEqual(seen?.configPaths, [path.resolve('/etc/strongroom', 'a.hcl'), path.resolve('/etc/strongroom', 'b.hcl')]);
    assert.equal(seen?.logLevel, 'debug');
    assert.equal(seen?.installSignalHandlers, true);
  });

  it('takes the dev token from VAULT_DEV_ROOT_TOKEN_ID', async () => {
    let seen: RunServerOptions | undefined;
    await run(['server', '-dev'], {
      env: { VAULT_DEV_ROOT_TOKEN_ID: 'from-env' },
      main: stub({ runServer: async (opts) => ((seen = opts), { close: async () => undefined, closed: Promise.resolve() }) }),
    });
    assert.equal(seen?.devRootTokenId, 'from-env');
  });

  it('needs -config unless -dev, and reports a server that fails to start', async () => {
    const none = await run(['server'], { main: stub({}) });
    assert.deepEqual(none, { code: 1, stdout: '', stderr: 'At least one config path must be specified with -config\n' });
    const failing = await run(['server', '-config=x.hcl'], {
      main: stub({ runServer: async () => Promise.reject(new Error('no storage stanza')) }),
    });
    assert.deepEqual(failing, { code: 1, stdout: '', stderr: 'Error starting server: no storage stanza\n' });
  });
});

describe('operator migrate', () => {
  it('runs the storage migration of the server package', async () => {
    let seen = '';
    const res = await run(['operator', 'migrate', '-config=migrate.hcl'], {
      cwd: '/srv',
      main: stub({ migrateStorage: async (p) => void (seen = p) }),
    });
    assert.deepEqual(res, { code: 0, stdout: 'Success! All of the keys have been migrated.\n', stderr: '' });
    assert.equal(seen, path.resolve('/srv', 'migrate.hcl'));
  });

  it('says when this build cannot migrate, and requires -config', async () => {
    const unsupported = await run(['operator', 'migrate', '-config=m.hcl'], { main: stub({}) });
    assert.equal(unsupported.code, 1);
    assert.match(unsupported.stderr, /not supported by this build/);
    const noConfig = await run(['operator', 'migrate'], { main: stub({}) });
    assert.equal(noConfig.code, 1);
  });
});
