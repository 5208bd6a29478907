// `| anomalies` against a real store (anomalies written by upsertAnomalies); expected answers computed in JS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANOMALY_FIELDS, ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES, type Anomaly } from '../model/anomaly.js';
import { ensureAnomaliesTable, upsertAnomalies } from '../store/anomalies.js';
import { LogStore, type Row } from '../store/log-store.js';
import { compileQuery, type CompileOptions } from './compile.js';
import { parseQuery } from './parser.js';
import { assertQueryError } from './test-fixture.js';
import { formatEpochNs, parseTime } from './time.js';

const MIN = 60_000_000_000n;
const BASE_NS = 1_704_067_200_000_000_000n; // 2024-01-01T00:00:00Z
const NOW = new Date('2024-01-01T06:00:00Z');
const SERVICES = ['api', 'web', 'worker', 'api-gateway', "we'ird \"svc\" $1"] as const;
const HOSTILE = "'); DROP TABLE anomalies; -- $1 \"quoted\"";
const N = 60;

interface Fixture { anomaly: Anomaly; startNs: bigint; endNs: bigint }

/** Anomaly i starts at 00:00 + 5i minutes (+ i ns) and lasts 1 to 20 minutes: windows of neighbours overlap. */
const FIXTURES: Fixture[] = Array.from({ length: N }, (_, i): Fixture => {
  const startNs = BASE_NS + BigInt(i) * 5n * MIN + BigInt(i);
  const endNs = startNs + BigInt(1 + ((i * 7) % 20)) * MIN;
  const text = (ns: bigint) => formatEpochNs(ns) ?? '';
  return {
    startNs, endNs,
    anomaly: {
      anomaly_id: `an${String(i).padStart(3, '0')}`,
      detected_at: text(endNs + 1_000_000_000n), window_start: text(startNs), window_end: text(endNs),
      anomaly_type: ANOMALY_TYPES[i % ANOMALY_TYPES.length] ?? 'volume_spike',
      severity: SEVERITIES[(i * 3) % SEVERITIES.length] ?? 'low',
      service: SERVICES[i % SERVICES.length] ?? 'api',
      description: i === 7 ? HOSTILE : `anomaly number ${i}`,
      score: i / 4, confidence: (i % 10) / 10,
      evidence: { baseline: i, observed: { count: i * 10 }, sample_record_ids: [`r${i}`], note: i === 7 ? HOSTILE : 'x' },
      status: ANOMALY_STATUSES[i % ANOMALY_STATUSES.length] ?? 'open',
    },
  };
});

let store: LogStore;
before(async () => {
  store = await LogStore.open(mkdtempSync(join(tmpdir(), 'logsift-anomalies-query-')), { threads: 1, memoryLimit: '256MiB' });
  await ensureAnomaliesTable(store);
  await upsertAnomalies(store, FIXTURES.map((f) => f.anomaly));
});
after(async () => { await store?.close(); });

const opts: CompileOptions = { relation: 'logs', now: NOW, defaultLimit: 1000, maxLimit: 5000 };
const compile = (text: string, extra: Partial<CompileOptions> = {}) => compileQuery(parseQuery(text), { ...opts, ...extra });
async function run(text: string, extra: Partial<CompileOptions> = {}): Promise<{ kind: string; columns: string[]; rows: Row[] }> {
  const c = compile(text, extra);
  return { kind: c.kind, columns: c.columns, rows: await store.query(c.sql, c.params) };
}
const ids = async (text: string, extra: Partial<CompileOptions> = {}) => (await run(text, extra)).rows.map((r) => r.anomaly_id);

/** Ids of the anomalies `keep` selects, newest window first (ties by id). */
const newestFirst = (keep: (f: Fixture) => boolean): string[] => FIXTURES.filter(keep)
  .sort((a, b) => (a.startNs === b.startNs ? (a.anomaly.anomaly_id < b.anomaly.anomaly_id ? -1 : 1) : a.startNs < b.startNs ? 1 : -1))
  .map((f) => f.anomaly.anomaly_id);
const ns = (text: string): bigint => parseTime(text)?.epochNs ?? assert.fail(text);

