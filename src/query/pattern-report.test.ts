// The patterns report against a real in-memory DuckDB: counts, previous counts, change, new, sorting and sparklines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES_DDL } from '../store/templates.js';
import { compilePatternReport, PATTERN_REPORT_COLUMNS, type PatternReportOptions } from './pattern-report.js';
import { executeQuery } from './rows.js';
import { createFixture, type Fixture } from './test-fixture.js';
import { parseTime } from './time.js';

let fx: Fixture;
const ns = (iso: string): bigint => parseTime(iso)?.epochNs ?? 0n;
const FROM = ns('2024-01-01T03:00:00Z'), TO = ns('2024-01-01T04:00:00Z');

/** Extra records: a template born at 03:10 (30 records in the range), one that stopped at 02:50, one that tripled. */
const EXTRA: [string, string, string, string][] = [
  ...Array.from({ length: 30 }, (_, i): [string, string, string, string] => ['aaaa00000000000a', 'api', `burst ${i}`, `2024-01-01T03:${String(10 + i).padStart(2, '0')}:00Z`]),
  ...Array.from({ length: 4 }, (_, i): [string, string, string, string] => ['bbbb00000000000b', 'web', `gone ${i}`, `2024-01-01T02:${String(50 + i).padStart(2, '0')}:00Z`]),
  ...Array.from({ length: 2 }, (_, i): [string, string, string, string] => ['cccc00000000000c', 'api', `slow ${i}`, `2024-01-01T02:${String(10 + i).padStart(2, '0')}:00Z`]),
  ...Array.from({ length: 6 }, (_, i): [string, string, string, string] => ['cccc00000000000c', 'api', `slow ${i}`, `2024-01-01T03:${String(i * 10).padStart(2, '0')}:00Z`]),
  // Outside both windows: never counted.
  ['dddd00000000000d', 'api', 'old', '2024-01-01T01:00:00Z'],
];

before(async () => {
  fx = await createFixture();
  await fx.connection.run(TEMPLATES_DDL);
  let lsn = 1000;
  for (const [tid, service, message, ts] of EXTRA) {
    await fx.connection.run(`INSERT INTO logs (id, timestamp, level, service, message, template_id, lsn) VALUES ($1, CAST($2 AS TIMESTAMP_NS), 'INFO', $3, $4, $5, $6)`,
      [`x${lsn}`, ts, service, message, tid, lsn++]);
  }
  await fx.connection.run(`INSERT INTO templates VALUES ('aaaa00000000000a', 'api', 'burst <*>', CAST('2024-01-01T03:10:00Z' AS TIMESTAMP_NS),
    CAST('2024-01-01T03:39:00Z' AS TIMESTAMP_NS), 30, ['burst 0', 'burst 1']),
    ('cccc00000000000c', 'api', 'slow <*>', CAST('2023-12-01T00:00:00Z' AS TIMESTAMP_NS), CAST('2024-02-01T00:00:00Z' AS TIMESTAMP_NS), 999, ['slow 0'])`);
});
after(() => fx.close());

const base: PatternReportOptions = { relation: 'logs', fromNs: FROM, toNs: TO, buckets: 6, sort: 'change', limit: 100 };
const report = async (extra: Partial<PatternReportOptions> = {}) => {
  const r = await executeQuery(fx.connection, { ...compilePatternReport({ ...base, ...extra }), kind: 'stats', columns: [...PATTERN_REPORT_COLUMNS], limit: 100 });
  return r.rows;
};

test('counts in the range and the one before it, change, new, first/last seen, examples and a sparkline', async () => {
  const rows = await report();
  const byId = new Map(rows.map((r) => [String(r.template_id), r]));
  assert.deepEqual(Object.keys(rows[0] ?? {}), [...PATTERN_REPORT_COLUMNS]);
  assert.deepEqual(byId.get('aaaa00000000000a'), {
    template_id: 'aaaa00000000000a', service: 'api', template: 'burst <*>', count: 30, previous_count: 0, change: 30, new: true,
    first_seen: '2024-01-01T03:10:00Z', last_seen: '2024-01-01T03:39:00Z', examples: ['burst 0', 'burst 1'], sparkline: [0, 10, 10, 10, 0, 0],
  });
  const gone = byId.get('bbbb00000000000b');
  assert.match(String(gone?.template), /^gone \d$/, 'without a templates row a message stands for the text');
  assert.deepEqual(gone, {
    template_id: 'bbbb00000000000b', service: 'web', template: gone?.template, count: 0, previous_count: 4, change: -1, new: false,
    first_seen: '2024-01-01T02:50:00Z', last_seen: '2024-01-01T02:53:00Z', examples: [gone?.template], sparkline: [0, 0, 0, 0, 0, 0],
  }, 'without a templates row first/last seen are the records read');
  const slow = byId.get('cccc00000000000c');
  assert.deepEqual([slow?.count, slow?.previous_count, slow?.change, slow?.new, slow?.first_seen, slow?.last_seen, slow?.sparkline],
    [6, 2, 2, false, '2023-12-01T00:00:00Z', '2024-02-01T00:00:00Z', [1, 1, 1, 1, 1, 1]]);
  assert.equal(byId.has('dddd00000000000d'), false, 'records outside both windows are not read');
  // The fixture's own templates: 6 records an hour each, unchanged.
  for (let k = 0; k < 10; k++) assert.deepEqual([byId.get(`tpl${k}`)?.count, byId.get(`tpl${k}`)?.change], [6, 0]);
  assert.deepEqual(rows.slice(0, 3).map((r) => r.template_id), ['aaaa00000000000a', 'cccc00000000000c', 'bbbb00000000000b'], 'largest absolute change first');
});

test('sort by newest and by count, service filter, limit and bucket count', async () => {
  assert.equal((await report({ sort: 'newest' }))[0]?.template_id, 'aaaa00000000000a');
  const byCount = await report({ sort: 'count' });
  assert.deepEqual(byCount.slice(0, 2).map((r) => [r.template_id, r.count]), [['aaaa00000000000a', 30], ['cccc00000000000c', 6]]);
  assert.equal(byCount.at(-1)?.template_id, 'bbbb00000000000b');
  const api = await report({ service: 'api', limit: 2 });
  assert.deepEqual(api.map((r) => r.template_id), ['aaaa00000000000a', 'cccc00000000000c']);
  assert.ok((await report({ service: 'api' })).every((r) => r.service === 'api'));
  const one = await report({ buckets: 1 });
  assert.ok(one.every((r) => Array.isArray(r.sparkline) && r.sparkline.length === 1 && r.sparkline[0] === r.count));
  assert.deepEqual(await report({ service: "x' OR '1'='1" }), []);
});
