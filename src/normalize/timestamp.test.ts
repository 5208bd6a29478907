import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

const received = new Date('2024-06-01T00:00:00Z');
const iso = (v: unknown, tz = 'UTC', at = received): string | null => parseTimestamp(v, tz, at)?.iso ?? null;

test('ISO 8601 / RFC 3339: T or space, comma or dot fraction, any zone form', () => {
  const cases: [string, string][] = [
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
    ['2024-01-01T00:00:00.123456Z', '2024-01-01T00:00:00.123456Z'],
    ['2024-01-01t00:00:00.1z', '2024-01-01T00:00:00.1Z'],
    ['2024-01-01 00:00:00,5', '2024-01-01T00:00:00.5Z'],
    ['2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00Z'],
    ['2024-01-01T02:00:00.123456789+0200', '2024-01-01T00:00:00.123456789Z'],
    ['2023-12-31T22:00:00-02', '2024-01-01T00:00:00Z'],
    ['2024-01-01T05:30+05:30', '2024-01-01T00:00:00Z'],
    ['2024-01-01 03:04:05 +0100', '2024-01-01T02:04:05Z'],
    ['2024-01-01 03:04:05 UTC', '2024-01-01T03:04:05Z'],
    ['2024/01/02 03:04:05', '2024-01-02T03:04:05Z'],
    ['2024-01-01', '2024-01-01T00:00:00Z'],
    ['  2024-01-01T00:00:00Z ', '2024-01-01T00:00:00Z'],
  ];
  for (const [input, want] of cases) assert.equal(iso(input), want, input);
});

test('fractions keep every given digit up to nanoseconds, never rounded through Date', () => {
  assert.equal(iso('2024-01-01T00:00:00.000000001Z'), '2024-01-01T00:00:00.000000001Z');
  assert.equal(iso('2024-01-01T00:00:00.100Z'), '2024-01-01T00:00:00.100Z');
  assert.equal(iso('2024-01-01T00:00:00.1234567899Z'), '2024-01-01T00:00:00.123456789Z');
  assert.equal(iso('2024-01-01T01:00:00.999999999+01:00'), '2024-01-01T00:00:00.999999999Z');
});

test('epoch numbers and digit strings: the unit follows the magnitude', () => {
  assert.equal(iso(1704067200), '2024-01-01T00:00:00Z');
  assert.equal(iso(1704067200.5), '2024-01-01T00:00:00.5Z');
  assert.equal(iso(1704067200123), '2024-01-01T00:00:00.123Z');
  assert.equal(iso(1704067200000), '2024-01-01T00:00:00.000Z');
  assert.equal(iso('1704067200'), '2024-01-01T00:00:00Z');
  assert.equal(iso('1704067200.000001'), '2024-01-01T00:00:00.000001Z');
  assert.equal(iso('1704067200123'), '2024-01-01T00:00:00.123Z');
  assert.equal(iso('1704067200123456'), '2024-01-01T00:00:00.123456Z');
  assert.equal(iso('1704067200123456789'), '2024-01-01T00:00:00.123456789Z');
  assert.equal(iso(0), '1970-01-01T00:00:00Z');
  assert.equal(iso(99999999999), null); // seconds in year 5138
  assert.equal(iso(-1), null);
  assert.equal(iso('123456789012345678901'), null);
  assert.equal(iso(Number.NaN), null);
  assert.equal(iso(Number.POSITIVE_INFINITY), null);
});

test('Dates keep their milliseconds', () => {
  assert.equal(iso(new Date(1704067200123)), '2024-01-01T00:00:00.123Z');
  assert.equal(iso(new Date(Number.NaN)), null);
});

