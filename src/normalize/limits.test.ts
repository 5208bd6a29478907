import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesOver, checkFieldSize, checkShape, fieldMaxChars } from './limits.js';

test('bytesOver counts UTF-8 bytes, not UTF-16 units', () => {
  assert.equal(bytesOver('abc', 3), -1);
  assert.equal(bytesOver('abcd', 3), 4);
  assert.equal(bytesOver('é'.repeat(100), 200), -1);
  assert.equal(bytesOver('é'.repeat(100), 199), 200);
  assert.equal(bytesOver('😀', 4), -1);
  assert.equal(bytesOver('😀', 3), 4);
  assert.equal(bytesOver('x'.repeat(70000), 65536), 70000);
});

test('checkShape passes at the limits and names the limit when over', () => {
  assert.equal(checkShape({ a: { b: 1 } }, 2, 2), null);
  assert.equal(checkShape({ a: { b: 1 } }, 1, 2)?.reason, 'too_many_fields');
  assert.equal(checkShape({ a: { b: 1 } }, 2, 1)?.reason, 'too_deep');
  assert.equal(checkShape({ a: [1, 2, 3, 4, 5] }, 1, 2), null);
  assert.equal(checkShape({}, 1, 1), null);
});

test('mapped string fields have the schema size limits', () => {
  assert.deepEqual(fieldMaxChars, { service: 256, host: 256, user_id: 256, trace_id: 128, span_id: 128 });
  assert.equal(checkFieldSize('service', 's'.repeat(256)), null);
  const r = checkFieldSize('service', 's'.repeat(257));
  assert.equal(r?.reason, 'invalid_field');
  assert.match(r?.message ?? '', /service is 257 characters, over its limit of 256/);
  assert.equal(checkFieldSize('trace_id', 't'.repeat(129))?.reason, 'invalid_field');
});
