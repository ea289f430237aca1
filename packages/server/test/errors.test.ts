import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { BarrierSealedError } from '@strongroom/barrier';
import {
  AuditFailedError,
  type Node,
  CoreError,
  InvalidRequestError,
  PermissionDeniedError,
  SealedError,
  StandbyError,
  UnsupportedOperationError,
  type Request,
  type Response,
} from '@strongroom/core';
import { CodedError, FencedError, InvalidDurationError, StorageInvalidKeyError, ValueTooLargeError } from '@strongroom/storage';
import { ForwardingError } from '../src/cluster/errors.js';
import { buildApp, ConfigError, ERROR_STATUS, errorCode, errorReply, HttpError, sendError, statusForError, type AppOptions } from '../src/index.js';

describe('error table', () => {
  it('maps the typed errors of every package to their status', () => {
    assert.equal(statusForError(new InvalidRequestError('bad')), 400);
    assert.equal(statusForError(new PermissionDeniedError()), 403);
    assert.equal(statusForError(new UnsupportedOperationError()), 405);
    assert.equal(statusForError(new SealedError()), 503);
    assert.equal(statusForError(new BarrierSealedError()), 503);
    assert.equal(statusForError(new StorageInvalidKeyError('a//b', 'empty segment')), 400);
    assert.equal(statusForError(new ValueTooLargeError('k', 10, 5)), 413);
    assert.equal(statusForError(new FencedError()), 503);
    assert.equal(statusForError(new InvalidDurationError('1x')), 400);
    assert.equal(statusForError(new ConfigError('x')), 500);
    assert.equal(statusForError(new HttpError('http_unsupported_media_type', 'x')), 415);
  });

  it('sees the typed errors of every package as one CodedError', () => {
    const typed = [
      new InvalidRequestError('bad'),
      new BarrierSealedError(),
      new StorageInvalidKeyError('a//b', 'empty segment'),
      new ConfigError('x'),
      new HttpError('http_not_found', ''),
      new ForwardingError('down', true),
    ];
    for (const err of typed) {
      assert.ok(err instanceof CodedError, err.name);
      assert.equal(errorCode(err), err.code);
    }
    assert.equal(statusForError(new ForwardingError('down', true)), 503);
  });

  it('gives every status in the table a sensible HTTP range', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.ok(status >= 400 && status < 600, code);
    }
  });

  it('turns untyped throws and unknown codes into 500 internal error', () => {
    assert.deepEqual(errorReply(new Error('db password is hunter2')), { status: 500, body: { errors: ['internal error'] }, internal: true });
    assert.deepEqual(errorReply('a string'), { status: 500, body: { errors: ['internal error'] }, internal: true });
    const odd = new CoreError('no_such_code' as never, 'odd');
    assert.equal(errorCode(odd), null);
    assert.equal(errorReply(odd).status, 500);
    // A code whose message may carry internals (audit failure) is generic too.
    assert.deepEqual(errorReply(new AuditFailedError()).body, { errors: ['internal error'] });
  });

  it('logs a typed error whose code has no row, with that code', () => {
    const logged: Array<Record<string, unknown> | undefined> = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, meta?: Record<string, unknown>) => logged.push(meta) };
    let status = 0;
    let body = '';
    const res = {
      headersSent: false,
      set statusCode(s: number) {
        status = s;
      },
      setHeader() {},
      end(text?: string) {
        body = text ?? '';
      },
      destroy() {},
    };
    sendError(res as never, new CoreError('no_such_code' as never, 'odd'), logger);
    assert.equal(status, 500);
    assert.deepEqual(JSON.parse(body), { errors: ['internal error'] });
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.code, 'no_such_code');
  });

  it("writes permission denied as Vault's multierror", () => {
    assert.deepEqual(errorReply(new PermissionDeniedError()).body, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
  });

  it('shows the message of client errors, and none for an empty message', () => {
    assert.deepEqual(errorReply(new InvalidRequestError('missing "policy"')).body, { errors: ['missing "policy"'] });
    assert.deepEqual(errorReply(new HttpError('http_method_not_allowed', '')).body, { errors: [] });
    assert.deepEqual(errorReply(new SealedError()).body, { errors: ['Vault is sealed'] });
  });
});

