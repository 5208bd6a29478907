import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { checkNormalizeOptions, defaultNormalizeOptions } from './options.js';

test('defaults are the documented ones and pass the check', () => {
  assert.deepEqual({ ...defaultNormalizeOptions }, { maxLineBytes: 65536, maxFields: 200, maxDepth: 8, defaultTimezone: 'UTC', defaultService: 'unknown' });
  assert.ok(checkNormalizeOptions({ ...defaultNormalizeOptions, defaultTimezone: 'Europe/Berlin', defaultService: null }));
});

test('bad options fail as ConfigError naming the key', () => {
  const bad: [Partial<typeof defaultNormalizeOptions>, string][] = [
    [{ maxLineBytes: 0 }, 'normalize.maxLineBytes'],
    [{ maxFields: 1.5 }, 'normalize.maxFields'],
    [{ maxDepth: -1 }, 'normalize.maxDepth'],
    [{ defaultTimezone: 'Nowhere/Special' }, 'normalize.defaultTimezone'],
    [{ defaultService: '' }, 'normalize.defaultService'],
  ];
  for (const [patch, key] of bad) {
    assert.throws(() => checkNormalizeOptions({ ...defaultNormalizeOptions, ...patch }), (e: unknown) => e instanceof ConfigError && e.key === key, key);
  }
});
