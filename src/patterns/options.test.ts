// Miner options from config: user masking rules are compiled at start and bad ones are config errors naming the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { patternsOptions } from './options.js';

const withRules = (maskRules: unknown[]) => resolveConfig({ patterns: { maskRules } }).patterns;

test('valid rules compile with the g flag and keep their replacement', () => {
  const o = patternsOptions(withRules([{ name: 'ticket', pattern: 'TICKET-\\d+' }, { name: 'kv', pattern: '(user=)\\w+', replacement: '$1<*>' }]));
  assert.equal(o.maskRules.length, 2);
  assert.ok(o.maskRules[0]?.pattern.global);
  assert.equal(o.maskRules[1]?.replacement, '$1<*>');
});

test('a rule that does not compile, or can match empty text, is a config error naming it', () => {
  for (const pattern of ['(', '\\b', 'a*', '(?=x)']) {
    assert.throws(() => patternsOptions(withRules([{ name: 'bad', pattern }])), (e: unknown) => e instanceof ConfigError && e.key === 'patterns.maskRules[0].pattern' && /rule bad/.test(e.message), pattern);
  }
  assert.throws(() => resolveConfig({ patterns: { maskRules: [{ name: 'x' }] } }), ConfigError);
  assert.throws(() => resolveConfig({ patterns: { similarity: 0 } }), ConfigError);
});
