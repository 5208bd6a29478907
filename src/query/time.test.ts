import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.js';
import { formatEpochNs, parseTime } from './time.js';

test('durations add up their parts in nanoseconds', () => {
  assert.equal(parseDuration('15m'), 900_000_000_000n);
  assert.equal(parseDuration('1h30m'), 5_400_000_000_000n);
  assert.equal(parseDuration('500ms'), 500_000_000n);
  assert.equal(parseDuration('7d'), 604_800_000_000_000n);
  assert.equal(parseDuration('1w'), 604_800_000_000_000n);
  for (const bad of ['', '15', 'm', '1.5h', '1y', '-1h', '1h ', 'h1']) assert.equal(parseDuration(bad), undefined, bad);
});

test('RFC 3339 times keep nanoseconds and apply offsets; bare dates are midnight UTC', () => {
  assert.deepEqual(parseTime('2024-01-01'), { epochNs: 1_704_067_200_000_000_000n, dateOnly: true });
  assert.equal(parseTime('2024-01-01T00:00:00.123456789Z')?.epochNs, 1_704_067_200_123_456_789n);
  assert.equal(parseTime('2024-01-01T02:00:00+02:00')?.epochNs, 1_704_067_200_000_000_000n);
  assert.equal(parseTime('2023-12-31T19:00-05:00')?.epochNs, 1_704_067_200_000_000_000n);
  assert.equal(parseTime('2024-01-01 00:00:00.5')?.epochNs, 1_704_067_200_500_000_000n);
  assert.equal(parseTime('2024-01-01T00:00:00Z')?.dateOnly, false);
});

test('times that do not exist are rejected', () => {
  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z', '2024-01-01T00:60Z', '2024-1-1', '2024-01-01T00:00:00.1234567891Z', 'now']) {
    assert.equal(parseTime(bad), undefined, bad);
  }
  assert.ok(parseTime('2024-02-29'));
});

test('formatting round-trips nanoseconds, including before 1970', () => {
  for (const text of ['2024-01-01T00:00:00.123456789Z', '1969-12-31T23:59:59.999999999Z', '0000-01-01T00:00:00.000000000Z', '9999-12-31T23:59:59.999999999Z']) {
    const parsed = parseTime(text);
    assert.ok(parsed, text);
    assert.equal(formatEpochNs(parsed.epochNs), text);
  }
  assert.equal(formatEpochNs(253_402_300_800_000_000_000n), undefined, 'year 10000');
});
