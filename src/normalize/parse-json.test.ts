import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonLine, parseJsonValue } from './parse-json.js';
import { mc, ok, rejected } from './test-support.js';

const limits = { maxFields: 200, maxDepth: 8 };

test('a JSON object line maps fields and keeps nested metadata', () => {
  const d = ok(parseJsonLine('{"@timestamp":"2024-01-01T00:00:00.123456789Z","severity":"error","service":{"name":"api"},"msg":"boom","http":{"status":500,"path":"/x"},"tags":["a","b"]}', mc, limits));
  assert.deepEqual([d.format, d.timestamp, d.level, d.service, d.message], ['json', '2024-01-01T00:00:00.123456789Z', 'ERROR', 'api', 'boom']);
  assert.deepEqual(d.metadata, { http: { status: 500, path: '/x' }, tags: ['a', 'b'] });
});

test('broken JSON is unparseable; non-objects are not_an_object; no message is missing_message', () => {
  assert.equal(rejected(parseJsonLine('{"msg": "x"', mc, limits)).reason, 'unparseable');
  assert.equal(rejected(parseJsonLine('{msg: 1}', mc, limits)).reason, 'unparseable');
  for (const v of [null, 1, 'x', [], [{ msg: 'x' }], true]) assert.equal(rejected(parseJsonValue(v, mc, limits)).reason, 'not_an_object', JSON.stringify(v));
  assert.equal(rejected(parseJsonLine('{"level":"info","data":{"message":"nested is not top-level"}}', mc, limits)).reason, 'missing_message');
});

test('maxDepth counts the object itself as depth 1, arrays included', () => {
  const at = (depth: number): string => `{"msg":"x","a":${'{"a":'.repeat(depth - 2)}{}${'}'.repeat(depth - 2)}}`;
  assert.ok(parseJsonLine(at(8), mc, limits).ok);
  const r = rejected(parseJsonLine(at(9), mc, limits));
  assert.equal(r.reason, 'too_deep');
  assert.match(r.message, /maxDepth \(8\)/);
  assert.equal(rejected(parseJsonLine(`{"msg":"x","a":${'['.repeat(8)}${']'.repeat(8)}}`, mc, limits)).reason, 'too_deep');
  assert.ok(parseJsonLine(`{"msg":"x","a":${'['.repeat(7)}${']'.repeat(7)}}`, mc, limits).ok);
});

test('maxFields counts keys at every depth', () => {
  const o: Record<string, unknown> = { msg: 'x', nested: { a: 1, b: { c: 2 } } }; // 5 keys
  assert.ok(parseJsonValue(o, mc, { maxFields: 5, maxDepth: 8 }).ok);
  const r = rejected(parseJsonValue(o, mc, { maxFields: 4, maxDepth: 8 }));
  assert.equal(r.reason, 'too_many_fields');
  assert.match(r.message, /maxFields \(4\)/);
  assert.equal(rejected(parseJsonValue({ msg: 'x', list: [{ a: 1 }, { b: 2 }] }, mc, { maxFields: 3, maxDepth: 8 })).reason, 'too_many_fields');
});

test('a cyclic object from a caller stops at maxDepth instead of recursing forever', () => {
  const o: Record<string, unknown> = { msg: 'x' };
  o.self = o;
  assert.equal(rejected(parseJsonValue(o, mc, limits)).reason, 'too_deep');
});
