import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerForMap, padEqualSigns, tableOutput } from '../src/format/columns.js';
import { goValue, humanDuration } from '../src/format/go-value.js';
import { goJson } from '../src/format/json.js';
import { wrapAtLength } from '../src/format/wrap.js';
import { keyValueTable, secretRows } from '../src/output.js';
import { statusTable } from '../src/seal-status.js';

describe('tables as Vault prints them', () => {
  it('pads the key column, underlines the header and shows empty values as n/a', () => {
    const data = { foo: 'bar', count: 3, tags: ['a', 'b'], nested: { x: 1 }, empty: '', none: null };
    const rows = Object.keys(data)
      .sort()
      .map((k): [string, string] => [k, goValue((data as Record<string, unknown>)[k])]);
    assert.equal(
      keyValueTable(rows),
      [
        'Key       Value',
        '---       -----',
        'count     3',
        'empty     n/a',
        'foo       bar',
        'nested    map[x:1]',
        'none      <nil>',
        'tags      [a b]',
      ].join('\n'),
    );
  });

  it('lays out a token response with durations, quoted policy lists and metadata', () => {
    const rows = secretRows({
      auth: {
        client_token: 'hvs.abc',
        accessor: 'acc1',
        policies: ['default', 'ops'],
        token_policies: ['default', 'ops'],
        identity_policies: null,
        metadata: { user: 'bob' },
        lease_duration: 2764800,
        renewable: true,
      },
    });
    assert.equal(
      keyValueTable(rows),
      [
        'Key                  Value',
        '---                  -----',
        'token                hvs.abc',
        'token_accessor       acc1',
        'token_duration       768h',
        'token_renewable      true',
        'token_policies       ["default" "ops"]',
        'identity_policies    []',
        'policies             ["default" "ops"]',
        'token_meta_user      bob',
      ].join('\n'),
    );
  });

  it('shows a root token as never expiring and a kv TTL hint as refresh_interval', () => {
    const root = secretRows({ auth: { client_token: 't', lease_duration: 0 } });
    assert.deepEqual(root.find(([k]) => k === 'token_duration'), ['token_duration', '\u221e']);
    const kv = secretRows({ lease_duration: 2764800, lease_id: '', data: { ttl: 3600 } });
    assert.deepEqual(kv, [
      ['refresh_interval', '768h'],
      ['ttl', '1h'],
    ]);
  });

  it('formats multi-column tables with a pipe delimiter', () => {
    assert.equal(
      tableOutput(['Path | Type | Description', 'cubbyhole/ | cubbyhole | per-token private secret storage', 'secret/ | kv | ']),
      [
        'Path          Type         Description',
        '----          ----         -----------',
        'cubbyhole/    cubbyhole    per-token private secret storage',
        'secret/       kv           n/a',
      ].join('\n'),
    );
  });

  it('prints the status table of an unsealed dev node', () => {
    const seal = {
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 1,
      n: 1,
      progress: 0,
      nonce: '',
      version: '0.1.0',
      build_date: '2024-01-01T00:00:00Z',
      migration: false,
      cluster_name: 'strongroom-cluster-1',
      cluster_id: 'abc',
      recovery_seal: false,
      storage_type: 'inmem',
    };
    assert.equal(
      statusTable(seal, { ha_enabled: false }),
      [
        'Key             Value',
        '---             -----',
        'Seal Type       shamir',
        'Initialized     true',
        'Sealed          false',
        'Total Shares    1',
        'Threshold       1',
        'Version         0.1.0',
        'Build Date      2024-01-01T00:00:00Z',
        'Storage Type    inmem',
        'Cluster Name    strongroom-cluster-1',
        'Cluster ID      abc',
        'HA Enabled      false',
      ].join('\n'),
    );
  });

  it('shows unseal progress on a sealed node and the HA role of an unsealed standby', () => {
    const sealed = statusTable({ type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 1, nonce: 'n1' }, { ha_enabled: true });
    assert.match(sealed, /^Unseal Progress {4}1\/3$/m);
    assert.match(sealed, /^Unseal Nonce {7}n1$/m);
    assert.doesNotMatch(sealed, /HA Mode/);
    const standby = statusTable(
      { type: 'shamir', initialized: true, sealed: false, t: 3, n: 5 },
      { ha_enabled: true, is_self: false, leader_address: 'https://a:8200', leader_cluster_address: 'https://a:8201' },
    );
    assert.match(standby, /^HA Mode\s+standby$/m);
    assert.match(standby, /^Active Node Address\s+https:\/\/a:8200$/m);
  });

  it('titles kv sections with "=" padded to the table width', () => {
    assert.equal(headerForMap('Data', { foo: 'bar' }), '=== Data ===');
    assert.equal(headerForMap('Metadata', { custom_metadata: null, version: 1 }), '======= Metadata =======');
    assert.equal(padEqualSigns('Secret Path', 'secret/data/creds'.length), '== Secret Path ==');
    assert.equal(padEqualSigns('Secret Path', 3), '== Secret Path ==');
  });
});

describe('values as Go prints them', () => {
  it('trims zero units from durations', () => {
    assert.equal(humanDuration(2764800), '768h');
    assert.equal(humanDuration(90), '1m30s');
    assert.equal(humanDuration(3601), '1h1s');
    assert.equal(humanDuration(3600), '1h');
    assert.equal(humanDuration(60), '1m');
    assert.equal(humanDuration(0), '0s');
  });

  it('writes JSON with sorted map keys, struct order kept and HTML characters escaped', () => {
    const json = goJson(new Map<string, unknown>([['b', 1], ['a', { z: 1, y: '<&>' }], ['skip', undefined], ['e', []]]));
    assert.equal(json, '{\n  "b": 1,\n  "a": {\n    "y": "\\u003c\\u0026\\u003e",\n    "z": 1\n  },\n  "e": []\n}');
    assert.equal(goJson({ '10': 1, '2': 2, '1': 3 }), '{\n  "1": 3,\n  "10": 1,\n  "2": 2\n}');
  });

  it('wraps prose the way Vault wraps its init message', () => {
    const text =
      'Vault initialized with 5 key shares and a key threshold of 3. Please securely distribute the key shares ' +
      'printed above. When the Vault is re-sealed, restarted, or stopped, you must supply at least 3 of these ' +
      'keys to unseal it before it can start servicing requests.';
    assert.equal(
      wrapAtLength(text),
      [
        'Vault initialized with 5 key shares and a key threshold of 3. Please securely',
        'distribute the key shares printed above. When the Vault is re-sealed,',
        'restarted, or stopped, you must supply at least 3 of these keys to unseal it',
        'before it can start servicing requests.',
      ].join('\n'),
    );
  });
});
