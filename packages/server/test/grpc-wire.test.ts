import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GrpcStatus,
  decodeMessage,
  encodeMessage,
  formatTimeout,
  frameMessage,
  parseTimeout,
  statusFromHttp,
  unframeMessage,
} from '../src/cluster/grpc-wire.js';

describe('gRPC wire format', () => {
  test('grpc-timeout: at most eight digits, read back to at least the time asked', () => {
    assert.equal(formatTimeout(90_000), '90000m');
    assert.equal(formatTimeout(0.2), '1m');
    for (const ms of [1, 999, 90_000, 99_999_999, 100_000_000, 3_000_000_000, 1e15]) {
      const header = formatTimeout(ms);
      assert.match(header, /^\d{1,8}[HMSmun]$/);
      assert.ok(parseTimeout(header)! >= Math.min(ms, 99_999_999 * 3_600_000), header);
    }
    assert.equal(parseTimeout('250m'), 250);
    assert.equal(parseTimeout('3S'), 3000);
    assert.equal(parseTimeout('1H'), 3_600_000);
    assert.equal(parseTimeout(undefined), undefined);
    assert.equal(parseTimeout('123456789m'), null, 'nine digits');
    assert.equal(parseTimeout('10x'), null);
  });

  test('grpc-message: printable ASCII stays, the rest is percent-encoded UTF-8, and decodes back', () => {
    assert.equal(encodeMessage('node is not active'), 'node is not active');
    assert.equal(encodeMessage('50% done\n'), '50%25 done%0A');
    for (const s of ['plain', 'per%cent', 'über ✓', 'line\r\nbreak', '']) assert.equal(decodeMessage(encodeMessage(s)), s);
    assert.equal(decodeMessage('%zz'), '%zz', 'a malformed escape is kept as it came');
  });

  test('one message per unary body: framed and unframed, anything else refused', () => {
    const payload = Buffer.from('hello');
    const framed = frameMessage(payload);
    assert.deepEqual([...framed.subarray(0, 5)], [0, 0, 0, 0, 5]);
    assert.deepEqual(unframeMessage([framed.subarray(0, 3), framed.subarray(3)]), payload);
    assert.equal((unframeMessage([Buffer.concat([framed, framed])]) as { code: number }).code, GrpcStatus.INTERNAL);
    assert.equal((unframeMessage([Buffer.alloc(0)]) as { code: number }).code, GrpcStatus.INTERNAL);
    const compressed = Buffer.from(framed);
    compressed[0] = 1;
    assert.equal((unframeMessage([compressed]) as { code: number }).code, GrpcStatus.UNIMPLEMENTED);
  });

  test('an HTTP status without a gRPC status maps as the specification says', () => {
    assert.equal(statusFromHttp(503), GrpcStatus.UNAVAILABLE);
    assert.equal(statusFromHttp(401), GrpcStatus.UNAUTHENTICATED);
    assert.equal(statusFromHttp(404), GrpcStatus.UNIMPLEMENTED);
    assert.equal(statusFromHttp(500), GrpcStatus.UNKNOWN);
  });
});
