import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Filter } from './ast.js';
import { parseQuery } from './parser.js';
import { QueryError } from '../errors.js';
import { assertQueryError } from './test-fixture.js';

const filter = (text: string): Filter => parseQuery(text).filter;
const col = (column: string) => ({ kind: 'column', column });
const meta = (...path: string[]) => ({ kind: 'metadata', path });

test('an empty query and "*" match everything', () => {
  assert.deepEqual(parseQuery(''), { filter: { kind: 'all' }, pipes: [] });
  assert.deepEqual(parseQuery('  *  ').filter, { kind: 'all' });
});

test('field filters: equality, quoted values, prefixes and exists', () => {
  assert.deepEqual(filter('service:api'), { kind: 'equals', field: col('service'), value: 'api' });
  assert.deepEqual(filter('host:"web 1"'), { kind: 'equals', field: col('host'), value: 'web 1' });
  assert.deepEqual(filter('service:api*'), { kind: 'prefix', field: col('service'), prefix: 'api' });
  assert.deepEqual(filter('service:"api*"'), { kind: 'equals', field: col('service'), value: 'api*' }, 'quotes make * literal');
  assert.deepEqual(filter('host:"web 1"*'), { kind: 'prefix', field: col('host'), prefix: 'web 1' });
  assert.deepEqual(filter('user_id:*'), { kind: 'exists', field: col('user_id') });
  assert.deepEqual(filter('service:in(api, "web 1")'), { kind: 'in', field: col('service'), values: ['api', 'web 1'] });
});

test('levels ignore case, accept aliases, comparisons, prefixes and lists', () => {
  assert.deepEqual(filter('level:warn'), { kind: 'equals', field: col('level'), value: 'WARN' });
  assert.deepEqual(filter('level:Warning'), { kind: 'equals', field: col('level'), value: 'WARN' });
  assert.deepEqual(filter('level:>=warn'), { kind: 'in', field: col('level'), values: ['WARN', 'ERROR', 'FATAL'] });
  assert.deepEqual(filter('level:<info'), { kind: 'in', field: col('level'), values: ['TRACE', 'DEBUG'] });
  assert.deepEqual(filter('level:[debug, warn)'), { kind: 'in', field: col('level'), values: ['DEBUG', 'INFO'] });
  assert.deepEqual(filter('level:e*'), { kind: 'in', field: col('level'), values: ['ERROR'] });
  assert.deepEqual(filter('level:in(error,FATAL)'), { kind: 'in', field: col('level'), values: ['ERROR', 'FATAL'] });
});

test('unknown fields and metadata.* are keys in metadata; numbers compare numerically', () => {
  assert.deepEqual(filter('region:eu'), { kind: 'equals', field: meta('region'), value: 'eu' });
  assert.deepEqual(filter('metadata.region:eu'), { kind: 'equals', field: meta('region'), value: 'eu' });
  assert.deepEqual(filter('metadata.http.method:GET'), { kind: 'equals', field: meta('http', 'method'), value: 'GET' });
  assert.deepEqual(filter('metadata.status:>=500'), { kind: 'number', field: meta('status'), lower: { value: 500, inclusive: true } });
  assert.deepEqual(filter('duration_ms:<2.5e2'), { kind: 'number', field: meta('duration_ms'), upper: { value: 250, inclusive: false } });
  assert.deepEqual(filter('status:=500'), { kind: 'number', field: meta('status'), lower: { value: 500, inclusive: true }, upper: { value: 500, inclusive: true } });
  assert.deepEqual(filter('status:[400, 500)'), { kind: 'number', field: meta('status'), lower: { value: 400, inclusive: true }, upper: { value: 500, inclusive: false } });
  assert.deepEqual(filter('metadata:*'), { kind: 'exists', field: col('metadata') });
  assert.deepEqual(filter('lsn:>10'), { kind: 'number', field: col('lsn'), lower: { value: 10, inclusive: false } });
});

test('bare words and phrases search the message; message: does the same', () => {
  assert.deepEqual(filter('timeout'), { kind: 'text', text: 'timeout' });
  assert.deepEqual(filter('"connection reset"'), { kind: 'text', text: 'connection reset' });
  assert.deepEqual(filter('time*'), { kind: 'text', text: 'time' });
  assert.deepEqual(filter('message:"connection reset"'), { kind: 'text', text: 'connection reset' });
  assert.deepEqual(filter('and or not'), { kind: 'and', items: ['and', 'or', 'not'].map((text) => ({ kind: 'text', text })) }, 'lowercase keywords are words');
});

test('precedence is NOT > AND > OR, with implicit AND and parentheses', () => {
  const t = (text: string) => ({ kind: 'text', text });
  assert.deepEqual(filter('a OR b c'), { kind: 'or', items: [t('a'), { kind: 'and', items: [t('b'), t('c')] }] });
  assert.deepEqual(filter('a AND b OR c'), { kind: 'or', items: [{ kind: 'and', items: [t('a'), t('b')] }, t('c')] });
  assert.deepEqual(filter('(a OR b) c'), { kind: 'and', items: [{ kind: 'or', items: [t('a'), t('b')] }, t('c')] });
  assert.deepEqual(filter('NOT a b'), { kind: 'and', items: [{ kind: 'not', item: t('a') }, t('b')] });
  assert.deepEqual(filter('-a -(b OR c)'), { kind: 'and', items: [{ kind: 'not', item: t('a') }, { kind: 'not', item: { kind: 'or', items: [t('b'), t('c')] } }] });
  assert.deepEqual(filter('NOT NOT a'), { kind: 'not', item: { kind: 'not', item: t('a') } });
});

