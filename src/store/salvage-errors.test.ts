import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDataError } from './salvage.js';

test('only data errors are salvaged; memory and I/O trouble is retried', () => {
  assert.equal(isDataError(new Error('Conversion Error: Could not convert string "9999-01-01" to INT64')), true);
  assert.equal(isDataError(new Error('Invalid Input Error: no low surrogate in string')), true);
  assert.equal(isDataError(new Error('cannot load', { cause: new Error('Invalid Input Error: Malformed JSON') })), true);
  assert.equal(isDataError(new Error('Out of Memory Error: failed to allocate data of size 98.7 MiB')), false);
  assert.equal(isDataError(new Error('IO Error: No space left on device')), false);
  assert.equal(isDataError('something else'), false);
});
