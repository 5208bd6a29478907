// `| patterns` and `template:` against a real in-memory DuckDB with a templates table; expected answers computed in JS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATES_DDL } from '../store/templates.js';
import { compileQuery, type CompileOptions } from './compile.js';
import { parseQuery } from './parser.js';
import { executeQuery, type QueryResult } from './rows.js';
import { assertQueryError, createFixture, FIXTURE_NOW, MESSAGES, type Fixture, type FixtureRow } from './test-fixture.js';
import { parseTime } from './time.js';

let fx: Fixture;
const HOSTILE = "it's <*> \"quoted\" '); DROP TABLE logs; -- $1";
/** Templates the miner has saved: tpl0 to tpl4; tpl5 to tpl9 have none, so a message stands in for their text. */
const SAVED = new Map([0, 1, 2, 3, 4].map((k) => [`tpl${k}`, { service: `saved-svc${k}`, template: k === 3 ? HOSTILE : `template <*> number ${k}` }]));

before(async () => {
  fx = await createFixture();
  await fx.connection.run(TEMPLATES_DDL);
  for (const [id, t] of SAVED) {
    await fx.connection.run(`INSERT INTO templates VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP_NS), CAST($5 AS TIMESTAMP_NS), $6, CAST(CAST($7 AS JSON) AS VARCHAR[]))`,
      [id, t.service, t.template, '2023-12-01T00:00:00Z', '2024-01-01T05:00:00Z', 1000, '["an example"]']);
  }
  // A record the miner never assigned: no pattern.
  await fx.connection.run(`INSERT INTO logs (id, timestamp, level, service, message, template_id, lsn) VALUES ('x1', CAST('2024-01-01T02:30:00Z' AS TIMESTAMP_NS), 'INFO', 'api', 'unmined', NULL, 1000)`);
});
after(() => fx.close());

const opts: CompileOptions = { relation: 'logs', now: FIXTURE_NOW, defaultLimit: 100, maxLimit: 10_000 };
const run = (text: string, extra: Partial<CompileOptions> = {}): Promise<QueryResult> => executeQuery(fx.connection, compileQuery(parseQuery(text), { ...opts, ...extra }));

interface Expected { template_id: string; template: string; service: string; count: number; first: bigint; last: bigint; sparkline: number[] }

/** What `| patterns` must return for the records `keep` selects, with n buckets over [lo, hi] (the records' own span when unset). */
function expected(keep: (r: FixtureRow) => boolean, n: number, span: { lo?: bigint; hi?: bigint } = {}): Expected[] {
  const rows = fx.rows.filter(keep);
  const times = rows.map((r) => r.epochNs);
  const lo = span.lo ?? times.reduce((a, b) => (a < b ? a : b));
  const hi = span.hi ?? times.reduce((a, b) => (a > b ? a : b));
  const byId = new Map<string, Expected>();
  for (const r of rows) {
    const saved = SAVED.get(r.template_id);
    const e = byId.get(r.template_id) ?? { template_id: r.template_id, template: saved?.template ?? r.message, service: saved?.service ?? r.service, count: 0, first: r.epochNs, last: r.epochNs, sparkline: Array<number>(n).fill(0) };
    e.count++;
    if (r.epochNs < e.first) e.first = r.epochNs;
    if (r.epochNs > e.last) e.last = r.epochNs;
    const i = Math.min(n - 1, Math.max(0, Math.floor(((Number(r.epochNs) - Number(lo)) / Math.max(Number(hi) - Number(lo), 1)) * n)));
    e.sparkline[i] = (e.sparkline[i] ?? 0) + 1;
    byId.set(r.template_id, e);
  }
  return [...byId.values()].sort((a, b) => b.count - a.count || (a.template_id < b.template_id ? -1 : 1));
}

function assertPatterns(result: QueryResult, want: Expected[]): void {
  assert.equal(result.kind, 'patterns');
  assert.deepEqual(result.columns, ['template_id', 'template', 'service', 'count', 'first', 'last', 'sparkline']);
  const got = result.rows.map((r) => ({ ...r, first: parseTime(String(r.first))?.epochNs, last: parseTime(String(r.last))?.epochNs }));
  assert.deepEqual(got, want);
  for (const r of result.rows) assert.equal((r.sparkline as number[]).reduce((a, b) => a + b, 0), r.count, 'the sparkline adds up to the count');
}

