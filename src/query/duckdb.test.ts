// Compiled queries run against a real in-memory DuckDB; expected answers come from the same records in plain JS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVELS } from '../model/log-record.js';
import { compileQuery, type CompileOptions } from './compile.js';
import { parseQuery } from './parser.js';
import { executeQuery, type QueryResult } from './rows.js';
import { createFixture, FIXTURE_NOW, type Fixture, type FixtureRow } from './test-fixture.js';
import { formatEpochNs, parseTime } from './time.js';

let fx: Fixture;
before(async () => { fx = await createFixture(); });
after(() => fx.close());

const opts: CompileOptions = { relation: 'logs', now: FIXTURE_NOW, defaultLimit: 100, maxLimit: 10_000 };

async function run(text: string, extra: Partial<CompileOptions> = {}): Promise<QueryResult> {
  return executeQuery(fx.connection, compileQuery(parseQuery(text), { ...opts, ...extra }));
}

async function ids(text: string, extra: Partial<CompileOptions> = {}): Promise<unknown[]> {
  return (await run(text, { maxLimit: 1000, defaultLimit: 1000, ...extra })).rows.map((row) => row.id);
}

/** The ids a search must return: matching records, newest first. */
function expectIds(keep: (row: FixtureRow) => boolean, limit = 1000): string[] {
  return fx.rows.filter(keep).sort((a, b) => (a.epochNs < b.epochNs ? 1 : -1)).slice(0, limit).map((row) => row.id);
}

async function check(cases: [string, (row: FixtureRow) => boolean][]): Promise<void> {
  for (const [text, keep] of cases) {
    const expected = expectIds(keep);
    assert.ok(expected.length > 0 && expected.length < fx.rows.length || text.includes('nomatch'), `case "${text}" should be selective`);
    assert.deepEqual(await ids(text), expected, text);
  }
}

const ns = (iso: string): bigint => parseTime(iso)?.epochNs ?? 0n;
const rank = (level: string): number => LEVELS.indexOf(level as (typeof LEVELS)[number]);

test('column filters: equality, levels, quoted values, prefixes, lists and exists', async () => {
  await check([
    ['service:api', (r) => r.service === 'api'],
    ['level:error', (r) => r.level === 'ERROR'],
    ['level:ERROR', (r) => r.level === 'ERROR'],
    ['level:>=warn', (r) => rank(r.level) >= rank('WARN')],
    ['level:<info', (r) => rank(r.level) < rank('INFO')],
    ['level:in(trace, fatal)', (r) => r.level === 'TRACE' || r.level === 'FATAL'],
    ['host:"web 1"', (r) => r.host === 'web 1'],
    ['host:"web 1"*', (r) => r.host === 'web 1'],
    ['host:web*', (r) => r.host?.startsWith('web') === true],
    ['service:api*', (r) => r.service.startsWith('api')],
    ['service:in(auth, worker)', (r) => r.service === 'auth' || r.service === 'worker'],
    ['user_id:*', (r) => r.user_id !== null],
    ['lsn:>290', (r) => r.lsn > 290],
    ['lsn:[10, 20)', (r) => r.lsn >= 10 && r.lsn < 20],
    ['template_id:tpl3', (r) => r.template_id === 'tpl3'],
  ]);
});

test('metadata fields: bare keys, metadata.*, nested paths, numeric comparisons, exists', async () => {
  await check([
    ['region:eu', (r) => r.metadata?.region === 'eu'],
    ['metadata.region:eu', (r) => r.metadata?.region === 'eu'],
    ['metadata.status:>=500', (r) => (r.metadata?.status ?? 0) >= 500],
    ['metadata.duration_ms:>250', (r) => (r.metadata?.duration_ms ?? 0) > 250],
    ['duration_ms:[100, 200)', (r) => r.metadata !== null && r.metadata.duration_ms >= 100 && r.metadata.duration_ms < 200],
    ['status:=404', (r) => r.metadata?.status === 404],
    ['status:404', (r) => r.metadata?.status === 404],
    ['status:in(404, 503)', (r) => r.metadata?.status === 404 || r.metadata?.status === 503],
    ['http.method:GET', (r) => r.metadata?.http.method === 'GET'],
    ['metadata.http.method:POST', (r) => r.metadata?.http.method === 'POST'],
    ['x-tag:*', (r) => r.metadata?.['x-tag'] !== undefined],
    ['metadata:*', (r) => r.metadata !== null],
    ['-metadata:*', (r) => r.metadata === null],
    ['region:e*', (r) => r.metadata?.region.startsWith('e') === true],
  ]);
});