test('log header forms: syslog, Apache, ctime, HDFS, Spark, BGL, Android', () => {
  assert.equal(iso('Oct 11 22:14:15'), '2023-10-11T22:14:15Z');
  assert.equal(iso('10/Oct/2000:13:55:36 -0700'), '2000-10-10T20:55:36Z');
  assert.equal(iso('Sun Dec 04 04:47:44 2005'), '2005-12-04T04:47:44Z');
  assert.equal(iso('Wed Oct 11 14:32:52.123456 2000'), '2000-10-11T14:32:52.123456Z');
  assert.equal(iso('081109 203615'), '2008-11-09T20:36:15Z');
  assert.equal(iso('17/06/09 20:10:40'), '2017-06-09T20:10:40Z');
  assert.equal(iso('2005-06-03-15.42.50.675872'), '2005-06-03T15:42:50.675872Z');
  assert.equal(iso('03-17 16:13:38.811'), '2024-03-17T16:13:38.811Z');
});

test('year-less forms take the received year, or the year before when that is over a day ahead', () => {
  assert.equal(iso('Jun  1 23:00:00'), '2024-06-01T23:00:00Z');
  assert.equal(iso('Jun 2 01:00:00'), '2023-06-02T01:00:00Z');
  assert.equal(iso('Dec 31 23:59:59', 'UTC', new Date('2025-01-01T00:00:05Z')), '2024-12-31T23:59:59Z');
  assert.equal(iso('Jan  1 00:00:01', 'UTC', new Date('2024-12-31T23:59:59Z')), '2025-01-01T00:00:01Z');
  assert.equal(iso('Feb 29 10:00:00', 'UTC', new Date('2025-03-01T00:00:00Z')), '2024-02-29T10:00:00Z');
});

test('the default zone applies only when the input names none', () => {
  assert.equal(iso('2024-07-01 12:00:00', 'Europe/Berlin'), '2024-07-01T10:00:00Z');
  assert.equal(iso('2024-01-01 12:00:00', 'Europe/Berlin'), '2024-01-01T11:00:00Z');
  assert.equal(iso('2024-07-01 12:00:00', '+02:00'), '2024-07-01T10:00:00Z');
  assert.equal(iso('2024-07-01T12:00:00Z', 'Europe/Berlin'), '2024-07-01T12:00:00Z');
  assert.equal(iso('2024-07-01T12:00:00-04:00', '+02:00'), '2024-07-01T16:00:00Z');
  assert.equal(iso('Jul  1 12:00:00', 'America/New_York', new Date('2024-08-01T00:00:00Z')), '2024-07-01T16:00:00Z');
  assert.equal(iso(1704067200, 'Europe/Berlin'), '2024-01-01T00:00:00Z');
});

test('unparseable values and years outside 1970-01-01..2262-04-11T23:47:15Z are null', () => {
  for (const bad of ['yesterday', '', '   ', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2023-02-29 00:00:00', '2024-01-01T24:00:00Z',
    '2024-01-01T23:60:00Z', '2024-01-01T00:00:00Zjunk', '1704067200abc', '1969-12-31T23:59:59Z', '2263-01-01T00:00:00Z', '2262-04-11T23:47:16Z', '2262-12-31T23:59:59Z',
    '1970-01-01T00:30:00+01:00', '2024-01-01T00:00:00+19:00', 'Foo 12 10:00:00', true, null, undefined, {}, []]) {
    assert.equal(iso(bad), null, JSON.stringify(bad));
  }
  assert.equal(iso('2262-04-11T23:47:15.999999999Z'), '2262-04-11T23:47:15.999999999Z');
  assert.equal(iso('1970-01-01T00:00:00Z'), '1970-01-01T00:00:00Z');
});

test('formatTimestamp writes whole seconds plus the given fraction, null out of range', () => {
  assert.equal(formatTimestamp(0), '1970-01-01T00:00:00Z');
  assert.equal(formatTimestamp(1704067200, '000001'), '2024-01-01T00:00:00.000001Z');
  assert.equal(formatTimestamp(-1), null);
  assert.equal(formatTimestamp(1.5), null);
});