/** An app over a stand-in core whose handleRequest is given by the test. */
async function appWith(handle: (req: Request) => Promise<Response>, extra: Partial<Node> = {}, opts: AppOptions = {}) {
  const node = {
    handleRequest: handle,
    isSealed: () => false,
    isActive: () => true,
    isStandby: () => false,
    haStatus: () => ({ enabled: false, isSelf: true, leaderAddress: '', leaderClusterAddress: '' }),
    ...extra,
  } as unknown as Node;
  const server: Server = createServer(buildApp(node, opts).app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('error responses over HTTP', () => {
  const toClose: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of toClose) await c();
  });

  it('answers an unexpected throw with 500 internal error and keeps the details in the log', async () => {
    const logged: Array<{ message: string; meta?: Record<string, unknown> }> = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string, meta?: Record<string, unknown>) => logged.push({ message, meta }) };
    const app = await appWith(async () => {
      throw new TypeError('cannot read properties of undefined (secret internals)');
    }, {}, { logger });
    toClose.push(app.close);
    const r = await fetch(`${app.url}/v1/secret/data/x`, { headers: { 'X-Vault-Token': 't' } });
    assert.equal(r.status, 500);
    assert.deepEqual(await r.json(), { errors: ['internal error'] });
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]!.meta?.error), /secret internals/);
  });

  const standbyNode = { isActive: () => false, isStandby: () => true } as Partial<Node>;

  it('hands what reaches a standby to its standby handler, body unparsed, and serves the local paths itself', async () => {
    const seen: string[] = [];
    const served: string[] = [];
    const app = await appWith(async (req) => {
      served.push(req.path);
      return { raw: { status: 200, body: { local: true } } };
    }, standbyNode, {
      standby: {
        serveStandby: async (req, res, body) => {
          seen.push(`${req.method} ${req.url} ${body.toString()}`);
          res.statusCode = 200;
          res.end(JSON.stringify({ forwarded: true }));
        },
      },
    });
    toClose.push(app.close);
    const r = await fetch(`${app.url}/v1/secret/data/x`, { method: 'POST', body: '{"data":{} not json' });
    assert.deepEqual(await r.json(), { forwarded: true });
    assert.deepEqual(seen, ['POST /v1/secret/data/x {"data":{} not json']);
    assert.deepEqual(await (await fetch(`${app.url}/v1/sys/health`)).json(), { local: true });
    assert.deepEqual(served, ['sys/health'], 'the node itself served only its local path');
  });

  it('redirects what reaches a standby to the active node when it is known, else 503', async () => {
    const known = await appWith(async () => {
      throw new StandbyError();
    }, { ...standbyNode, haStatus: () => ({ enabled: true, isSelf: false, leaderAddress: 'https://node-a:8200', leaderClusterAddress: 'https://node-a:8201' }) } as Partial<Node>);
    toClose.push(known.close);
    const r = await fetch(`${known.url}/v1/secret/data/x?version=2`, { redirect: 'manual' });
    assert.equal(r.status, 307);
    assert.equal(r.headers.get('location'), 'https://node-a:8200/v1/secret/data/x?version=2');

    const unknown = await appWith(async () => {
      throw new StandbyError();
    }, standbyNode);
    toClose.push(unknown.close);
    assert.equal((await fetch(`${unknown.url}/v1/secret/data/x`)).status, 503);
  });

  it('writes raw responses as given', async () => {
    const app = await appWith(async (req) => {
      if (req.path === 'pki/crl') return { raw: { status: 200, body: 'CRL-BYTES', contentType: 'application/pkix-crl' } };
      return { raw: { status: 404, body: { data: { data: null, metadata: { version: 3 } } } } };
    });
    toClose.push(app.close);
    const crl = await fetch(`${app.url}/v1/pki/crl`);
    assert.equal(crl.headers.get('content-type'), 'application/pkix-crl');
    assert.equal(await crl.text(), 'CRL-BYTES');
    const deleted = await fetch(`${app.url}/v1/secret/data/gone`);
    assert.equal(deleted.status, 404);
    assert.deepEqual(await deleted.json(), { data: { data: null, metadata: { version: 3 } } });
  });

  it('builds the logical request from the HTTP one', async () => {
    let got: Request | undefined;
    const app = await appWith(async (req) => {
      got = req;
      return {};
    });
    toClose.push(app.close);
    await fetch(`${app.url}/v1/secret/metadata/a?list=true&after=b`, { headers: { 'X-Vault-Token': 'tok', 'X-Vault-Wrap-TTL': '90s', 'X-Custom': 'c' } });
    assert.equal(got?.operation, 'list');
    assert.equal(got?.path, 'secret/metadata/a/');
    assert.deepEqual(got?.query, { after: 'b' });
    assert.equal(got?.clientToken, 'tok');
    assert.equal(got?.wrapTTL, 90);
    assert.equal(got?.headers['x-custom'], 'c');
    assert.equal(got?.headers['x-vault-token'], undefined);
    assert.match(got?.remoteAddress ?? '', /127\.0\.0\.1/);
    assert.equal(typeof got?.remotePort, 'number');

    await fetch(`${app.url}/v1/sys/policy/p`, { method: 'DELETE', headers: { Authorization: 'Bearer bt' } });
    assert.equal(got?.operation, 'delete');
    assert.equal(got?.clientToken, 'bt');

    await fetch(`${app.url}/v1/auth/token/create`, { method: 'PUT', body: '{"ttl":"1h"}' });
    assert.equal(got?.operation, 'update');
    assert.deepEqual(got?.data, { ttl: '1h' });
    assert.equal(got?.query, undefined);

    const bad = await fetch(`${app.url}/v1/secret/metadata/a?list=maybe`);
    assert.equal(bad.status, 400);

    await fetch(`${app.url}/v1/secret/data/a`, { headers: { 'X-Vault-Wrap-TTL': '1h30m' } });
    assert.equal(got?.wrapTTL, 5400);
    await fetch(`${app.url}/v1/secret/data/a`, { headers: { 'X-Vault-Wrap-TTL': '300ms' } });
    assert.equal(got?.wrapTTL, undefined);
    for (const ttl of ['1x', '-1s']) {
      const refused = await fetch(`${app.url}/v1/secret/data/a`, { headers: { 'X-Vault-Wrap-TTL': ttl } });
      assert.equal(refused.status, 400, ttl);
      assert.deepEqual(await refused.json(), { errors: [`error parsing X-Vault-Wrap-TTL: invalid duration "${ttl}"`] });
    }
  });
});
