import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from './parser.js';
import { assertQueryError } from './test-fixture.js';

const pipes = (text: string) => parseQuery(text).pipes;
const ref = (name: string, pos: number, field: object) => ({ name, pos, field });
const col = (column: string) => ({ kind: 'column', column });

test('stats: aggregates with default and "as" names, grouped "by (a, b)", "by a, b" or by first', () => {
  assert.deepEqual(pipes('| stats count() by (service, level)'), [{
    kind: 'stats', pos: 2, aggregates: [{ fn: 'count', name: 'count', pos: 8 }],
    by: [ref('service', 20, col('service')), ref('level', 29, col('level'))],
  }]);
  const [stats] = pipes('| stats count() as n, count_distinct(user_id), p95(metadata.duration_ms), avg(lsn) by service, region');
  assert.ok(stats?.kind === 'stats');
  assert.deepEqual(stats.aggregates.map((a) => [a.fn, a.name]), [['count', 'n'], ['count_distinct', 'count_distinct_user_id'], ['quantile', 'p95_metadata_duration_ms'], ['avg', 'avg_lsn']]);
  assert.deepEqual(stats.aggregates[2], { fn: 'quantile', q: 0.95, name: 'p95_metadata_duration_ms', pos: 47, field: ref('metadata.duration_ms', 51, { kind: 'metadata', path: ['duration_ms'] }) });
  assert.deepEqual(stats.by.map((b) => b.name), ['service', 'region']);
  const [byFirst] = pipes('| stats by (service) count()');
  assert.ok(byFirst?.kind === 'stats');
  assert.deepEqual(byFirst.by.map((b) => b.name), ['service']);
});

test('histogram, top, sort, limit, head and fields', () => {
  assert.deepEqual(pipes('| histogram 5m by level'), [{ kind: 'histogram', pos: 2, bucketNs: 300_000_000_000n, by: ref('level', 18, col('level')) }]);
  assert.deepEqual(pipes('| histogram 1h'), [{ kind: 'histogram', pos: 2, bucketNs: 3_600_000_000_000n, by: undefined }]);
  assert.deepEqual(pipes('| top 3 ip_address'), [{ kind: 'top', pos: 2, n: 3, by: [ref('ip_address', 8, col('ip_address'))] }]);
  assert.deepEqual(pipes('| top by (service, host)')[0], { kind: 'top', pos: 2, n: 10, by: [ref('service', 10, col('service')), ref('host', 19, col('host'))] });
  assert.deepEqual(pipes('| sort by timestamp desc, service'), [{ kind: 'sort', pos: 2, keys: [{ name: 'timestamp', pos: 10, desc: true }, { name: 'service', pos: 26, desc: false }] }]);
  assert.deepEqual(pipes('| limit 5 | head 3'), [{ kind: 'limit', pos: 2, n: 5 }, { kind: 'limit', pos: 12, n: 3 }]);
  assert.deepEqual(pipes('| fields timestamp, metadata.region'), [{ kind: 'fields', pos: 2, names: [{ name: 'timestamp', pos: 9 }, { name: 'metadata.region', pos: 20 }] }]);
});

test('pipe errors carry positions', () => {
  assertQueryError(() => parseQuery('| nope'), 2, /expected a pipe \(stats, histogram, top, sort, limit, head, fields, patterns, anomalies\) after "\|", found "nope"/);
  assertQueryError(() => parseQuery('a |'), 3, /expected a pipe .* found the end of the query/);
  assertQueryError(() => parseQuery('| stats count() by (service level)'), 28, /expected "," or "\)" to close "\(" opened at character 20, found "level"/);
  assertQueryError(() => parseQuery('| stats avg()'), 8, /avg\(\) needs a field/);
  assertQueryError(() => parseQuery('| stats median(x)'), 8, /unknown aggregate "median"/);
  assertQueryError(() => parseQuery('| stats count(a b)'), 16, /expected "\)" to close "count\("/);
  assertQueryError(() => parseQuery('| stats count() as 1x'), 19, /invalid column name "1x"/);
  assertQueryError(() => parseQuery('| limit 0'), 8, /expected a whole number of at least 1, found "0"/);
  assertQueryError(() => parseQuery('| limit ten'), 8, /expected a whole number/);
  assertQueryError(() => parseQuery('| histogram 0s'), 12, /bucket width must be between 1ms and 366d/);
  assertQueryError(() => parseQuery('| histogram soon'), 12, /expected a bucket width like 30s/);
  assertQueryError(() => parseQuery('| histogram 1m by (a, b)'), 2, /histogram groups by one field at most/);
  assertQueryError(() => parseQuery('| fields service;DROP'), 9, /invalid field name "service;DROP"/);
  assertQueryError(() => parseQuery('| sort by'), 9, /expected a field name, found the end of the query/);
  assertQueryError(() => parseQuery('| limit 5 x'), 10, /expected "\|" or the end of the query after the limit pipe, found "x"/);
});

