// Command-line times: relative, epoch ms and RFC 3339 alike; anything else names the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantMs } from './time.js';

test('relative durations count back from now; epoch ms and RFC 3339 are taken as they are; nonsense names the flag', () => {
  const now = Date.UTC(2026, 0, 5, 12, 0, 0);
  assert.equal(instantMs('--from', '24h', now), now - 86_400_000);
  assert.equal(instantMs('--from', '1h30m', now), now - 5_400_000);
  assert.equal(instantMs('--from', '1767614400000', now), 1767614400000);
  assert.equal(instantMs('--to', '2026-01-05T11:00:00Z', now), now - 3_600_000);
  assert.throws(() => instantMs('--from', 'yesterday', now), /--from.*"yesterday" is not a time/);
});