test('patterns groups by template_id, takes the text from the templates table or a message, skips unassigned records', async () => {
  const result = await run('| patterns');
  assertPatterns(result, expected(() => true, 20));
  assert.equal(result.rows.length, 10, 'the record without a template_id is left out');
  assert.equal(result.rows.find((r) => r.template_id === 'tpl3')?.template, HOSTILE, 'hostile template text is data');
  assert.equal(result.rows.find((r) => r.template_id === 'tpl7')?.template, MESSAGES[7]);
  const tables = await fx.connection.runAndReadAll('SELECT count(*) FROM logs');
  assert.equal(Number(tables.getRows()[0]?.[0]), fx.rows.length + 1);
});

test('patterns over a filter: the sparkline spans the matched records, or the time bounds of the query and the API', async () => {
  assertPatterns(await run('service:api | patterns buckets 5'), expected((r) => r.service === 'api', 5));
  assertPatterns(await run('level:error timeout | patterns buckets 1'), expected((r) => r.level === 'ERROR' && r.message.toLowerCase().includes('timeout'), 1));
  const lo = parseTime('2024-01-01T01:00:00Z')?.epochNs ?? 0n, hi = parseTime('2024-01-01T02:00:00Z')?.epochNs ?? 0n;
  const inHour = (r: FixtureRow) => r.epochNs >= lo && r.epochNs < hi;
  // Four buckets of exactly 15 minutes: the records are one a minute, so each holds 15.
  const hour = await run('_time:[2024-01-01T01:00:00Z, 2024-01-01T02:00:00Z) | patterns buckets 4');
  assertPatterns(hour, expected(inHour, 4, { lo, hi }));
  const perBucket = [0, 1, 2, 3].map((i) => hour.rows.reduce((sum, r) => sum + ((r.sparkline as number[])[i] ?? 0), 0));
  assert.deepEqual(perBucket, [15, 15, 15, 15]);
  const api = await run('| patterns buckets 4', { start: new Date('2024-01-01T01:00:00Z'), end: new Date('2024-01-01T02:00:00Z') });
  assertPatterns(api, expected(inHour, 4, { lo, hi }));
  // The tighter bound wins: the query's hour inside the API's whole day.
  const both = await run('_time:[2024-01-01T01:00:00Z, 2024-01-01T02:00:00Z) | patterns buckets 4', { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') });
  assertPatterns(both, expected(inHour, 4, { lo, hi }));
  assert.deepEqual((await run('nomatchatall | patterns')).rows, []);
});

test('template: is template_id; sort, limit and fields work on the patterns output', async () => {
  const ids = async (q: string) => (await run(`${q} | fields id | limit 1000`)).rows.map((r) => r.id);
  assert.deepEqual(await ids('template:tpl3'), await ids('template_id:tpl3'));
  assert.equal((await ids('template:tpl3')).length, 30);
  assert.deepEqual(await ids('template:in(tpl1, tpl2)'), await ids('template_id:in(tpl1, tpl2)'));
  const picked = await run('-template:tpl9 | patterns | sort by last desc | limit 3 | fields template_id, count');
  assert.deepEqual(picked.columns, ['template_id', 'count']);
  assert.deepEqual(picked.rows, [{ template_id: 'tpl8', count: 30 }, { template_id: 'tpl7', count: 30 }, { template_id: 'tpl6', count: 30 }]);
  const limited = await run('| patterns', { defaultLimit: 2 });
  assert.equal(limited.rows.length, 2, 'the default limit applies');
});

test('patterns errors: buckets out of range, unknown columns, a second aggregate', () => {
  const compile = (text: string) => compileQuery(parseQuery(text), opts);
  assertQueryError(() => compile('| patterns buckets 0'), 19, /expected a whole number of at least 1, found "0"/);
  assertQueryError(() => compile('| patterns buckets 201'), 19, /patterns takes 1 to 200 buckets, found 201/);
  assertQueryError(() => compile('| patterns buckets'), 18, /expected a bucket count after "buckets"/);
  assertQueryError(() => compile('| patterns | sort by nope'), 21, /no column "nope" in the patterns output; its columns are template_id, template, service, count, first, last, sparkline/);
  assertQueryError(() => compile('| stats count() | patterns'), 18, /only one stats, histogram, top, patterns or anomalies pipe per query/);
  assertQueryError(() => compile('| limit 3 | patterns'), 12, /"patterns" must come before sort, limit and fields/);
});
