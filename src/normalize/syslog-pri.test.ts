import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facilityName, pidValue, readPri, severityName, syslogFacilities } from './syslog-pri.js';

test('readPri accepts <0>..<191> and nothing else', () => {
  assert.deepEqual(readPri('<0>x'), { pri: 0, end: 3 });
  assert.deepEqual(readPri('<191>x'), { pri: 191, end: 5 });
  for (const bad of ['<192>x', '<>x', '<1234>x', '<1a>x', '1>x', '<13']) assert.equal(readPri(bad), null, bad);
});

test('facility names follow RFC 5424 codes', () => {
  assert.equal(syslogFacilities.length, 24);
  assert.equal(facilityName(0), 'kern');
  assert.equal(facilityName(34), 'auth');
  assert.equal(facilityName(165), 'local4');
  assert.equal(facilityName(191), 'local7');
});

test('pids are numbers when they are plain digits', () => {
  assert.equal(pidValue('42'), 42);
  assert.equal(pidValue('worker-1'), 'worker-1');
  assert.equal(pidValue('1234567890123456'), '1234567890123456');
});

test('severity names follow RFC 5424 codes', () => {
  assert.deepEqual([0, 3, 4, 5, 6, 7, 165].map(severityName), ['emerg', 'err', 'warning', 'notice', 'info', 'debug', 'notice']);
});
