import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslogWithPri } from './parse-syslog.js';
import { mc, ok, rejected } from './test-support.js';

test('RFC 5424 with structured data (the RFC example)', () => {
  const d = ok(parseSyslogWithPri('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event log entry...', mc, 200));
  assert.equal(d.format, 'rfc5424');
  assert.equal(d.timestamp, '2003-10-11T22:14:15.003Z');
  assert.equal(d.level, 'INFO'); // 165 = local4 * 8 + notice
  assert.equal(d.host, 'mymachine.example.com');
  assert.equal(d.service, 'evntslog');
  assert.equal(d.message, 'An application event log entry...');
  assert.deepEqual(d.metadata, {
    facility: 'local4', severity: 'notice', msgid: 'ID47',
    sd: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } },
  });
});

test('nil values, pid, escapes in SD values, repeated params and a missing message', () => {
  const d = ok(parseSyslogWithPri('<11>1 - - - 4242 - [a x="q\\"\\]\\\\" x="2"]', mc, 200));
  assert.deepEqual([d.timestamp, d.host, d.service, d.message, d.level], [null, undefined, undefined, '', 'ERROR']);
  assert.deepEqual(d.metadata, { facility: 'user', severity: 'err', sd: { a: { x: ['q"]\\', '2'] } }, pid: 4242 });
  const e = ok(parseSyslogWithPri('<14>1 2024-01-01T00:00:00+01:00 h app proc-1 - - hello', mc, 200));
  assert.deepEqual([e.timestamp, e.message, e.metadata], ['2023-12-31T23:00:00Z', 'hello', { facility: 'user', severity: 'info', procid: 'proc-1' }]);
});

test('malformed headers fall through; a bad timestamp or too much SD rejects', () => {
  assert.equal(parseSyslogWithPri('<14>1 2024-01-01T00:00:00Z h app', mc, 200), null);
  assert.equal(parseSyslogWithPri('<14>1 2024-01-01T00:00:00Z h app - - [broken', mc, 200), null);
  assert.equal(parseSyslogWithPri('<14>1 2024-01-01T00:00:00Z h app - - x', mc, 200), null);
  assert.equal(rejected(parseSyslogWithPri('<14>1 yesterday h app - - - m', mc, 200)).reason, 'invalid_timestamp');
  assert.equal(rejected(parseSyslogWithPri('<14>1 - h app - - [a b="1" c="2" d="3"] m', mc, 3)).reason, 'too_many_fields');
});

test('SD names __proto__ stay data', () => {
  const d = ok(parseSyslogWithPri('<14>1 - h app - - [__proto__ __proto__="1"] m', mc, 200));
  const sd = (d.metadata ?? {}).sd as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(sd), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(Object.getOwnPropertyDescriptor(sd, '__proto__')?.value, '__proto__')?.value, '1');
});

test('an SD-ID given twice merges; other escapes stay as written; a BOM before MSG is dropped', () => {
  const d = ok(parseSyslogWithPri('<14>1 - h app - - [a@1 x="1" n="q\\nr"][b y="2"][a@1 x="3" z="4"] \uFEFFm', mc, 200));
  assert.deepEqual((d.metadata ?? {}).sd, { 'a@1': { x: ['1', '3'], n: 'q\\nr', z: '4' }, b: { y: '2' } });
  assert.equal(d.message, 'm');
});

test('a message holding line breaks (an octet-counted frame) stays whole', () => {
  const d = ok(parseSyslogWithPri('<14>1 2024-01-01T00:00:00Z h app - - - line 1\n  at line 2\nline 3', mc, 200));
  assert.equal(d.message, 'line 1\n  at line 2\nline 3');
});

test('facility and severity are named for every PRI; the level follows the severity', () => {
  const d = ok(parseSyslogWithPri('<191>1 - h app - - - m', mc, 200));
  assert.deepEqual([d.level, (d.metadata ?? {}).facility, (d.metadata ?? {}).severity], ['DEBUG', 'local7', 'debug']);
  const e = ok(parseSyslogWithPri('<0>1 - h app - - - m', mc, 200));
  assert.deepEqual([e.level, (e.metadata ?? {}).facility, (e.metadata ?? {}).severity], ['FATAL', 'kern', 'emerg']);
});
