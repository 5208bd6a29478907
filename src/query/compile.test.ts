import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, type CompileOptions } from './compile.js';
import { parseQuery } from './parser.js';
import { assertQueryError } from './test-fixture.js';

const opts: CompileOptions = { relation: 'logs', now: new Date('2024-01-02T00:00:00Z'), defaultLimit: 100, maxLimit: 1000 };
const compile = (text: string, extra: Partial<CompileOptions> = {}) => compileQuery(parseQuery(text), { ...opts, ...extra });

test('a plain search selects every column, newest first, with the default limit', () => {
  const c = compile('service:api timeout');
  assert.equal(c.kind, 'rows');
  assert.deepEqual(c.columns, ['id', 'timestamp', 'level', 'service', 'message', 'user_id', 'ip_address', 'host', 'trace_id', 'span_id', 'metadata', 'received_at', 'source', 'template_id', 'lsn']);
  assert.match(c.sql, /^SELECT "id" AS "id", replace\(CAST\("timestamp" AS VARCHAR\), ' ', 'T'\) \|\| 'Z' AS "timestamp", /);
  assert.match(c.sql, / FROM logs AS _r WHERE \("service" = \$1 AND contains\(lower\("message"\), \$2\)\) ORDER BY _r."timestamp" DESC, _r."lsn" DESC LIMIT \$3$/);
  assert.deepEqual(c.params, ['api', 'timeout', 100]);
  assert.equal(c.limit, 100);
});

test('full-text terms are lowercased parameters; metadata paths are JSON pointer parameters', () => {
  const c = compile('"Connection RESET" region:eu metadata.http.method:GET');
  assert.match(c.sql, /contains\(lower\("message"\), \$1\) AND json_extract_string\("metadata", \$2\) = \$3 AND json_extract_string\("metadata", \$4\) = \$5/);
  assert.deepEqual(c.params.slice(0, 5), ['connection reset', '/region', 'eu', '/http/method', 'GET']);
});

test('NOT turns NULL into FALSE first, so records without the field stay in', () => {
  assert.match(compile('-host:web').sql, /WHERE \(NOT coalesce\("host" = \$1, FALSE\)\)/);
});

test('relative times resolve against now; API start and end AND with the query', () => {
  const c = compile('_time:15m', { start: new Date('2024-01-01T23:50:00Z'), end: new Date('2024-01-02T00:00:00.001Z') });
  assert.match(c.sql, /WHERE \(\("timestamp" >= CAST\(\$1 AS TIMESTAMP_NS\) AND "timestamp" <= CAST\(\$2 AS TIMESTAMP_NS\)\) AND "timestamp" >= CAST\(\$3 AS TIMESTAMP_NS\) AND "timestamp" < CAST\(\$4 AS TIMESTAMP_NS\)\)/);
  assert.deepEqual(c.params.slice(0, 4), ['2024-01-01T23:45:00.000000000Z', '2024-01-02T00:00:00.000000000Z', '2024-01-01T23:50:00.000000000Z', '2024-01-02T00:00:00.001000000Z']);
});

