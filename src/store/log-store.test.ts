import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore } from './log-store.js';
import { applyRetention, listParts, recoverSeal, relationSql, sealClosedDays } from './partitions.js';
import { ensureTemplatesTable, upsertTemplates } from './templates.js';
import { ensureAnomaliesTable, upsertAnomalies } from './anomalies.js';
import type { Anomaly } from '../model/anomaly.js';

const opts = { threads: 1, memoryLimit: '256MiB' };

function segment(dir: string, name: string, lines: object[]): { path: string; seq: number; bytes: number; lastLsn: number; deadLetters: boolean } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  writeFileSync(path, text);
  const lastLsn = Math.max(...lines.map((l) => (l as { lsn: number }).lsn));
  return { path, seq: 1, bytes: text.length, lastLsn, deadLetters: text.includes('"k":"d"') };
}

const rec = (lsn: number, ts: string, service = 'api', extra: object = {}) => ({
  k: 'r', lsn, id: `id${lsn}`, timestamp: ts, level: 'INFO', service, message: `hello ${lsn}`, received_at: ts, source: 'test', metadata: { n: lsn }, ...extra,
});

test('a segment loads once: a second load after a crash stores nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  let store = await LogStore.open(dir, opts);
  const seg = segment(join(dir, 'wal'), 'seg-1.ndjson', [
    rec(1, '2024-01-01T00:00:00.123456789Z'), rec(2, '2024-01-01T00:00:01Z'),
    { k: 'd', lsn: 3, id: 'dl-3', received_at: '2024-01-01T00:00:02Z', source: 'test', reason: 'invalid_utf8', error: 'bad', raw_b64: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') },
  ]);
  assert.deepEqual(await store.loadSegment(seg, seg.lastLsn), { records: 2, deadLetters: 1 });
  await store.close();
  store = await LogStore.open(dir, opts);
  assert.equal(store.appliedLsn, 3);
  assert.deepEqual(await store.loadSegment(seg, seg.lastLsn), { records: 0, deadLetters: 0 });
  const rows = await store.query(`SELECT id, replace(CAST(timestamp AS VARCHAR), ' ', 'T') || 'Z' AS ts, metadata FROM logs ORDER BY lsn`);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.ts, '2024-01-01T00:00:00.123456789Z', 'nanosecond precision is kept');
  const dl = await store.query('SELECT to_base64(raw) AS b FROM dead_letters');
  assert.equal(Buffer.from(String(dl[0]?.b), 'base64').toString('hex'), 'fffe41', 'raw bytes kept verbatim');
  await store.close();
});

test('the store cannot read files outside its data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = await LogStore.open(dir, opts);
  await assert.rejects(store.query(`SELECT * FROM read_csv('/etc/passwd')`), /Permission Error|disabled by configuration/);
  await assert.rejects(store.query(`SET enable_external_access = true`), /locked|Cannot enable external access/);
  await assert.rejects(store.query(`SET allowed_directories = ['/']`), /locked|Cannot change allowed_directories/);
  await assert.rejects(store.query(`SET memory_limit = '100GB'`), /locked/);
  await store.close();
});

