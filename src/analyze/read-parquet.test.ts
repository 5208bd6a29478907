// A Parquet lake as logsift writes it: partitions pruned by date and service, the time filter pushed down, hostile names kept as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../config.js';
import { planChunks } from './plan.js';
import { processChunk, type AnalyzeConfig, type AnalyzeSettings } from './process-chunk.js';
import { treeMerge } from './merge.js';
import { mergeWith } from './task.js';
import { emptyPartial } from './partial.js';
import { finalizeResult } from './finalize.js';

const cfg = loadConfig(undefined, {});
const config: AnalyzeConfig = { normalize: cfg.normalize, patterns: cfg.patterns, detect: cfg.detect };
const HOSTILE = "x'); DROP TABLE logs; --/../é";

/** The layout `logsift export` writes (store/partitions.ts): date=YYYY-MM-DD/service=NAME/part-<uuid>.parquet, zstd. */
async function makeLake(dir: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE logs AS SELECT
      lpad(CAST(i AS VARCHAR), 11, '0') AS id,
      CAST(TIMESTAMP '2026-11-01 00:00:00' + to_minutes(i) AS TIMESTAMP_NS) AS timestamp,
      CASE WHEN i % 10 = 0 THEN 'ERROR' ELSE 'INFO' END AS level,
      CASE WHEN i % 3 = 0 THEN 'api' WHEN i % 3 = 1 THEN 'sshd' ELSE $1 END AS service,
      CASE WHEN i % 3 = 1 THEN 'Failed password for root from 10.0.0.' || (i % 5) || ' port 22 ssh2' ELSE 'request ' || i || ' done in ' || (i % 9) || 'ms' END AS message,
      NULL::VARCHAR AS user_id, NULL::VARCHAR AS ip_address, 'h1' AS host, NULL::VARCHAR AS trace_id, NULL::VARCHAR AS span_id,
      CAST('{"duration_ms": ' || (i % 9) || '}' AS JSON) AS metadata, CAST(now() AS TIMESTAMP_NS) AS received_at, 'test' AS source, NULL::VARCHAR AS template_id, i AS lsn
    FROM range(0, 3 * 1440) t(i)`, [HOSTILE]);
  await c.run(`COPY (SELECT * EXCLUDE (service), service, CAST(timestamp AS DATE) AS date FROM logs)
    TO '${dir.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date, service), FILENAME_PATTERN 'part-{uuid}')`);
  c.closeSync();
  db.closeSync();
}

async function analyzeLake(lake: string, s: Partial<AnalyzeSettings>, plan: { fromDate?: string; toDate?: string; services?: string[] } = {}) {
  const settings: AnalyzeSettings = { bucketMs: 86_400_000, maxKeys: 1000, from: null, to: null, services: [], defaultService: null, ...s };
  const chunks = await planChunks([lake], { chunkBytes: 1 << 20, ...plan });
  const ps = await Promise.all(chunks.map((chunk) => processChunk({ settings, config, chunk })));
  return { chunks, r: finalizeResult(treeMerge(ps, mergeWith(settings, config), () => emptyPartial(config.detect.windowMs, settings.bucketMs)), config, 5) };
}

test('a lake is read per partition file with every row, service from its directory, hostile names as data', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-lake-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await makeLake(dir);
  const { chunks, r } = await analyzeLake(dir, {});
  assert.equal(chunks.length, 9); // 3 days x 3 services
  assert.ok(chunks.every((c) => c.kind === 'parquet'));
  assert.equal(r.records, 3 * 1440);
  assert.deepEqual(r.byService.map((x) => x.service).sort(), ['api', 'sshd', HOSTILE].sort());
  assert.equal(r.byLevel.find((x) => x.level === 'ERROR')?.count, 3 * 144);
  assert.equal(r.timeBuckets.buckets.length, 3);
  assert.ok(r.templates.list.some((x) => x.template === 'Failed password for root from <*> port <*> ssh2'));
  assert.deepEqual(r.topIps.list.map((x) => x.key).sort(), ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
});

test('date and service filters prune partitions; the time filter is applied inside a file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-lake-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await makeLake(dir);
  const from = '2026-11-02T06:00:00.000Z', to = '2026-11-02T12:00:00.000Z';
  const { chunks, r } = await analyzeLake(dir, { from, to, services: ['api'] }, { fromDate: '2026-11-02', toDate: '2026-11-02', services: ['api'] });
  assert.deepEqual(chunks.map((c) => c.kind === 'parquet' ? [c.date, c.service] : null), [['2026-11-02', 'api']]);
  assert.equal(r.records, 120); // 6 hours of minutes, every third is api
  assert.equal(r.filtered, 0); // pushed down: the rows outside were never read
  assert.deepEqual(r.timeRange, { from: '2026-11-02T06:00:00.000Z', to: '2026-11-02T11:57:00.000Z' });
});
