import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from './support/cli-io.js';

describe('command lookup and help', () => {
  it('lists the commands and exits 127 when none is named, as Vault does', async () => {
    const res = await run([]);
    assert.equal(res.code, 127);
    assert.match(res.stderr, /^Usage: strongroom <command> \[args\]/);
    assert.match(res.stderr, /^ {4}kv {10}Interact with the key-value store$/m);
    assert.equal((await run(['frobnicate'])).code, 127);
  });

  it('prints help on stdout with exit 0 for -h at any level', async () => {
    const top = await run(['-h']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Commands:/);
    const group = await run(['kv', '-help']);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /^Usage: strongroom kv <subcommand>/);
    assert.match(group.stdout, /^ {4}metadata {4}Interact with secret metadata/m);
    const command = await run(['operator', 'init', '--help']);
    assert.equal(command.code, 0);
    assert.match(command.stdout, /^Usage: strongroom operator init \[options\]/);
    assert.match(command.stdout, /^ {2}-key-shares=<int>\n {6}Number of unseal key shares to create\. The default is 5\.$/m);
  });

  it('shows the subcommands of a group named alone, with exit 1', async () => {
    const res = await run(['operator']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^ {4}generate-root {4}Generates a new root token$/m);
  });

  it('checks the number of arguments before calling anything', async () => {
    assert.deepEqual(await run(['kv', 'get']), { code: 1, stdout: '', stderr: 'Not enough arguments (expected 1, got 0)\n' });
    assert.deepEqual(await run(['status', 'extra']), { code: 1, stdout: '', stderr: 'Too many arguments (expected 0, got 1)\n' });
    assert.deepEqual(await run(['operator', 'unseal', 'a', 'b']), { code: 1, stdout: '', stderr: 'Too many arguments (expected 0-1, got 2)\n' });
  });

  it('prints the version', async () => {
    const res = await run(['version']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /^Strongroom v\d+\.\d+\.\d+\n$/);
  });
});