test('time filters: relative durations, days, comparisons, ranges, since and until', () => {
  const abs = (iso: string) => ({ kind: 'absolute', epochNs: BigInt(Date.parse(iso)) * 1_000_000n });
  const now = { kind: 'ago', ns: 0n };
  assert.deepEqual(filter('_time:15m'), { kind: 'time', column: 'timestamp', lower: { value: { kind: 'ago', ns: 900_000_000_000n }, inclusive: true }, upper: { value: now, inclusive: true } });
  assert.deepEqual(filter('_time:2024-01-01'), { kind: 'time', column: 'timestamp', lower: { value: abs('2024-01-01'), inclusive: true }, upper: { value: abs('2024-01-02'), inclusive: false } });
  assert.deepEqual(filter('_time:[2024-01-01T00:00:00Z, 2024-01-02)'), { kind: 'time', column: 'timestamp', lower: { value: abs('2024-01-01'), inclusive: true }, upper: { value: abs('2024-01-02'), inclusive: false } });
  assert.deepEqual(filter('_time:[2024-01-01, 2024-01-02]'), { kind: 'time', column: 'timestamp', lower: { value: abs('2024-01-01'), inclusive: true }, upper: { value: abs('2024-01-03'), inclusive: false } }, 'an inclusive date bound covers that day');
  assert.deepEqual(filter('timestamp:>2024-01-01'), { kind: 'time', column: 'timestamp', lower: { value: abs('2024-01-02'), inclusive: true } }, 'after a day means from the next day');
  assert.deepEqual(filter('received_at:<=now-1h'), { kind: 'time', column: 'received_at', upper: { value: { kind: 'ago', ns: 3_600_000_000_000n }, inclusive: true } });
  assert.deepEqual(filter('since:1h'), { kind: 'time', column: 'timestamp', lower: { value: { kind: 'ago', ns: 3_600_000_000_000n }, inclusive: true } });
  assert.deepEqual(filter('until:2024-01-02'), { kind: 'time', column: 'timestamp', upper: { value: abs('2024-01-02'), inclusive: false } });
});

test('syntax errors carry the 0-based position and say what was expected', () => {
  assertQueryError(() => parseQuery('a (b OR c'), 9, /expected "\)" to close "\(" opened at character 3, found the end of the query/);
  assertQueryError(() => parseQuery('a (b OR c | limit 1'), 10, /expected "\)" to close "\(" opened at character 3, found "\|"/);
  assertQueryError(() => parseQuery('a )'), 2, /unexpected "\)": there is no "\(" to close/);
  assertQueryError(() => parseQuery('a AND'), 5, /expected a filter, found the end of the query/);
  assertQueryError(() => parseQuery('OR a'), 0, /expected a filter before and after OR/);
  assertQueryError(() => parseQuery('()'), 1, /expected a filter, found "\)"/);
  assertQueryError(() => parseQuery('fo*o'), 2, /"\*" inside a word is not supported/);
  assertQueryError(() => parseQuery('x "abc'), 6, /expected '"' to close the quoted string opened at character 3/);
});

test('field errors point at the value', () => {
  assertQueryError(() => parseQuery('service:'), 8, /expected a value right after "service:"/);
  assertQueryError(() => parseQuery('service: api'), 8, /expected a value right after "service:"/);
  assertQueryError(() => parseQuery('level:loud'), 6, /unknown level "loud": levels are trace, debug, info, warn, error, fatal/);
  assertQueryError(() => parseQuery('level:x*'), 6, /no level starts with "x"/);
  assertQueryError(() => parseQuery('metadata.status:>=abc'), 18, /expected a number, found "abc"/);
  assertQueryError(() => parseQuery('service:>=5'), 10, /service is text: comparisons and ranges work on numbers/);
  assertQueryError(() => parseQuery('service:a*b'), 9, /"\*" is only supported at the end of a value/);
  assertQueryError(() => parseQuery('metadata:eu'), 0, /metadata is an object: name a key/);
  assertQueryError(() => parseQuery('metadata..x:1'), 0, /a key between dots is empty/);
  assertQueryError(() => parseQuery('service:(api OR web)'), 13, /expected "," between the bounds.*use field:in\(a, b\)/);
  assertQueryError(() => parseQuery('status:[1, 2'), 12, /expected "\]" or "\)" to close the range opened at character 8/);
  assertQueryError(() => parseQuery('service:in(a b)'), 13, /expected "," or "\)" to close "in\(" opened at character 9/);
});

test('time errors say which forms are accepted', () => {
  assertQueryError(() => parseQuery('_time:yesterday'), 6, /_time takes a duration like 15m, a date like 2024-01-31/);
  assertQueryError(() => parseQuery('_time:2024-01-01T10:00:00Z'), 6, /_time takes a duration/);
  assertQueryError(() => parseQuery('_time:[now-1x, now]'), 11, /expected a duration like 15m or 1h30m after "now-"/);
  assertQueryError(() => parseQuery('_time:>2024-02-30'), 7, /expected a time like 2024-01-31/);
  assertQueryError(() => parseQuery('_time:web*'), 6, /_time takes a duration/);
  assertQueryError(() => parseQuery('since:>1h'), 7, /since takes one time/);
});

test('nesting deeper than MAX_QUERY_NESTING is a QueryError, not a stack overflow', async () => {
  const { MAX_QUERY_NESTING } = await import('./parser.js');
  for (const text of ['('.repeat(100_000) + 'a' + ')'.repeat(100_000), 'NOT '.repeat(50_000) + 'a', '-'.repeat(50_000) + 'a']) {
    assert.throws(() => parseQuery(text), (e: unknown) => e instanceof QueryError && /nests deeper than 64/.test(e.message));
  }
  assert.doesNotThrow(() => parseQuery('('.repeat(MAX_QUERY_NESTING) + 'a' + ')'.repeat(MAX_QUERY_NESTING)));
});
