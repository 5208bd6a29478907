// The CLI against a real server: ingest a real log file and stdin, query, tail, status and export a Parquet lake.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { binPath, flush, startServer, tempDir, type RunningServer } from './harness.js';

const run = promisify(execFile);
const loghub = new URL('../../../shared/data/loghub-2k/', import.meta.url);
let server: RunningServer;
let dir: string;

before(async () => {
  dir = tempDir('cli');
  // sealAfterHours 1: yesterday's records are sealed to Parquet by maintenance (export runs it). retentionDays 0:
  // the Loghub Linux lines are from June, which a 30-day retention would refuse as too_old.
  server = await startServer(join(dir, 'data'), { wal: { flushIntervalMs: 100 }, store: { sealAfterHours: 1, retentionDays: 0 } });
});
after(async () => { await server?.stop(); });

test('ingest a file: summary of accepted and rejected lines', async () => {
  const file = join(dir, 'app.log');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const lines = [
    ...Array.from({ length: 500 }, (_, i) => JSON.stringify({ timestamp: `${yesterday}T10:00:${String(i % 60).padStart(2, '0')}Z`, level: i % 10 === 0 ? 'error' : 'info', service: i % 2 ? 'api' : 'web', message: `request ${i} done` })),
    '{"broken": ',
    `{"message":"${'L'.repeat(3 * 1024 * 1024)}"}`, // one endless line: not sent, skipped as it streams, counted
    JSON.stringify({ timestamp: `${yesterday}T11:00:00Z`, level: 'info', service: 'web', message: 'after the long line' }),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  const r = await run(process.execPath, [binPath, 'ingest', file, '--url', server.url, '--batch-bytes', '4096']);
  assert.match(r.stdout, /accepted 501, rejected 1 \(unparseable=1\), blank lines skipped/);
  assert.match(r.stdout, /1 line\(s\) longer than 1048576 bytes were not sent \(\d+ bytes\)/);

  assert.match(r.stdout, /logsift dlq list/);
});

test('ingest real Linux syslog lines from stdin with a service', async (t) => {
  const path = new URL('Linux/Linux_2k.log', loghub);
  if (!existsSync(path)) {
    console.warn(`SKIPPED: loghub data absent at ${path.pathname}`);
    t.skip(`loghub data absent at ${path.pathname}`);
    return;
  }
  const child = spawn(process.execPath, [binPath, 'ingest', '-', '--url', server.url, '--service', 'linux'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const { createReadStream } = await import('node:fs');
  createReadStream(path).pipe(child.stdin);
  await new Promise((r) => child.once('exit', r));
  assert.match(out, /accepted 2000, rejected 0/);
  await flush(server.url);
  // The syslog tag names the service; the message is what follows it (490 such lines in the file).
  const q = await run(process.execPath, [binPath, 'query', '"authentication failure" | stats count() by (service)', '--url', server.url, '--json']);
  const body = JSON.parse(q.stdout) as { rows: { service: string; count: number }[] };
  assert.deepEqual(body.rows, [{ service: 'sshd(pam_unix)', count: 489 }, { service: 'gdm(pam_unix)', count: 1 }]);
});

test('query prints a table; --json prints the response', async () => {
  await flush(server.url);
  const t = await run(process.execPath, [binPath, 'query', 'level:error service:api OR level:error service:web | stats count() by (service)', '--url', server.url]);
  assert.match(t.stdout, /service\s+count/);
  assert.match(t.stdout, /web\s+50\n/, 'errors are the even requests, all on web');
  const bad = await run(process.execPath, [binPath, 'query', 'service:(', '--url', server.url]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 1);
  assert.match((bad as { stderr: string }).stderr, /logsift: 400: /);
});

test('tail follows records stored after it started', async () => {
  const child = spawn(process.execPath, [binPath, 'tail', 'service:tailme', '--url', server.url, '--interval', '100', '--max', '3', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  // Wait until tail has its starting cursor, so the records below are stored after it.
  await new Promise<void>((resolve, reject) => {
    const tm = setTimeout(() => reject(new Error('tail did not start within 15 s')), 15_000);
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('following records stored after cursor')) { clearTimeout(tm); resolve(); } });
  });
  const body = ['one', 'two', 'three'].map((m) => JSON.stringify({ message: m, service: 'tailme' })).join('\n');
  await fetch(`${server.url}/api/v1/logs`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
  const code = await new Promise<number | null>((r) => { const tm = setTimeout(() => { child.kill(); r(null); }, 15_000); child.once('exit', (c) => { clearTimeout(tm); r(c); }); });
  assert.equal(code, 0, `tail exited after 3 records; output: ${out}`);
  assert.deepEqual(out.trim().split('\n').map((l) => (JSON.parse(l) as { message: string }).message), ['one', 'two', 'three']);
});

test('export writes a Hive-partitioned Parquet lake that DuckDB reads back', async () => {
  const out = join(dir, 'lake');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const r = await run(process.execPath, [binPath, 'export', '--out', out, '--url', server.url, '--data-dir', join(dir, 'data'), '--since', yesterday]);
  assert.match(r.stdout, /exported [1-9]\d* Parquet files/);
  const days = readdirSync(out);
  assert.equal(days.length, 1);
  assert.equal(days[0], `date=${yesterday}`, 'only days since --since');
  assert.deepEqual(readdirSync(join(out, days[0] ?? '')).sort(), ['service=api', 'service=web']);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT service, count(*) AS n FROM read_parquet('${out}/**/*.parquet', hive_partitioning = true) GROUP BY service ORDER BY service`)).getRowObjectsJson();
  assert.deepEqual(rows.map((x) => [x.service, Number(x.n)]), [['api', 250], ['web', 251]]);
  c.closeSync();
  // The sealed records are still found by queries (hot table + parts).
  const q = await run(process.execPath, [binPath, 'query', 'service:api | stats count()', '--url', server.url, '--json']);
  assert.equal(Number(Object.values((JSON.parse(q.stdout) as { rows: Record<string, unknown>[] }).rows[0] ?? {})[0]), 250);
  const st = await run(process.execPath, [binPath, 'status', '--url', server.url]);
  assert.ok((JSON.parse(st.stdout) as { parts: number }).parts >= 2);
});
