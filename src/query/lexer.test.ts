import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '../errors.js';
import { tokenize } from './lexer.js';

const kinds = (text: string) => tokenize(text).map((t) => `${t.kind}:${t.text}`);

test('a search splits into fields, operators, words, strings and punctuation', () => {
  assert.deepEqual(kinds('service:api level:>=warn "a b" -host:x (c OR d) | stats count() by (service, level)'), [
    'field:service', 'word:api', 'field:level', 'op:>=', 'word:warn', 'string:a b', 'minus:-', 'field:host', 'word:x',
    'lparen:(', 'word:c', 'word:OR', 'word:d', 'rparen:)', 'pipe:|', 'word:stats', 'word:count', 'lparen:(', 'rparen:)',
    'word:by', 'lparen:(', 'word:service', 'comma:,', 'word:level', 'rparen:)', 'eof:',
  ]);
});

test('positions are 0-based offsets into the text and end is exclusive', () => {
  const [field, word, eof] = tokenize('service:api');
  assert.deepEqual([field?.pos, field?.end, word?.pos, word?.end, eof?.pos], [0, 8, 8, 11, 11]);
});

test('ranges and in() lists switch to a mode where "," and "]" delimit values that may contain ":"', () => {
  assert.deepEqual(kinds('_time:[2024-01-01T00:00:00Z, 2024-01-02)'), [
    'field:_time', 'lbracket:[', 'word:2024-01-01T00:00:00Z', 'comma:,', 'word:2024-01-02', 'rparen:)', 'eof:',
  ]);
  assert.deepEqual(kinds('level:in(warn,error) x'), ['field:level', 'word:in', 'lparen:(', 'word:warn', 'comma:,', 'word:error', 'rparen:)', 'word:x', 'eof:']);
});

test('outside value positions, commas, brackets, colons and dashes inside words are plain text', () => {
  assert.deepEqual(kinds('[main] a,b 10:30 re-try'), ['word:[main]', 'word:a,b', 'word:10:30', 'word:re-try', 'eof:']);
});

test('"-" negates only at the start of a term; after an operator it is part of a number', () => {
  assert.deepEqual(kinds('-a - b x:>-5'), ['minus:-', 'word:a', 'word:-', 'word:b', 'field:x', 'op:>', 'word:-5', 'eof:']);
});

test('a quoted string decodes \\" and \\\\ and keeps every other backslash', () => {
  const [token] = tokenize(String.raw`"say \"hi\" C:\temp \\ end"`);
  assert.equal(token?.kind, 'string');
  assert.equal(token?.text, String.raw`say "hi" C:\temp \ end`);
});

test('an unterminated string is a QueryError at the end of the text naming where it opened', () => {
  assert.throws(() => tokenize('a "bc'), (err: unknown) => {
    assert.ok(err instanceof QueryError);
    assert.equal(err.position, 5);
    assert.match(err.message, /expected '"' to close the quoted string opened at character 3/);
    return true;
  });
});

test('in pipes, "-" and ":" are plain word characters', () => {
  assert.deepEqual(kinds('| fields a-b, c:d'), ['pipe:|', 'word:fields', 'word:a-b', 'comma:,', 'word:c:d', 'eof:']);
});