test('full-text: words and phrases match the message ignoring case, and are ANDed', async () => {
  const has = (s: string) => (r: FixtureRow) => r.message.toLowerCase().includes(s);
  await check([
    ['timeout', has('timeout')],
    ['TimeOut', has('timeout')],
    ['"connection reset"', has('connection reset')],
    ['timeout upstream', (r) => has('timeout')(r) && has('upstream')(r)],
    ['message:declined', has('declined')],
    ['日本語', has('日本語')],
    ['ünïcødé', has('ünïcødé')],
    ['"100% off_peak"', has('100% off_peak')],
    ['"f_p"', has('f_p')],
    ['"0% "', has('0% ')],
    ['nomatchatall', () => false],
  ]);
});

test('boolean logic: OR, NOT, "-", parentheses and precedence; NOT keeps records missing the field', async () => {
  const has = (s: string) => (r: FixtureRow) => r.message.toLowerCase().includes(s);
  await check([
    ['service:api OR service:web', (r) => r.service === 'api' || r.service === 'web'],
    ['NOT service:api', (r) => r.service !== 'api'],
    ['-host:"web 1"', (r) => r.host !== 'web 1'],
    ['-user_id:u1', (r) => r.user_id !== 'u1'],
    ['(service:api OR service:web) level:error', (r) => (r.service === 'api' || r.service === 'web') && r.level === 'ERROR'],
    ['service:api OR service:web level:error', (r) => r.service === 'api' || (r.service === 'web' && r.level === 'ERROR')],
    ['timeout AND -upstream', (r) => has('timeout')(r) && !has('upstream')(r)],
    ['NOT (level:info OR level:debug) region:us', (r) => r.level !== 'INFO' && r.level !== 'DEBUG' && r.metadata?.region === 'us'],
    ['-metadata.status:>=500', (r) => !((r.metadata?.status ?? 0) >= 500)],
  ]);
});

test('time: relative to now, absolute ranges, days, since/until, and the API start/end', async () => {
  const at = (r: FixtureRow, lo: string, hi: string) => r.epochNs >= ns(lo) && r.epochNs < ns(hi);
  await check([
    ['_time:15m', (r) => r.epochNs >= ns('2024-01-01T04:45:00Z')],
    ['_time:1h30m', (r) => r.epochNs >= ns('2024-01-01T03:30:00Z')],
    ['_time:[2024-01-01T01:00:00Z, 2024-01-01T02:00:00Z)', (r) => at(r, '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z')],
    ['_time:[2024-01-01T03:00:00+02:00, 2024-01-01T01:30:00Z]', (r) => at(r, '2024-01-01T01:00:00Z', '2024-01-01T01:30:00.000000001Z')],
    ['_time:>=now-10m', (r) => r.epochNs >= ns('2024-01-01T04:50:00Z')],
    ['_time:<2024-01-01T00:05:00Z', (r) => r.epochNs < ns('2024-01-01T00:05:00Z')],
    ['since:30m', (r) => r.epochNs >= ns('2024-01-01T04:30:00Z')],
    ['until:2024-01-01T00:10:00Z', (r) => r.epochNs < ns('2024-01-01T00:10:00Z')],
    ['since:2024-01-01T02:00:00Z until:1h', (r) => at(r, '2024-01-01T02:00:00Z', '2024-01-01T04:00:00Z')],
    ['received_at:>=2024-01-01T04:00:00Z', (r) => r.epochNs + 1_000_000_000n >= ns('2024-01-01T04:00:00Z')],
    ['_time:2024-01-02 nomatch', () => false],
  ]);
  assert.equal((await ids('_time:2024-01-01')).length, fx.rows.length, 'a date is the whole day');
  const start = new Date('2024-01-01T02:00:00Z'), end = new Date('2024-01-01T02:10:00Z');
  assert.deepEqual(await ids('level:info', { start, end }), expectIds((r) => r.level === 'INFO' && at(r, '2024-01-01T02:00:00Z', '2024-01-01T02:10:00Z')));
});

