import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRfc3164, parseSyslogWithPri } from './parse-syslog.js';
import { mc, ok, rejected } from './test-support.js';

test('RFC 3164 with PRI: level from severity, facility name, host, app and pid', () => {
  const d = ok(parseSyslogWithPri('<34>Oct 11 22:14:15 mymachine su[123]: \'su root\' failed for lonvick on /dev/pts/8', mc, 200));
  assert.equal(d.format, 'rfc3164');
  assert.equal(d.timestamp, '2023-10-11T22:14:15Z');
  assert.equal(d.level, 'FATAL'); // 34 = auth(4) * 8 + crit(2)
  assert.equal(d.host, 'mymachine');
  assert.equal(d.service, 'su');
  assert.equal(d.message, '\'su root\' failed for lonvick on /dev/pts/8');
  assert.deepEqual(d.metadata, { facility: 'auth', severity: 'crit', pid: 123 });
});

test('RFC 3164 without PRI: Linux and OpenSSH shapes', () => {
  const a = ok(parseRfc3164('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 ', 0, -1, mc));
  assert.deepEqual([a.host, a.service, a.message, a.level, a.metadata], ['combo', 'sshd(pam_unix)', 'authentication failure; logname= uid=0', 'INFO', { pid: 19939 }]);
  const b = ok(parseRfc3164('Jun 19 04:09:11 combo syslogd 1.4.1: restart.', 0, -1, mc));
  assert.deepEqual([b.service, b.message, b.metadata], ['syslogd', 'restart.', { app_version: '1.4.1' }]);
  const c = ok(parseRfc3164('Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2', 0, -1, mc));
  assert.deepEqual([c.host, c.service, c.message], ['combo', '-- root', 'ROOT LOGIN ON tty2']);
  const e = ok(parseRfc3164('Dec 10 06:55:46 LabSZ sshd[24200]: error: Received disconnect from 1.2.3.4', 0, -1, mc));
  assert.equal(e.level, 'ERROR'); // inferred: no PRI
});

test('the first word is the tag, not a host, when it ends with a colon or holds [pid]', () => {
  const d = ok(parseSyslogWithPri('<13>Feb  5 17:32:18 su: BAD SU', mc, 200));
  assert.deepEqual([d.host, d.service, d.message, d.timestamp], [undefined, 'su', 'BAD SU', '2024-02-05T17:32:18Z']);
  const e = ok(parseSyslogWithPri('<13>Feb  5 17:32:18 cron[7]: job', mc, 200));
  assert.deepEqual([e.host, e.service, e.message], [undefined, 'cron', 'job']);
});

test('rsyslog file format: zoned ISO time, host, tag', () => {
  const d = ok(parseRfc3164('2024-01-02T03:04:05.123456+01:00 web1 nginx[42]: started', 0, -1, mc));
  assert.deepEqual([d.timestamp, d.host, d.service, d.message], ['2024-01-02T02:04:05.123456Z', 'web1', 'nginx', 'started']);
  assert.equal(parseRfc3164('2024-01-02 03:04:05 INFO hello', 0, -1, mc), null);
  assert.equal(parseRfc3164('2024-01-02T03:04:05Z INFO hello', 0, -1, mc), null);
});

test('not syslog: null, so other formats get the line', () => {
  for (const l of ['<999>Oct 11 22:14:15 h a: m', '<1', '<abc>x', 'May 5 things happened']) {
    assert.equal(l.startsWith('<') ? parseSyslogWithPri(l, mc, 200) : parseRfc3164(l, 0, -1, mc), null, l);
  }
  assert.equal(rejected(parseSyslogWithPri('<13>Feb 30 17:32:18 h a: m', mc, 200)).reason, 'invalid_timestamp');
});

test('RFC 3164 with PRI: a message holding line breaks stays whole', () => {
  const d = ok(parseSyslogWithPri('<11>Oct 11 22:14:15 web app[7]: Traceback:\n  File "x.py"\nValueError', mc, 200));
  assert.deepEqual([d.level, d.service, d.message, d.metadata], ['ERROR', 'app', 'Traceback:\n  File "x.py"\nValueError', { facility: 'user', severity: 'err', pid: 7 }]);
});

test('RFC 3164 with PRI: `app[pid]` without a colon (rsyslog forwarding an RFC 5424 message in the traditional format)', () => {
  const d = ok(parseSyslogWithPri('<131>Dec  3 10:08:14 vm rs0-x[77] via rsyslog 0', mc, 200));
  assert.deepEqual([d.host, d.service, d.message, d.level, d.metadata], ['vm', 'rs0-x', 'via rsyslog 0', 'ERROR', { facility: 'local0', severity: 'err', pid: 77 }]);
  const e = ok(parseSyslogWithPri('<13>Dec  3 10:08:14 vm just [some] words', mc, 200));
  assert.deepEqual([e.service, e.message], [undefined, 'just [some] words']);
});
