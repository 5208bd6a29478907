import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EPOCH_SECONDS_EXCLUSIVE, daysFromCivil, daysInMonth, formatUtc } from './calendar.js';

test('daysFromCivil agrees with Date.UTC across the accepted range', () => {
  for (let y = 1970; y <= 2261; y += 7) {
    for (const [m, d] of [[1, 1], [2, 28], [2, daysInMonth(y, 2)], [3, 1], [12, 31]] as const) {
      assert.equal(daysFromCivil(y, m, d) * 86400000, Date.UTC(y, m - 1, d), `${y}-${m}-${d}`);
    }
  }
});

test('formatUtc writes RFC 3339 UTC and keeps the fraction verbatim', () => {
  assert.equal(formatUtc(0, ''), '1970-01-01T00:00:00Z');
  assert.equal(formatUtc(951782400 + 3661, '000100'), '2000-02-29T01:01:01.000100Z');
  assert.equal(formatUtc(1704067199, '999999999'), '2023-12-31T23:59:59.999999999Z');
  for (let s = 0; s < MAX_EPOCH_SECONDS_EXCLUSIVE; s += 86400 * 997 + 4567) {
    assert.equal(formatUtc(s, ''), new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
  }
});

test('the accepted range ends where int64 nanoseconds end, 2262-04-11T23:47:16Z', () => {
  assert.equal(MAX_EPOCH_SECONDS_EXCLUSIVE, Math.floor(Number(2n ** 63n / 1_000_000_000n)));
  assert.equal(formatUtc(MAX_EPOCH_SECONDS_EXCLUSIVE - 1, ''), '2262-04-11T23:47:15Z');
});

test('daysInMonth knows leap years', () => {
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2100, 2), 28);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(daysInMonth(2023, 4), 30);
});
