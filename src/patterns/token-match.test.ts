// covers() and generalize(): how a template token matches and widens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covers, generalize } from './token-match.js';

test('covers: equal, wildcard, and literal pieces around wildcards', () => {
  assert.ok(covers('abc', 'abc'));
  assert.ok(covers('<*>', 'anything'));
  assert.ok(covers('user=<*>', 'user=root'));
  assert.ok(covers('user=<*>', 'user='));
  assert.ok(covers('<*>:<*>', '<*>:<*>'));
  assert.ok(covers('[<*>/<*>]', '[8086/2410]'));
  assert.ok(!covers('user=<*>', 'uid=0'));
  assert.ok(!covers('(<*>)', '(x'));
  assert.ok(!covers('abc', 'abd'));
});

test('generalize keeps a key or brackets around the variable part, else the whole token varies', () => {
  assert.equal(generalize('user=root', 'user=admin'), 'user=<*>');
  assert.equal(generalize('[preauth]', '[10]'), '[<*>]');
  assert.equal(generalize('(uid=<*>)', 'LOGIN(uid=<*>)'), '<*>(uid=<*>)');
  assert.equal(generalize('view', 'modify'), '<*>');
  assert.equal(generalize('user=<*>', 'user=guest'), 'user=<*>');
  assert.equal(generalize('rhost=<*>', 'rhost=<*>.dsl.example'), 'rhost=<*>');
  assert.equal(generalize('<*>', 'x'), '<*>');
});
