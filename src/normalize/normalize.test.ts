import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { schemaValidators } from '../model/schemas.js';
import { defaultNormalizeOptions, fieldAliases, levelAliases, normalizeBytes, normalizeLine, normalizeObject, type NormalizeResult } from './index.js';
import { rejectReasons } from './reasons.js';
import { line, opts, receivedAt } from './test-support.js';

const ctx = { receivedAt };
const reason = (r: NormalizeResult): string => (r.ok ? 'ok' : r.reason);

test('records carry only defined properties, required ones first, metadata only when non-empty', () => {
  const { record } = line('{"msg":"hi"}');
  assert.deepEqual(Object.keys(record), ['timestamp', 'level', 'service', 'message']);
  assert.deepEqual(record, { timestamp: '2024-06-01T00:00:00.000Z', level: 'INFO', service: 'unknown', message: 'hi' });
  const full = line('{"msg":"hi","ts":1,"level":"debug","service":"s","user":"u","ip":"::1","host":"h","trace_id":"t","span_id":"p","x":1}').record;
  assert.deepEqual(Object.keys(full), ['timestamp', 'level', 'service', 'message', 'user_id', 'ip_address', 'host', 'trace_id', 'span_id', 'metadata']);
  for (const v of Object.values(full)) assert.notEqual(v, undefined);
});

test('service: the input, else the per-request default, else the configured default, else missing_service', () => {
  assert.equal(line('{"msg":"x","app":"a"}', {}, 'req').record.service, 'a');
  assert.equal(line('{"msg":"x"}', {}, 'req').record.service, 'req');
  assert.equal(line('{"msg":"x"}', { defaultService: 'cfg' }).record.service, 'cfg');
  const r = normalizeLine('{"msg":"x"}', ctx, { ...opts, defaultService: null });
  assert.equal(reason(r), 'missing_service');
  assert.equal(line('plain words', { defaultService: null }, 'req').record.service, 'req');
  assert.equal(line('{"msg":"x"}', {}, '').record.service, 'unknown');
});

test('mapped fields over their size limit are invalid_field naming the field', () => {
  const cases: [string, string][] = [['service', 's'.repeat(257)], ['host', 'h'.repeat(257)], ['user_id', 'u'.repeat(257)], ['trace_id', 't'.repeat(129)], ['span_id', 'p'.repeat(129)]];
  for (const [field, value] of cases) {
    const r = normalizeLine(JSON.stringify({ msg: 'x', [field]: value }), ctx, opts);
    assert.ok(!r.ok && r.reason === 'invalid_field' && r.message.includes(field), field);
  }
  assert.ok(line(JSON.stringify({ msg: 'x', service: 's'.repeat(256), trace_id: 't'.repeat(128) })).record);
});

test('normalizeLine: size limit in UTF-8 bytes, blank lines, surrounding whitespace', () => {
  const small = { maxLineBytes: 300 };
  assert.equal(reason(normalizeLine(`{"msg":"${'é'.repeat(140)}"}`, ctx, { ...opts, ...small })), 'ok');
  const r = normalizeLine(`{"msg":"${'é'.repeat(150)}"}`, ctx, { ...opts, ...small });
  assert.ok(!r.ok && r.reason === 'line_too_long' && /310 bytes, over normalize.maxLineBytes \(300\)/.test(r.message));
  assert.equal(reason(normalizeLine('   ', ctx, opts)), 'missing_message');
  assert.equal(line('  hello world \r').record.message, 'hello world');
});

test('normalizeBytes checks size and UTF-8 first', () => {
  const enc = new TextEncoder();
  assert.equal(reason(normalizeBytes(enc.encode('x'.repeat(65537)), ctx, opts)), 'line_too_long');
  assert.equal(reason(normalizeBytes(new Uint8Array([0x68, 0xff, 0x69]), ctx, opts)), 'invalid_utf8');
  assert.equal(reason(normalizeBytes(new Uint8Array([0xed, 0xa0, 0x80]), ctx, opts)), 'invalid_utf8'); // lone surrogate
  const r = normalizeBytes(enc.encode('\uFEFF{"msg":"bom ok ✓"}'), ctx, opts);
  assert.ok(r.ok && r.record.message === 'bom ok ✓' && r.format === 'json');
});

