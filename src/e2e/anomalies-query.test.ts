// `| anomalies` end to end: /api/v1/query and `logsift query` against an in-process engine (fixed clock, real data
// directory) served on loopback, with anomalies stored as the detectors store them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import { resolveConfig } from '../config.js';
import type { Anomaly } from '../model/anomaly.js';
import { Engine } from '../pipeline.js';
import { ensureAnomaliesTable, upsertAnomalies } from '../store/anomalies.js';
import { binPath, getJson, post, tempDir } from './harness.js';

const run = promisify(execFile);
const NOW = new Date('2026-01-05T12:00:00Z');
const at = (hh: number, mm: number) => new Date(Date.UTC(2026, 0, 5, hh, mm)).toISOString();

const anomaly = (id: string, service: string, start: string, end: string, extra: Partial<Anomaly> = {}): Anomaly => ({
  anomaly_id: id, detected_at: end, window_start: start, window_end: end, anomaly_type: 'volume_spike', severity: 'high', service,
  description: `${service}: 1500 records in a minute against about 100`, score: 7.5, confidence: 0.9,
  evidence: { baseline: 100, observed: 1500, sample_record_ids: ['r1', 'r2'] }, status: 'open', ...extra,
});
const STORED = [
  anomaly('q1', 'checkout', at(10, 0), at(10, 1)),
  anomaly('q2', 'checkout', at(11, 0), at(11, 1), { anomaly_type: 'error_rate_spike', severity: 'critical', score: 12 }),
  anomaly('q3', 'search', at(11, 30), at(11, 31), { anomaly_type: 'new_template', severity: 'low', status: 'resolved', score: 1, description: 'new template "x <*>"\nsecond line' }),
  anomaly('q4', 'checkout', at(11, 45), at(11, 46), { status: 'acknowledged', severity: 'medium', score: 3 }),
];

interface QueryBody { kind: string; columns: string[]; rows: Record<string, unknown>[]; error?: { code: string; message: string } }

let engine: Engine;
let app: FastifyInstance;
let url: string;

async function serve(name: string, detect: boolean): Promise<{ engine: Engine; app: FastifyInstance; url: string }> {
  const config = resolveConfig({ dataDir: join(tempDir(name), 'data'), wal: { flushIntervalMs: 100 }, store: { retentionDays: 0 },
    log: { level: 'warn' }, detect: { enabled: detect } });
  const e = await Engine.open(config, { now: () => NOW });
  const a = await buildServer(e);
  return { engine: e, app: a, url: await a.listen({ host: '127.0.0.1', port: 0 }) };
}

before(async () => {
  ({ engine, app, url } = await serve('anomalies-query', true));
  await ensureAnomaliesTable(engine.store);
  await upsertAnomalies(engine.store, STORED);
});
after(async () => {
  await app?.close();
  await engine?.close();
});

const query = (q: string, extra = '') => getJson<QueryBody>(`${url}/api/v1/query?q=${encodeURIComponent(q)}${extra}`);

test('GET and POST /api/v1/query return stored anomalies for `| anomalies`, newest first, filtered and limited', async () => {
  const all = await query('| anomalies');
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.kind, 'anomalies');
  assert.deepEqual(all.body.columns, ['anomaly_id', 'detected_at', 'window_start', 'window_end', 'anomaly_type', 'severity', 'service', 'description', 'score', 'confidence', 'evidence', 'status']);
  assert.deepEqual(all.body.rows.map((r) => r.anomaly_id), ['q4', 'q3', 'q2', 'q1']);
  assert.deepEqual(all.body.rows[2], { ...STORED[1], detected_at: '2026-01-05T11:01:00Z', window_start: '2026-01-05T11:00:00Z', window_end: '2026-01-05T11:01:00Z' });
  assert.deepEqual((await query('service:checkout _time:90m | anomalies min_severity high')).body.rows.map((r) => r.anomaly_id), ['q2']);
  assert.deepEqual((await query('service:checkout | anomalies status open, acknowledged', '&limit=2')).body.rows.map((r) => r.anomaly_id), ['q4', 'q2']);
  const posted = await post(`${url}/api/v1/query`, JSON.stringify({ q: '-service:search | anomalies | sort by score desc | fields anomaly_id, score', start: at(10, 30), end: at(12, 0) }), { 'content-type': 'application/json' });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  assert.deepEqual(posted.body.rows, [{ anomaly_id: 'q2', score: 12 }, { anomaly_id: 'q4', score: 3 }]);
});

