import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSyntaxError, parseLabels } from './labels.js';

test('label sets in Prometheus syntax, with escapes, raw strings, spacing and a trailing comma', () => {
  assert.deepEqual(parseLabels('{}'), []);
  assert.deepEqual(parseLabels(' { app="api" , level = "warn", } '), [['app', 'api'], ['level', 'warn']]);
  assert.deepEqual(parseLabels('{path="C:\\\\logs\\\\a \\"b\\".log",nl="a\\nb\\tc",u="\\u00e9\\U0001F600",x="\\x41\\101"}'),
    [['path', 'C:\\logs\\a "b".log'], ['nl', 'a\nb\tc'], ['u', 'é😀'], ['x', 'AA']]);
  assert.deepEqual(parseLabels('{raw=`a\\nb"c`}'), [['raw', 'a\\nb"c']]);
  assert.deepEqual(parseLabels('{_k8s_pod="p-1", app="naïve ✓"}'), [['_k8s_pod', 'p-1'], ['app', 'naïve ✓']]);
});

test('malformed label sets are refused with the place of the fault', () => {
  const bad: [string, RegExp][] = [
    ['', /expected "\{"/],
    ['app="x"', /expected "\{"/],
    ['{app="x"', /expected "," or "\}"/],
    ['{app="x}', /unterminated/],
    ['{1app="x"}', /expected a label name/],
    ['{app=x}', /expected a quoted value/],
    ['{app!="x"}', /expected "="/],
    ['{app=~"x"}', /only "="/],
    ['{app="x", app="y"}', /duplicate label name app/],
    ['{app="x"} trailing', /unexpected text/],
    ['{app="\\q"}', /unknown escape/],
    ['{app="\\uD800"}', /not a Unicode code point/],
    ['{app="a\nb"}', /newline/],
    ['{app="x",,}', /expected a label name/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseLabels(text), (e: unknown) => e instanceof LabelSyntaxError && re.test(e.message), text);
  }
});