test('patterns: default 20 buckets, "buckets N" from 1 to 200', () => {
  assert.deepEqual(pipes('| patterns'), [{ kind: 'patterns', pos: 2, buckets: 20 }]);
  assert.deepEqual(pipes('level:error | patterns buckets 30 | limit 5'), [{ kind: 'patterns', pos: 14, buckets: 30 }, { kind: 'limit', pos: 36, n: 5 }]);
  assert.deepEqual(pipes('| patterns buckets 200')[0], { kind: 'patterns', pos: 2, buckets: 200 });
  assertQueryError(() => parseQuery('| patterns buckets 500'), 19, /patterns takes 1 to 200 buckets, found 500/);
  assertQueryError(() => parseQuery('| patterns buckets -1'), 19, /expected a whole number of at least 1, found "-1"/);
  assertQueryError(() => parseQuery('| patterns 30'), 11, /expected "\|" or the end of the query after the patterns pipe, found "30"/);
});

test('anomalies: options in any order, comma lists, values in any case, min_severity as that severity and above', () => {
  const none = { kind: 'anomalies', pos: 2, types: [], severities: [], statuses: [], minScore: undefined };
  assert.deepEqual(pipes('| anomalies'), [none]);
  assert.deepEqual(pipes('service:api | anomalies type volume_spike severity high status open min_score 3 | limit 5'), [
    { kind: 'anomalies', pos: 14, types: ['volume_spike'], severities: ['high'], statuses: ['open'], minScore: 3 },
    { kind: 'limit', pos: 82, n: 5 },
  ]);
  assert.deepEqual(pipes('| anomalies min_score 0.5 status open, Acknowledged type new_template,brute_force severity LOW, critical')[0],
    { ...none, types: ['new_template', 'brute_force'], severities: ['low', 'critical'], statuses: ['open', 'acknowledged'], minScore: 0.5 });
  assert.deepEqual(pipes('| anomalies min_severity medium')[0], { ...none, severities: ['medium', 'high', 'critical'] });
  assert.deepEqual(pipes('| anomalies min_severity critical min_score -1e1')[0], { ...none, severities: ['critical'], minScore: -10 });
  assert.deepEqual(pipes('| anomalies | sort by score desc | fields anomaly_id, score').map((p) => p.kind), ['anomalies', 'sort', 'fields']);
});

test('anomalies errors name the allowed options and values', () => {
  assertQueryError(() => parseQuery('| anomalies kind volume_spike'), 12, /unknown anomalies option "kind": use type, severity, min_severity, status, min_score/);
  assertQueryError(() => parseQuery('| anomalies type volume'), 17, /unknown anomaly type "volume": anomaly types are volume_spike, volume_drop, error_rate_spike, new_template, rare_template_burst, service_silence, brute_force, latency_shift, session_anomaly/);
  assertQueryError(() => parseQuery('| anomalies severity high, urgent'), 27, /unknown severity "urgent": severities are low, medium, high, critical/);
  assertQueryError(() => parseQuery('| anomalies min_severity huge'), 25, /unknown severity "huge": severities are low, medium, high, critical/);
  assertQueryError(() => parseQuery('| anomalies status closed'), 19, /unknown status "closed": statuses are open, acknowledged, resolved/);
  assertQueryError(() => parseQuery('| anomalies type'), 16, /expected an anomaly type after "type", found the end of the query/);
  assertQueryError(() => parseQuery('| anomalies status "open"'), 19, /expected a status after "status", found the quoted text "open"/);
  assertQueryError(() => parseQuery('| anomalies type volume_spike,'), 30, /expected an anomaly type after "type", found the end of the query/);
  assertQueryError(() => parseQuery('| anomalies min_score high'), 22, /expected a number after "min_score", found "high"/);
  assertQueryError(() => parseQuery('| anomalies min_score 1e999'), 22, /expected a number after "min_score", found "1e999"/);
  assertQueryError(() => parseQuery('| anomalies type new_template type volume_spike'), 30, /"type" is given twice in anomalies; give several values as one list: type volume_spike, volume_drop/);
  assertQueryError(() => parseQuery('| anomalies min_score 1 min_score 2'), 24, /"min_score" is given twice in anomalies \(/);
  assertQueryError(() => parseQuery('| anomalies severity high min_severity low'), 26, /anomalies takes either severity \(a list\) or min_severity \(that severity and above\), not both/);
  assertQueryError(() => parseQuery('| anomalies min_score 1, 2'), 23, /expected "\|" or the end of the query after the anomalies pipe, found ","/);
  assertQueryError(() => parseQuery('| anomalies type volume_spike;DROP'), 17, /unknown anomaly type "volume_spike;DROP"/);
});