test('normalizeObject maps parsed objects and bounds the message by maxLineBytes', () => {
  const r = normalizeObject({ message: 'hi', time: new Date('2024-01-01T00:00:00.5Z'), svc: 'api' }, ctx, opts);
  assert.ok(r.ok);
  assert.deepEqual(r.record, { timestamp: '2024-01-01T00:00:00.500Z', level: 'INFO', service: 'api', message: 'hi' });
  assert.equal(reason(normalizeObject([{ msg: 'x' }], ctx, opts)), 'not_an_object');
  assert.equal(reason(normalizeObject('text', ctx, opts)), 'not_an_object');
  assert.equal(reason(normalizeObject({ msg: 'x'.repeat(300) }, ctx, { ...opts, maxLineBytes: 256 })), 'line_too_long');
});

test('a JSON __proto__ key never changes a prototype', () => {
  const r = normalizeLine('{"msg":"x","__proto__":{"isAdmin":true},"a":{"__proto__":{"isAdmin":true}}}', ctx, opts);
  assert.ok(r.ok);
  const meta = r.record.metadata ?? {};
  assert.equal(Object.getPrototypeOf(meta), Object.prototype);
  assert.equal((meta as { isAdmin?: boolean }).isAdmin, undefined);
  assert.equal((({}) as { isAdmin?: boolean }).isAdmin, undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(meta)), JSON.parse('{"__proto__":{"isAdmin":true},"a":{"__proto__":{"isAdmin":true}}}'));
});

test('every record from a mixed batch is valid against schemas/log_schema.yaml', () => {
  const { log } = schemaValidators();
  const lines = [
    '{"msg":"x","ip":"1.2.3.4","ts":"2024-01-01T00:00:00.123456789+01:00","level":"LOUD"}',
    'ts=1704067200123 level=30 msg=x', '<0>1 - - - - - -', '<191>Jan  1 00:00:00 h a[1]: m',
    '::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 500 1', '2024-01-01 00:00:00,1 FATAL x', 'whatever',
  ];
  for (const l of lines) {
    const r = normalizeLine(l, ctx, opts);
    assert.ok(r.ok, l);
    assert.equal(log.check({ ...r.record, id: 'i', received_at: receivedAt.toISOString(), source: 't' }), null, l);
  }
});

test('hostile lines finish fast (no regex backtracking blow-up)', () => {
  const hostile = [
    `1.1.1.1 - - [10/Oct/2000:13:55:36 +0000] "${'\\"'.repeat(20000)}`, `a b c [d] "${'x'.repeat(65000)}`,
    `2024-01-01 00:00:00 ${'['.repeat(65000)}`, `2024-01-01 00:00:00 INFO ${'a.'.repeat(32000)}`, `2024-01-01 00:00:00 INFO ${'a$'.repeat(32000)}!`,
    `a=1 ${'b="'.repeat(16000)}`, `Jan  1 00:00:00 host ${'a'.repeat(65000)}`, `<14>1 - h a - - ${'[a'.repeat(30000)}`,
    `2024-01-01T00:00:00.${'1'.repeat(65000)}`, `- 1117838570 2005.06.03 ${'x '.repeat(32000)}`, `${'ERRORX '.repeat(9000)}`,
  ];
  for (const l of hostile) {
    const start = process.hrtime.bigint();
    normalizeLine(l, ctx, opts);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 250, `${l.slice(0, 40)}... took ${ms} ms`);
  }
  const deep = `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`;
  assert.equal(reason(normalizeLine(deep, ctx, { ...opts, maxLineBytes: 1 << 20 })), 'too_deep');
});

test('docs/normalize.md documents every reject reason, format, alias and level name normalize uses', () => {
  const doc = readFileSync(new URL('../../docs/normalize.md', import.meta.url), 'utf8');
  const emitted = ['invalid_utf8', 'line_too_long', 'too_many_fields', 'too_deep', 'unparseable', 'not_an_object', 'missing_message',
    'missing_service', 'invalid_timestamp', 'invalid_field'] as const;
  for (const r of emitted) {
    assert.ok(r in rejectReasons, r);
    assert.ok(doc.includes(`\`${r}\``), `reason ${r}`);
  }
  for (const f of ['json', 'logfmt', 'rfc5424', 'rfc3164', 'access_combined', 'access_common', 'plain']) assert.ok(doc.includes(`\`${f}\``), `format ${f}`);
  for (const a of Object.values(fieldAliases).flat()) assert.ok(doc.includes(`\`${a}\``), `alias ${a}`);
  for (const n of Object.values(levelAliases).flat()) assert.ok(doc.includes(`\`${n}\``), `level name ${n}`);
  assert.ok(doc.includes(String(defaultNormalizeOptions.maxLineBytes)) && doc.includes(String(defaultNormalizeOptions.maxFields)));
});