test('stats groups in an inner query and names, orders and formats outside it', () => {
  const c = compile('| stats count() as n, p95(duration_ms) by (service, level)');
  assert.equal(c.kind, 'stats');
  assert.deepEqual(c.columns, ['service', 'level', 'n', 'p95_duration_ms']);
  assert.match(c.sql, /^SELECT "c0" AS "service", "c1" AS "level", "c2" AS "n", "c3" AS "p95_duration_ms" FROM \(SELECT "service" AS "c0", "level" AS "c1", count\(\*\) AS "c2", quantile_cont\(TRY_CAST\(json_extract_string\("metadata", \$1\) AS DOUBLE\), CAST\(\$2 AS DOUBLE\)\) AS "c3" FROM logs WHERE TRUE GROUP BY "c0", "c1"\) AS grouped ORDER BY "c2" DESC NULLS LAST, "c0" ASC NULLS LAST, list_position\(/);
  assert.deepEqual(c.params, ['/duration_ms', 0.95, 100]);
});

test('histogram buckets by time_bucket, oldest first, and defaults to maxLimit buckets', () => {
  const c = compile('| histogram 1m by level');
  assert.equal(c.kind, 'histogram');
  assert.deepEqual(c.columns, ['bucket', 'level', 'count']);
  assert.match(c.sql, /time_bucket\(to_microseconds\(CAST\(\$1 AS BIGINT\)\), "timestamp"\) AS "c0"/);
  assert.match(c.sql, /ORDER BY "c0" ASC NULLS LAST, list_position/);
  assert.deepEqual(c.params, [60_000_000, 1000]);
});

test('top skips records without the value and limits to N', () => {
  const c = compile('| top 5 ip_address | limit 3');
  assert.equal(c.kind, 'top');
  assert.deepEqual(c.columns, ['ip_address', 'count']);
  assert.match(c.sql, /WHERE "ip_address" IS NOT NULL GROUP BY "c0"/);
  assert.equal(c.limit, 3);
  assert.equal(compile('| top 5 ip_address | limit 30').limit, 5);
});

test('sort, limit and fields shape the output; the smallest limit wins', () => {
  const rows = compile('| sort by metadata.duration_ms desc, level | limit 50 | limit 20 | fields timestamp, region');
  assert.deepEqual(rows.columns, ['timestamp', 'region']);
  assert.match(rows.sql, /json_extract\("metadata", \$1\) AS "region"/);
  assert.match(rows.sql, /ORDER BY TRY_CAST\(json_extract_string\("metadata", \$2\) AS DOUBLE\) DESC NULLS LAST, json_extract_string\("metadata", \$3\) DESC NULLS LAST, list_position\(.*, "level"\) ASC NULLS LAST LIMIT \$4$/);
  assert.equal(rows.limit, 20);
  const stats = compile('| stats count() by service | sort by service | fields count');
  assert.deepEqual(stats.columns, ['count']);
  assert.match(stats.sql, /^SELECT "c1" AS "count" FROM .* ORDER BY "c0" ASC NULLS LAST LIMIT/);
});

test('limits over maxLimit are errors that point at the pipe', () => {
  assertQueryError(() => compile('| limit 5000'), 2, /limit 5000 is over the maximum of 1000 rows/);
  assertQueryError(() => compile('| top 5000 host'), 2, /top 5000 is over the maximum of 1000 rows/);
});

test('pipes must come in order: one aggregate first, sort before limit, one sort, one fields', () => {
  assertQueryError(() => compile('| limit 5 | stats count()'), 12, /"stats" must come before sort, limit and fields/);
  assertQueryError(() => compile('| stats count() | top host'), 18, /only one stats, histogram, top, patterns or anomalies pipe per query/);
  assertQueryError(() => compile('| sort by host | sort by service'), 17, /only one sort pipe per query/);
  assertQueryError(() => compile('| limit 5 | sort by host'), 12, /sort must come before limit/);
  assertQueryError(() => compile('| fields host | fields service'), 16, /only one fields pipe per query/);
});

test('names are checked against what the previous pipe produces', () => {
  assertQueryError(() => compile('| stats count() by service | sort by level'), 37, /no column "level" in the stats output; its columns are service, count/);
  assertQueryError(() => compile('| top host | fields service'), 20, /no column "service" in the top output/);
  assertQueryError(() => compile('| stats count(), count(host) as count'), 17, /two output columns are named "count"/);
  assertQueryError(() => compile('| stats avg(service)'), 12, /needs a number, and service is string/);
  assertQueryError(() => compile('| fields host, host'), 15, /"host" is listed twice in fields/);
});

test('patterns groups matches by template_id, joins the fixed templates table and binds buckets, bounds and limit', () => {
  const c = compile('template:0123456789abcdef _time:1h | patterns buckets 30');
  assert.equal(c.kind, 'patterns');
  assert.deepEqual(c.columns, ['template_id', 'template', 'service', 'count', 'first', 'last', 'sparkline']);
  assert.match(c.sql, /^WITH matched AS NOT MATERIALIZED \(SELECT "template_id" AS tid, .* FROM logs WHERE \(\("template_id" = \$1 AND .* AND "template_id" IS NOT NULL\)\)/);
  assert.match(c.sql, /span AS \(SELECT CAST\(\$5 AS TIMESTAMP_NS\) AS lo, CAST\(\$6 AS TIMESTAMP_NS\) AS hi\)/);
  assert.match(c.sql, / LEFT JOIN templates AS t ON t\."template_id" = g\.tid\) AS patterns ORDER BY "c3" DESC, "c0" ASC LIMIT \$7$/);
  assert.deepEqual(c.params, ['0123456789abcdef', '2024-01-01T23:00:00.000000000Z', '2024-01-02T00:00:00.000000000Z', 30, '2024-01-01T23:00:00.000000000Z', '2024-01-02T00:00:00.000000000Z', 100]);
  assert.match(c.sql, /histogram\(least\(CAST\(\$4 AS BIGINT\) - 1, .*list_transform\(range\(CAST\(\$4 AS BIGINT\)\), lambda i: coalesce\(g\.h\[i\], 0\)\)/);
  const open = compile('service:api | patterns');
  assert.match(open.sql, /span AS \(SELECT min\(ts\) AS lo, max\(ts\) AS hi FROM matched\)/, 'without time bounds the sparkline spans the matches');
  assert.deepEqual(open.params, ['api', 20, 100]);
});

test('the SQL text does not depend on user values: they are all bound parameters', () => {
  const values = ["o'brien", 'x";DROP TABLE logs;--', '$1', '$2 $3', 'back\\slash', 'ünï ✓', 'evil)--', "a' OR '1'='1", '%_'];
  const templates = [(v: string) => v, (v: string) => `service:${v}`, (v: string) => `region:${v}`, (v: string) => `service:in(${v}, b)`,
    (v: string) => `-host:${v}`, (v: string) => `service:${v}*`, (v: string) => `a OR (b ${v})`, (v: string) => `template:${v} | patterns`];
  for (const template of templates) {
    const baseline = compile(template('"plain"'));
    for (const v of values) {
      const text = template(JSON.stringify(v));
      const c = compile(text);
      assert.equal(c.sql, baseline.sql, text);
      assert.ok(c.params.some((p) => typeof p === 'string' && p.includes(v.slice(0, -1).toLowerCase().slice(0, 3))), `${text} is bound`);
    }
  }
});