test('time bounds keep nanosecond precision', async () => {
  const row = fx.rows[10];
  assert.ok(row !== undefined && row.epochNs % 1000n !== 0n, 'the fixture has sub-microsecond timestamps');
  const exact = formatEpochNs(row.epochNs) ?? '';
  assert.deepEqual(await ids(`_time:[${exact}, ${exact}]`), [row.id]);
  assert.deepEqual(await ids(`_time:>${exact} _time:<2024-01-01T00:11:00Z`), []);
  const result = await run(`_time:[${exact}, ${exact}] | fields timestamp`);
  assert.equal(parseTime(String(result.rows[0]?.timestamp))?.epochNs, row.epochNs);
});

test('rows come out as JSON: RFC 3339 text times, parsed metadata, numbers, nulls', async () => {
  const { rows, columns, kind } = await run('| limit 1');
  const newest = fx.rows[fx.rows.length - 1];
  assert.equal(kind, 'rows');
  assert.equal(columns.length, 15);
  const row = rows[0] ?? {};
  assert.equal(row.id, newest?.id);
  assert.match(String(row.timestamp), /^2024-01-01T04:59:00\.\d+Z$/);
  assert.equal(parseTime(String(row.timestamp))?.epochNs, newest?.epochNs);
  assert.deepEqual(row.metadata, newest?.metadata);
  assert.equal(row.lsn, 300);
  assert.equal(row.user_id, newest?.user_id);
  const anonymous = fx.rows.filter((r) => r.user_id === null).at(-1);
  assert.deepEqual((await run('-user_id:* | limit 1 | fields user_id, host')).rows, [{ user_id: null, host: anonymous?.host }]);
  const picked = await run('status:503 | fields id, region, status, http | limit 1');
  assert.deepEqual(picked.columns, ['id', 'region', 'status', 'http']);
  const source = fx.rows.find((r) => r.id === picked.rows[0]?.id);
  assert.deepEqual(picked.rows[0], { id: source?.id, region: source?.metadata?.region, status: 503, http: source?.metadata?.http });
});

test('limit, default limit, sort by columns, metadata numbers and level severity', async () => {
  assert.equal((await run('')).rows.length, 100, 'default limit');
  assert.deepEqual((await run('| limit 7')).rows.map((r) => r.id), expectIds(() => true, 7));
  const byDuration = (await run('metadata:* | sort by metadata.duration_ms desc, lsn | limit 5')).rows.map((r) => r.id);
  const expected = fx.rows.filter((r) => r.metadata !== null)
    .sort((a, b) => (b.metadata?.duration_ms ?? 0) - (a.metadata?.duration_ms ?? 0) || a.lsn - b.lsn).slice(0, 5).map((r) => r.id);
  assert.deepEqual(byDuration, expected);
  const levels = (await run('| sort by level desc, lsn asc | limit 40 | fields level')).rows.map((r) => r.level);
  assert.deepEqual(levels, fx.rows.map((r) => r.level).sort((a, b) => rank(b) - rank(a)).slice(0, 40));
  assert.equal(levels[0], 'FATAL');
});

test('stats count() by (service, level) matches a count in JS', async () => {
  const { rows, columns, kind } = await run('| stats count() by (service, level)');
  assert.equal(kind, 'stats');
  assert.deepEqual(columns, ['service', 'level', 'count']);
  const counts = new Map<string, number>();
  for (const r of fx.rows) counts.set(`${r.service}/${r.level}`, (counts.get(`${r.service}/${r.level}`) ?? 0) + 1);
  assert.equal(rows.length, counts.size);
  for (const row of rows) assert.equal(row.count, counts.get(`${row.service}/${row.level}`), `${row.service}/${row.level}`);
  const sorted = rows.map((r) => Number(r.count));
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'largest count first');
});