test('bad `| anomalies` queries are 400 query_invalid errors naming what is allowed; tail refuses the pipe', async () => {
  const badType = await query('| anomalies type spike');
  assert.equal(badType.status, 400);
  assert.equal(badType.body.error?.code, 'query_invalid');
  assert.match(badType.body.error?.message ?? '', /unknown anomaly type "spike": anomaly types are volume_spike, volume_drop, /);
  const level = await query('level:error | anomalies');
  assert.equal(level.status, 400);
  assert.match(level.body.error?.message ?? '', /level: does not apply to anomalies; filter by severity after the pipe instead/);
  const tail = await getJson<QueryBody>(`${url}/api/v1/tail?q=${encodeURIComponent('| anomalies')}&after=0`);
  assert.equal(tail.status, 400);
  assert.match(tail.body.error?.message ?? '', /tail follows new records, and "\| anomalies" returns anomalies, not records/);
});

test('logsift query prints anomalies as a compact table (--wide: every column; --json: the response)', async () => {
  const t = await run(process.execPath, [binPath, 'query', 'service:search OR service:checkout | anomalies type new_template, volume_spike', '--url', url]);
  const lines = t.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^window_start\s+window_end\s+severity\s+anomaly_type\s+service\s+score\s+status\s+description$/);
  assert.equal(lines.length, 2 + 3);
  assert.match(lines[2] ?? '', /^2026-01-05T11:45:00Z\s+2026-01-05T11:46:00Z\s+medium\s+volume_spike\s+checkout\s+3\s+acknowledged\s+checkout: 1500 records/);
  assert.match(lines[3] ?? '', /new template "x <\*>"\\nsecond line$/, 'control characters are escaped');
  assert.match(t.stderr, /3 anomalies in [\d.]+ ms/);
  const wide = await run(process.execPath, [binPath, 'query', '| anomalies | limit 1', '--url', url, '--wide']);
  assert.match(wide.stdout, /^anomaly_id\s+detected_at\s+window_start\s+window_end\s+anomaly_type\s+severity\s+service\s+description\s+score\s+confidence\s+evidence\s+status\n/);
  assert.match(wide.stdout, /\{"baseline":100,"observed":1500,"sample_record_ids":\["r1","r2"\]\}/);
  const json = await run(process.execPath, [binPath, 'query', '| anomalies | fields anomaly_id', '--url', url, '--json']);
  const body = JSON.parse(json.stdout) as QueryBody;
  assert.deepEqual([body.kind, body.rows], ['anomalies', [{ anomaly_id: 'q4' }, { anomaly_id: 'q3' }, { anomaly_id: 'q2' }, { anomaly_id: 'q1' }]]);
});

test('with detection off and no anomalies table, `| anomalies` is an empty result, and no table is created', async () => {
  const off = await serve('anomalies-query-off', false);
  try {
    const r = await getJson<QueryBody>(`${off.url}/api/v1/query?q=${encodeURIComponent('service:checkout | anomalies')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.kind, r.body.rows, r.body.columns.length], ['anomalies', [], 12]);
    assert.deepEqual(await off.engine.store.query(`SELECT table_name FROM duckdb_tables() WHERE table_name = 'anomalies'`), []);
  } finally {
    await off.app.close();
    await off.engine.close();
  }
});
