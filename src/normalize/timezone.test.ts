import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { localToUtcSeconds, offsetAtUtc, resolveZone } from './timezone.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

test('UTC and fixed offsets resolve without Intl', () => {
  assert.deepEqual(resolveZone('UTC'), { kind: 'fixed', name: 'UTC', offsetMinutes: 0 });
  assert.equal(offsetAtUtc(resolveZone('+02:00'), 0), 120);
  assert.equal(offsetAtUtc(resolveZone('-0530'), 0), -330);
  assert.equal(localToUtcSeconds(resolveZone('+02:00'), at('2024-01-01T12:00:00Z')), at('2024-01-01T10:00:00Z'));
});

test('IANA zones follow daylight saving time', () => {
  const berlin = resolveZone('Europe/Berlin');
  assert.equal(berlin.kind, 'iana');
  assert.equal(offsetAtUtc(berlin, at('2024-01-15T12:00:00Z')), 60);
  assert.equal(offsetAtUtc(berlin, at('2024-07-15T12:00:00Z')), 120);
  assert.equal(localToUtcSeconds(berlin, at('2024-07-15T12:00:00Z')), at('2024-07-15T10:00:00Z'));
  assert.equal(localToUtcSeconds(berlin, at('2024-01-15T12:00:00Z')), at('2024-01-15T11:00:00Z'));
  const ny = resolveZone('America/New_York');
  assert.equal(localToUtcSeconds(ny, at('2024-07-04T09:30:00Z')), at('2024-07-04T13:30:00Z'));
  // 02:30 does not exist on 2024-03-31 in Berlin (gap): the larger offset (+02:00) applies.
  assert.equal(localToUtcSeconds(berlin, at('2024-03-31T02:30:00Z')), at('2024-03-31T00:30:00Z'));
});

test('a zone that is neither UTC, an offset nor an IANA name is a ConfigError naming the key', () => {
  assert.throws(() => resolveZone('Mars/Olympus'), (err: unknown) => err instanceof ConfigError && err.key === 'normalize.defaultTimezone' && /Mars\/Olympus/.test(err.message));
  assert.throws(() => resolveZone('+25:00'), ConfigError);
});
