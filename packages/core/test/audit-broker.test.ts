import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditBroker } from '../src/audit/audit-broker.js';
import type { AuditDevice, AuditEntry } from '../src/audit/audit-device.js';
import { hashWithSalt } from '../src/audit/salt.js';
import type { Request, RequestAuth } from '../src/logical/request.js';

class Capture implements AuditDevice {
  readonly type = 'capture';
  readonly entries: AuditEntry[] = [];
  async logRequest(e: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(e));
  }
  async logResponse(e: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(e));
  }
  async reload(): Promise<void> {}
  async close(): Promise<void> {}
}

function auth(token: string, accessor: string): RequestAuth {
  return {
    clientToken: token,
    accessor,
    displayName: 'token',
    policies: ['default'],
    tokenPolicies: ['default'],
    metadata: {},
    entityId: '',
    tokenType: 'service',
    ttl: 60,
    issueTime: new Date(0),
    numUses: 0,
    remainingUses: 0,
    orphan: true,
    path: 'auth/token/create',
  };
}

function request(a: RequestAuth, data: Record<string, unknown> = {}): Request {
  return { id: crypto.randomUUID(), operation: 'update', path: 'secret/x', data, clientToken: a.clientToken, headers: {}, auth: a };
}

describe('AuditBroker: HMACs carried from one entry, and one request, to the next', () => {
  it('every entry of every request carries exactly the HMACs of its own token, accessor and data', async () => {
    const broker = new AuditBroker();
    const plain = new Capture();
    const other = new Capture();
    const raw = new Capture();
    broker.register('plain', plain, { salt: 'salt-one' });
    broker.register('other', other, { salt: 'salt-two', hmacAccessor: false });
    broker.register('raw', raw, { salt: 'salt-three', logRaw: true });
    const alice = auth('hvs.alice', 'acc-alice');
    const bob = auth('hvs.bob', 'acc-bob');
    const calls: { a: RequestAuth; key: string }[] = [
      { a: alice, key: 'h-alice' },
      { a: alice, key: 'h-alice' },
      { a: bob, key: 'h-bob' },
      { a: alice, key: 'h-alice' },
    ];
    for (const { a, key } of calls) {
      // The token itself appears in the data too: it hashes to the same value as the token field.
      const req = request(a, { echo: a.clientToken, other: 'value' });
      await broker.logRequest({ request: req, auth: a, tokenKey: key });
      await broker.logResponse({ request: req, auth: a, tokenKey: key, response: { data: { secret: 'shh', token: a.clientToken } } });
    }
    const expect = (salt: string, v: string) => hashWithSalt(salt, v);
    for (const [device, salt, hmacAccessor, logRaw] of [
      [plain, 'salt-one', true, false],
      [other, 'salt-two', false, false],
      [raw, 'salt-three', true, true],
    ] as const) {
      assert.equal(device.entries.length, calls.length * 2);
      device.entries.forEach((e, i) => {
        const a = calls[Math.floor(i / 2)]!.a;
        const h = (v: string) => (logRaw ? v : expect(salt, v));
        assert.equal(e.auth?.client_token, h(a.clientToken));
        assert.equal(e.request?.client_token, h(a.clientToken));
        assert.equal(e.auth?.accessor, logRaw || !hmacAccessor ? a.accessor : expect(salt, a.accessor));
        assert.deepEqual(e.request?.data, { echo: h(a.clientToken), other: h('value') });
        if (e.type === 'response') assert.deepEqual(e.response?.data, { secret: h('shh'), token: h(a.clientToken) });
      });
    }
  });
});
