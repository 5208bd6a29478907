import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogfmt, splitLogfmt } from './parse-logfmt.js';
import { mc, ok, rejected } from './test-support.js';

test('splitLogfmt reads bare and quoted values with escapes', () => {
  assert.deepEqual(splitLogfmt('a=1 b="two words" c= d="q\\"uote\\\\ \\n\\u00e9" url=/x?y=z', 10),
    { a: '1', b: 'two words', c: '', d: 'q"uote\\ \né', url: '/x?y=z' });
  assert.deepEqual(splitLogfmt('  a=1\tb=2  ', 10), { a: '1', b: '2' });
  assert.deepEqual(splitLogfmt('a=1 a=2', 10), { a: '2' });
});

test('lines that are not all key=value pairs are not logfmt', () => {
  for (const l of ['a=1', 'hello a=1 b=2', 'a=1 hello b=2', 'a="unterminated b=2', 'a="x"y b=2', '=1 b=2', 'just text']) {
    assert.equal(splitLogfmt(l, 10), null, l);
    assert.equal(parseLogfmt(l, mc, 10), null, l);
  }
});

test('logfmt maps aliases like JSON and keeps the rest as string metadata', () => {
  const d = ok(parseLogfmt('ts=2024-01-01T00:00:00.5Z level=warn svc=api msg="disk at 91%" user=u1 duration_ms=12 service.name=ignored', mc, 200));
  assert.equal(d.format, 'logfmt');
  assert.equal(d.timestamp, '2024-01-01T00:00:00.5Z');
  assert.equal(d.level, 'WARN');
  assert.equal(d.service, 'api');
  assert.equal(d.message, 'disk at 91%');
  assert.equal(d.user_id, 'u1');
  assert.deepEqual(d.metadata, { duration_ms: '12', 'service.name': 'ignored' });
});

test('without a message key the whole line is the message', () => {
  const d = ok(parseLogfmt('method=GET path=/x status=200', mc, 200));
  assert.equal(d.message, 'method=GET path=/x status=200');
  assert.deepEqual(d.metadata, { method: 'GET', path: '/x', status: '200' });
});

test('more pairs than maxFields is too_many_fields; a bad ts is invalid_timestamp', () => {
  assert.equal(rejected(parseLogfmt('a=1 b=2 c=3 msg=x', mc, 3)).reason, 'too_many_fields');
  assert.equal(rejected(parseLogfmt('ts=never msg=x', mc, 10)).reason, 'invalid_timestamp');
});

test('a __proto__ key is kept as data', () => {
  const d = ok(parseLogfmt('msg=x __proto__=polluted', mc, 10));
  assert.equal(Object.getOwnPropertyDescriptor(d.metadata, '__proto__')?.value, 'polluted');
  assert.equal(Object.getPrototypeOf(d.metadata), Object.prototype);
});