test('| anomalies returns every stored anomaly, newest window first, times as RFC 3339 text and evidence as JSON', async () => {
  const r = await run('| anomalies');
  assert.equal(r.kind, 'anomalies');
  assert.deepEqual(r.columns, [...ANOMALY_FIELDS]);
  assert.deepEqual(r.rows.map((row) => row.anomaly_id), newestFirst(() => true));
  const byId = new Map(FIXTURES.map((f) => [f.anomaly.anomaly_id, f.anomaly]));
  for (const row of r.rows) {
    const want = byId.get(String(row.anomaly_id)) ?? assert.fail();
    assert.deepEqual(Object.keys(row), [...ANOMALY_FIELDS]);
    for (const t of ['detected_at', 'window_start', 'window_end'] as const) {
      assert.match(String(row[t]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
      assert.equal(ns(String(row[t])), ns(want[t]), `${t} of ${want.anomaly_id} keeps its nanoseconds`);
    }
    assert.deepEqual({ ...row, detected_at: 0, window_start: 0, window_end: 0 }, { ...want, detected_at: 0, window_start: 0, window_end: 0 });
  }
  assert.equal(r.rows.find((row) => row.anomaly_id === 'an007')?.description, HOSTILE, 'hostile text is data');
  // The filter `*` and an empty filter are the same.
  assert.deepEqual(await ids('* | anomalies'), newestFirst(() => true));
});

test('service: terms restrict by service, with prefixes, lists, OR and NOT', async () => {
  const svc = (keep: (s: string) => boolean) => newestFirst((f) => keep(f.anomaly.service));
  const cases: [string, (s: string) => boolean][] = [
    ['service:api', (s) => s === 'api'],
    ['service:api*', (s) => s.startsWith('api')],
    ['service:in(api, worker)', (s) => s === 'api' || s === 'worker'],
    ['-service:api', (s) => s !== 'api'],
    ['NOT service:api*', (s) => !s.startsWith('api')],
    ['service:api OR service:web', (s) => s === 'api' || s === 'web'],
    ['(service:web OR service:worker) -service:worker', (s) => s === 'web'],
    ['service:*', () => true],
    ['service:"we\'ird \\"svc\\" $1"', (s) => s === SERVICES[4]],
    ['service:nope', () => false],
  ];
  for (const [filter, keep] of cases) assert.deepEqual(await ids(`${filter} | anomalies`), svc(keep), filter);
});

test('time filters keep the anomalies whose window overlaps the range, with the API start and end too', async () => {
  const overlaps = (lo: bigint | undefined, hi: bigint | undefined, hiInclusive = false) => (f: Fixture) =>
    (lo === undefined || f.endNs > lo) && (hi === undefined || (hiInclusive ? f.startNs <= hi : f.startNs < hi));
  const one = ns('2024-01-01T01:00:00Z'), two = ns('2024-01-01T02:00:00Z');
  const range = await ids('_time:[2024-01-01T01:00:00Z, 2024-01-01T02:00:00Z) | anomalies');
  assert.deepEqual(range, newestFirst(overlaps(one, two)));
  assert.ok(range.length > 12, 'windows that started before 01:00 and end after it are in');
  assert.ok(range.includes('an010') && range.includes('an011'), 'an010 (00:50-01:01) and an011 (00:55-01:13) started before 01:00 and overlap the range');
  assert.deepEqual(await ids('_time:[2024-01-01T01:00:00Z, 2024-01-01T02:00:00Z] | anomalies'), newestFirst(overlaps(one, two, true)));
  assert.deepEqual(await ids('since:2024-01-01T03:00:00Z | anomalies'), newestFirst(overlaps(ns('2024-01-01T03:00:00Z'), undefined)));
  assert.deepEqual(await ids('until:2024-01-01T00:30:00Z | anomalies'), newestFirst(overlaps(undefined, ns('2024-01-01T00:30:00Z'))));
  // Relative to now (06:00): the last hour.
  assert.deepEqual(await ids('_time:1h | anomalies'), newestFirst(overlaps(ns('2024-01-01T05:00:00Z'), ns('2024-01-01T06:00:00Z'), true)));
  assert.deepEqual(await ids('_time:1h | anomalies'), newestFirst((f) => f.endNs > ns('2024-01-01T05:00:00Z')));
  // The API's start (inclusive) and end (exclusive) AND with the query's own bounds and service.
  const api = { start: new Date('2024-01-01T01:00:00Z'), end: new Date('2024-01-01T02:00:00Z') };
  assert.deepEqual(await ids('| anomalies', api), newestFirst(overlaps(one, two)));
  assert.deepEqual(await ids('service:web since:2024-01-01T01:30:00Z | anomalies', api),
    newestFirst((f) => f.anomaly.service === 'web' && overlaps(ns('2024-01-01T01:30:00Z'), two)(f)));
  assert.deepEqual(await ids('_time:2024-01-02 | anomalies'), []);
});

test('type, severity, min_severity, status and min_score options narrow the anomalies', async () => {
  const a = (keep: (x: Anomaly) => boolean) => newestFirst((f) => keep(f.anomaly));
  assert.deepEqual(await ids('| anomalies type volume_spike'), a((x) => x.anomaly_type === 'volume_spike'));
  assert.deepEqual(await ids('| anomalies type volume_spike, brute_force'), a((x) => x.anomaly_type === 'volume_spike' || x.anomaly_type === 'brute_force'));
  assert.deepEqual(await ids('| anomalies severity high'), a((x) => x.severity === 'high'));
  assert.deepEqual(await ids('| anomalies severity High, CRITICAL'), a((x) => x.severity === 'high' || x.severity === 'critical'));
  assert.deepEqual(await ids('| anomalies min_severity medium'), a((x) => x.severity !== 'low'));
  assert.deepEqual(await ids('| anomalies status open'), a((x) => x.status === 'open'));
  assert.deepEqual(await ids('| anomalies status acknowledged, resolved'), a((x) => x.status !== 'open'));
  assert.deepEqual(await ids('| anomalies min_score 10'), a((x) => x.score >= 10));
  assert.deepEqual(await ids('| anomalies min_score 2.5'), a((x) => x.score >= 2.5));
  const all = await ids('service:api* _time:[2024-01-01T00:00:00Z, 2024-01-01T04:00:00Z) | anomalies status open min_score 1 severity low, high type volume_spike, volume_drop, error_rate_spike, new_template');
  const want = newestFirst((f) => f.anomaly.service.startsWith('api') && f.startNs < ns('2024-01-01T04:00:00Z') && f.anomaly.status === 'open'
    && f.anomaly.score >= 1 && (f.anomaly.severity === 'low' || f.anomaly.severity === 'high') && ['volume_spike', 'volume_drop', 'error_rate_spike', 'new_template'].includes(f.anomaly.anomaly_type));
  assert.deepEqual(all, want);
  assert.ok(want.length > 0, 'the combined case selects something');
});

test('the query limit bounds the result; sort, limit and fields apply to the anomalies output', async () => {
  assert.deepEqual(await ids('| anomalies', { defaultLimit: 5 }), newestFirst(() => true).slice(0, 5));
  assert.deepEqual(await ids('| anomalies | limit 3'), newestFirst(() => true).slice(0, 3));
  assert.equal(compile('| anomalies').limit, 1000);
  assertQueryError(() => compile('| anomalies | limit 6000'), 14, /limit 6000 is over the maximum of 5000 rows/);
  const bySeverity = await run('| anomalies | sort by severity desc, score desc | limit 4 | fields anomaly_id, severity, score');
  assert.deepEqual(bySeverity.columns, ['anomaly_id', 'severity', 'score']);
  const critical = FIXTURES.map((f) => f.anomaly).filter((x) => x.severity === 'critical').sort((x, y) => y.score - x.score).slice(0, 4);
  assert.deepEqual(bySeverity.rows, critical.map((x) => ({ anomaly_id: x.anomaly_id, severity: x.severity, score: x.score })));
  // Times sort as times (not as text, where fractions would misorder them).
  const oldest = await run('| anomalies | sort by window_start | limit 2 | fields window_start, anomaly_id');
  assert.deepEqual(oldest.rows.map((r) => r.anomaly_id), ['an000', 'an001']);
  const evidence = await run('service:web | anomalies type volume_drop | fields evidence');
  assert.deepEqual(evidence.rows, newestFirst((f) => f.anomaly.service === 'web' && f.anomaly.anomaly_type === 'volume_drop')
    .map((id) => ({ evidence: FIXTURES.find((f) => f.anomaly.anomaly_id === id)?.anomaly.evidence })));
});

test('everything from the query text is a bound parameter', () => {
  const c = compile('service:"x\' OR 1=1 --" _time:1h | anomalies type new_template severity high status open min_score 2 | limit 7', { start: new Date('2024-01-01T00:00:00Z') });
  assert.match(c.sql, /^SELECT a\."anomaly_id" AS "anomaly_id", replace\(CAST\(a\."detected_at" AS VARCHAR\), ' ', 'T'\) \|\| 'Z' AS "detected_at", /);
  assert.match(c.sql, / FROM anomalies AS a WHERE \(a\."service" = \$1 AND a\."window_end" > CAST\(\$2 AS TIMESTAMP_NS\) AND a\."window_start" <= CAST\(\$3 AS TIMESTAMP_NS\) AND a\."window_end" > CAST\(\$4 AS TIMESTAMP_NS\) AND a\."anomaly_type" IN \(\$5\) AND a\."severity" IN \(\$6\) AND a\."status" IN \(\$7\) AND a\."score" >= CAST\(\$8 AS DOUBLE\)\) ORDER BY a\."window_start" DESC, a\."anomaly_id" ASC LIMIT \$9$/);
  assert.deepEqual(c.params, ["x' OR 1=1 --", '2024-01-01T05:00:00.000000000Z', '2024-01-01T06:00:00.000000000Z', '2024-01-01T00:00:00.000000000Z', 'new_template', 'high', 'open', 2, 7]);
  assert.doesNotMatch(c.sql, /OR 1=1|new_template|'high'/);
});

test('filters that do not apply to anomalies are errors that say what | anomalies accepts', () => {
  const accepts = /\| anomalies accepts only service: filters \(service:api, service:api\*, service:in\(a, b\), -service:x, with AND, OR and NOT\) and top-level time filters \(_time:, since:, until:\)/;
  assertQueryError(() => compile('level:error | anomalies'), 14, /^level: does not apply to anomalies; filter by severity after the pipe instead: \| anomalies severity high, critical \(or min_severity high\)/);
  assertQueryError(() => compile('service:api level:error | anomalies'), 26, accepts);
  assertQueryError(() => compile('timeout | anomalies'), 10, /^a word or phrase \("timeout"\) does not apply to anomalies; /);
  assertQueryError(() => compile('host:web-1 | anomalies'), 13, /^host: does not apply to anomalies; .*type, severity, status and score go after the pipe: \| anomalies type volume_spike severity high status open min_score 3/);
  assertQueryError(() => compile('type:volume_spike | anomalies'), 20, /^metadata\.type: does not apply to anomalies; /);
  assertQueryError(() => compile('service:api OR region:eu | anomalies'), 27, /^metadata\.region: does not apply to anomalies; /);
  assertQueryError(() => compile('received_at:1h | anomalies'), 17, /^received_at: \(when records arrived\) does not apply to anomalies; /);
  assertQueryError(() => compile('service:api OR _time:1h | anomalies'), 26, /^a time filter under OR or NOT does not apply to anomalies: put _time:, since: and until: at the top level/);
  assertQueryError(() => compile('-_time:1h | anomalies'), 12, /^a time filter under OR or NOT/);
  assert.doesNotThrow(() => compile('_time:* service:api | anomalies'));
});

test('pipe order and output names: anomalies comes first, alone; sort and fields name its columns', () => {
  assertQueryError(() => compile('| anomalies | stats count()'), 14, /only one stats, histogram, top, patterns or anomalies pipe per query; "stats" is a second one/);
  assertQueryError(() => compile('| patterns | anomalies'), 13, /only one stats, histogram, top, patterns or anomalies pipe per query; "anomalies" is a second one/);
  assertQueryError(() => compile('| limit 3 | anomalies'), 12, /"anomalies" must come before sort, limit and fields/);
  assertQueryError(() => compile('| anomalies | sort by timestamp'), 22, /no column "timestamp" in the anomalies output; its columns are anomaly_id, detected_at, window_start, window_end, anomaly_type, severity, service, description, score, confidence, evidence, status/);
  assertQueryError(() => compile('| anomalies | fields service, message'), 30, /no column "message" in the anomalies output/);
  assertQueryError(() => compile('| anomalies | fields service, service'), 30, /"service" is listed twice in fields/);
});