test('closed days are sealed to Parquet, stay queryable, and retention drops old days', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = await LogStore.open(dir, opts);
  const seg = segment(join(dir, 'wal'), 'seg-1.ndjson', [
    rec(1, '2024-01-01T10:00:00Z', 'api'), rec(2, '2024-01-01T11:00:00Z', "we'ird/../svc"),
    rec(3, '2024-01-02T10:00:00Z', 'api'), rec(4, '2024-01-03T10:00:00Z', 'db'),
  ]);
  await store.loadSegment(seg, seg.lastLsn);
  const now = new Date('2024-01-03T12:00:00Z');
  const sealed = await sealClosedDays(store, now, { sealAfterHours: 2, retentionDays: 0, maxTotalBytes: 0 });
  assert.deepEqual(sealed, ['2024-01-01', '2024-01-02']);
  const parts = await listParts(join(dir, 'parts'));
  assert.equal(parts.length, 3, 'one file per day and service');
  assert.ok(parts.every((p) => p.path.startsWith(join(dir, 'parts'))), 'hostile service names stay inside parts/');
  const hot = await store.query('SELECT count(*) AS n FROM logs');
  assert.equal(Number(hot[0]?.n), 1);
  const all = await store.query(`SELECT service, count(*) AS n FROM ${relationSql(parts)} GROUP BY service ORDER BY service`);
  assert.deepEqual(all.map((r) => [r.service, Number(r.n)]), [['api', 2], ['db', 1], ["we'ird/../svc", 1]]);
  await recoverSeal(store);
  // Templates and anomalies derived from old records age out with them.
  await ensureTemplatesTable(store);
  await ensureAnomaliesTable(store);
  const tpl = (id: string, at: string) => ({ templateId: id, service: 'api', template: 'hello <*>', firstSeen: at, lastSeen: at, count: 1, examples: ['hello 1'] });
  await upsertTemplates(store, [tpl('0000000000000001', '2024-01-01T00:00:00Z'), tpl('0000000000000002', '2024-01-02T10:00:00Z')]);
  const anomaly = (id: string, at: string): Anomaly => ({
    anomaly_id: id, detected_at: at, window_start: at, window_end: at, anomaly_type: 'volume_spike', severity: 'low', service: 'api',
    description: 'x', score: 1, confidence: 0.5, evidence: {}, status: 'resolved',
  });
  await upsertAnomalies(store, [anomaly('old', '2024-01-01T00:01:00Z'), anomaly('new', '2024-01-02T10:01:00Z')]);
  const dropped = await applyRetention(store, now, { sealAfterHours: 2, retentionDays: 1, maxTotalBytes: 0 });
  assert.deepEqual(dropped, ['2024-01-01']);
  assert.deepEqual((await store.query('SELECT template_id FROM templates')).map((r) => r.template_id), ['0000000000000002']);
  assert.deepEqual((await store.query('SELECT anomaly_id FROM anomalies')).map((r) => r.anomaly_id), ['new']);
  assert.equal(existsSync(join(dir, 'parts', 'date=2024-01-01')), false);
  assert.equal((await listParts(join(dir, 'parts'))).length, 1);
  await store.close();
});

test('size-based retention drops the oldest sealed days until the directory fits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = await LogStore.open(dir, opts);
  const lines = [];
  for (let d = 1; d <= 4; d++) for (let i = 0; i < 50; i++) lines.push(rec(d * 100 + i, `2024-02-0${d}T1${i % 10}:00:00Z`, `svc${i % 3}`));
  const seg = segment(join(dir, 'wal'), 'seg-1.ndjson', lines);
  await store.loadSegment(seg, seg.lastLsn);
  const now = new Date('2024-02-05T12:00:00Z');
  await sealClosedDays(store, now, { sealAfterHours: 2, retentionDays: 0, maxTotalBytes: 0 });
  const parts = await listParts(join(dir, 'parts'));
  assert.deepEqual([...new Set(parts.map((p) => p.date))], ['2024-02-01', '2024-02-02', '2024-02-03', '2024-02-04']);
  rmSync(seg.path); // loaded: the write path deletes the segment
  await store.checkpoint(); // a stable database file size for the bound below
  const newest = parts.filter((p) => p.date >= '2024-02-03').reduce((n, p) => n + p.bytes, 0);
  // Room for the database file and the two newest days only: the two oldest days must go.
  const bound = (await store.dbBytes()) + newest;
  const dropped = await applyRetention(store, now, { sealAfterHours: 2, retentionDays: 0, maxTotalBytes: bound });
  assert.deepEqual(dropped, ['2024-02-01', '2024-02-02']);
  const left = await listParts(join(dir, 'parts'));
  assert.ok((await store.dbBytes()) + left.reduce((n, p) => n + p.bytes, 0) <= bound);
  assert.deepEqual([...new Set(left.map((p) => p.date))], ['2024-02-03', '2024-02-04']);
  await store.close();
});

test('size retention never drops the lake when the database file alone is over the bound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = await LogStore.open(dir, opts);
  const seg = segment(join(dir, 'wal'), 'seg-1.ndjson', [rec(1, '2024-02-01T10:00:00Z'), rec(2, '2024-02-02T10:00:00Z')]);
  await store.loadSegment(seg, seg.lastLsn);
  const now = new Date('2024-02-05T12:00:00Z');
  await sealClosedDays(store, now, { sealAfterHours: 2, retentionDays: 0, maxTotalBytes: 0 });
  const dropped = await applyRetention(store, now, { sealAfterHours: 2, retentionDays: 0, maxTotalBytes: 1024 });
  assert.deepEqual(dropped, []);
  assert.equal((await listParts(join(dir, 'parts'))).length, 2);
  await store.close();
});

test('a seal interrupted after its staging directory was removed finishes on the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = await LogStore.open(dir, opts);
  await store.setMeta('pending_seal', join(dir, 'parts', '.staging-2024-01-01-1'));
  await recoverSeal(store);
  assert.equal(await store.getMeta('pending_seal'), undefined);
  await store.close();
});
