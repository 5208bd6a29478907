import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerLevel, inferLevel, levelAliases, normalizeLevel, syslogSeverityLevel } from './level.js';

test('every alias maps to its level in any case', () => {
  for (const [level, names] of Object.entries(levelAliases)) {
    for (const name of names) {
      assert.equal(normalizeLevel(name), level, name);
      assert.equal(normalizeLevel(name.toUpperCase()), level, name.toUpperCase());
      assert.equal(normalizeLevel(` ${name[0]?.toUpperCase()}${name.slice(1)} `), level, name);
    }
  }
  assert.equal(normalizeLevel('WaRnInG'), 'WARN');
});

test('the documented names map as specified', () => {
  const want: Record<string, string> = {
    trace: 'TRACE', trc: 'TRACE', finest: 'TRACE', verbose: 'TRACE', debug: 'DEBUG', dbg: 'DEBUG', fine: 'DEBUG', d: 'DEBUG',
    info: 'INFO', information: 'INFO', informational: 'INFO', notice: 'INFO', i: 'INFO', n: 'INFO',
    warn: 'WARN', warning: 'WARN', w: 'WARN', error: 'ERROR', err: 'ERROR', e: 'ERROR', severe: 'ERROR',
    fatal: 'FATAL', crit: 'FATAL', critical: 'FATAL', emerg: 'FATAL', emergency: 'FATAL', panic: 'FATAL', alert: 'FATAL', f: 'FATAL',
  };
  for (const [name, level] of Object.entries(want)) assert.equal(normalizeLevel(name), level, name);
});

test('syslog severities 0..7 and bunyan/pino numbers, as numbers or digit strings', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => normalizeLevel(n)), ['FATAL', 'FATAL', 'FATAL', 'ERROR', 'WARN', 'INFO', 'INFO', 'DEBUG']);
  assert.deepEqual([10, 20, 30, 40, 50, 60].map((n) => normalizeLevel(n)), ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
  assert.equal(normalizeLevel('3'), 'ERROR');
  assert.equal(normalizeLevel('50'), 'ERROR');
  assert.equal(syslogSeverityLevel(13), 'INFO'); // PRI 13 -> severity 5 (notice)
});

test('unknown values are null (the caller keeps INFO and metadata.level_raw)', () => {
  for (const v of ['loud', '', '8', '35', 'information-ish', 8, 35, 3.5, -1, null, undefined, {}, true]) {
    assert.equal(normalizeLevel(v), null, JSON.stringify(v));
  }
});

test('headerLevel takes level words but no single letters and no lower-case rare words', () => {
  assert.equal(headerLevel('INFO'), 'INFO');
  assert.equal(headerLevel('Warning'), 'WARN');
  assert.equal(headerLevel('error'), 'ERROR');
  assert.equal(headerLevel('CRIT'), 'FATAL');
  assert.equal(headerLevel('I'), null);
  assert.equal(headerLevel('alert'), null);
  assert.equal(headerLevel('Something'), null);
});

test('inferLevel finds a leading level word, an upper-case level word or a bracketed level', () => {
  assert.equal(inferLevel('error: Received disconnect from 1.2.3.4'), 'ERROR');
  assert.equal(inferLevel('job 7 FAILED with ERROR code 3'), 'ERROR');
  assert.equal(inferLevel('disk is [warn] at 91%'), 'WARN');
  assert.equal(inferLevel('logrotate ALERT exited abnormally'), 'FATAL');
  assert.equal(inferLevel('an error occurred'), null);
  assert.equal(inferLevel('INFORMATIONAL text'), null);
  assert.equal(inferLevel('all good'), null);
});
