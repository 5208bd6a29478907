import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closingQuote, tokenEnd } from './quoted.js';

test('closingQuote skips escaped characters and reports a missing quote', () => {
  assert.equal(closingQuote('"abc" x', 1), 4);
  assert.equal(closingQuote('"a\\"b" x', 1), 5);
  assert.equal(closingQuote('"a\\\\" x', 1), 4);
  assert.equal(closingQuote('"abc', 1), -1);
  assert.equal(closingQuote('"abc\\"', 1), -1);
});

test('tokenEnd stops at the first stop character or the end', () => {
  assert.equal(tokenEnd('abc=d', 0, [61]), 3);
  assert.equal(tokenEnd('abc', 0, [61]), 3);
});