test('stats aggregates: count_distinct, min, max, avg, sum and percentiles', async () => {
  const text = 'level:error | stats count() as n, count_distinct(user_id), min(timestamp), max(lsn), avg(metadata.duration_ms), sum(duration_ms), p50(duration_ms) as median, p99(duration_ms) by service | sort by service';
  const { rows } = await run(text);
  const services = [...new Set(fx.rows.filter((r) => r.level === 'ERROR').map((r) => r.service))].sort();
  assert.deepEqual(rows.map((r) => r.service), services);
  for (const row of rows) {
    const group = fx.rows.filter((r) => r.level === 'ERROR' && r.service === row.service);
    const durations = group.flatMap((r) => (r.metadata === null ? [] : [r.metadata.duration_ms])).sort((a, b) => a - b);
    assert.equal(row.n, group.length);
    assert.equal(row.count_distinct_user_id, new Set(group.flatMap((r) => (r.user_id === null ? [] : [r.user_id]))).size);
    assert.equal(parseTime(String(row.min_timestamp))?.epochNs, group.map((r) => r.epochNs).reduce((a, b) => (a < b ? a : b)));
    assert.equal(row.max_lsn, Math.max(...group.map((r) => r.lsn)));
    assert.ok(Math.abs(Number(row.avg_metadata_duration_ms) - durations.reduce((a, b) => a + b, 0) / durations.length) < 1e-9);
    assert.equal(row.sum_duration_ms, durations.reduce((a, b) => a + b, 0));
    assert.ok(Math.abs(Number(row.median) - quantile(durations, 0.5)) < 1e-9);
    assert.ok(Math.abs(Number(row.p99_duration_ms) - quantile(durations, 0.99)) < 1e-9);
  }
});

test('stats without by gives one row, even when nothing matches', async () => {
  assert.deepEqual((await run('nomatchatall | stats count()')).rows, [{ count: 0 }]);
  assert.deepEqual((await run('level:fatal | stats count() as fatal')).rows, [{ fatal: fx.rows.filter((r) => r.level === 'FATAL').length }]);
  assert.deepEqual((await run('level:<error | stats min(level), max(level)')).rows, [{ min_level: 'TRACE', max_level: 'WARN' }], 'by severity, not alphabetically');
});

test('histogram counts per bucket, oldest first, optionally by a field', async () => {
  const hourly = await run('| histogram 1h');
  assert.equal(hourly.kind, 'histogram');
  assert.deepEqual(hourly.rows, [0, 1, 2, 3, 4].map((h) => ({ bucket: `2024-01-01T0${h}:00:00Z`, count: 60 })));
  const { rows } = await run('level:>=error | histogram 2h by level');
  const expected = new Map<string, number>();
  for (const r of fx.rows.filter((x) => rank(x.level) >= rank('ERROR'))) {
    const hour = Math.floor(Number((r.epochNs - 1_704_067_200_000_000_000n) / 3_600_000_000_000n) / 2) * 2;
    const key = `2024-01-01T0${hour}:00:00Z/${r.level}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  assert.deepEqual(rows.map((r) => `${r.bucket}/${r.level}`), [...expected.keys()]);
  assert.deepEqual(rows.map((r) => r.count), [...expected.values()]);
});

test('top returns the most frequent values with counts, skipping missing values', async () => {
  const { rows, columns } = await run('| top 3 user_id');
  assert.deepEqual(columns, ['user_id', 'count']);
  const counts = new Map<string, number>();
  for (const r of fx.rows) if (r.user_id !== null) counts.set(r.user_id, (counts.get(r.user_id) ?? 0) + 1);
  const expected = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([user_id, count]) => ({ user_id, count }));
  assert.deepEqual(rows, expected);
  const byTwo = await run('| top 2 by (service, region)');
  assert.deepEqual(byTwo.columns, ['service', 'region', 'count']);
  assert.ok(byTwo.rows.every((r) => r.region !== null));
});

test('sort and fields reshape stats output', async () => {
  const { rows, columns } = await run('| stats count() by service | sort by count asc, service | limit 2 | fields service');
  assert.deepEqual(columns, ['service']);
  const counts = new Map<string, number>();
  for (const r of fx.rows) counts.set(r.service, (counts.get(r.service) ?? 0) + 1);
  const expected = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, 2).map(([service]) => ({ service }));
  assert.deepEqual(rows, expected);
});

/** quantile_cont: linear interpolation between the closest ranks. */
function quantile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + (pos - lo) * ((sorted[hi] ?? 0) - (sorted[lo] ?? 0));
}
