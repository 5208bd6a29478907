// `npm run bench`: generates realistic NDJSON, ingests it over HTTP into a real server with fsync on, and prints one JSON summary.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { writeNdjsonFile } from '../demo/index.js';
import { exampleQueries } from './example-queries.js';

const LINES = Number(process.env.BENCH_LINES ?? 2_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BATCH_BYTES = Number(process.env.BENCH_BATCH_BYTES ?? 1 << 20);
const OUT = resolve(process.env.BENCH_DIR ?? 'bench-out');
const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const dirBytes = (d: string): number => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dirBytes(join(d, e.name)) : statSync(join(d, e.name)).size), 0);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const raw = join(OUT, `bench-${LINES}.ndjson`);
  // Timestamps start 3 days back, so that sealing produces closed-day Parquet partitions.
  const start = new Date(Date.now() - 3 * 86_400_000);
  const gen = await writeNdjsonFile(raw, LINES, { seed: 7, start, linesPerSecond: Math.ceil(LINES / (2 * 86_400)), format: 'json' });
  const rawBytes = gen.bytes;
  let zstdBytes: number | null = null;
  try { zstdBytes = Number(execFileSync('bash', ['-c', `zstd -3 -q -c ${JSON.stringify(raw)} | wc -c`]).toString().trim()); } catch { zstdBytes = null; }

  const dataDir = join(OUT, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const cfgPath = join(OUT, 'bench-config.yaml');
  const server: Record<string, number> = process.env.BENCH_WORKERS ? { ingestWorkers: Number(process.env.BENCH_WORKERS) } : {};
  const store: Record<string, number> = { sealAfterHours: 1, ...(process.env.BENCH_DUCKDB_THREADS ? { threads: Number(process.env.BENCH_DUCKDB_THREADS) } : {}) };
  // Durability on: fsync before every acknowledgement (the default).
  writeFileSync(cfgPath, stringify({ dataDir, log: { level: 'warn' }, wal: { fsync: true, ...(process.env.BENCH_FLUSH_MS ? { flushIntervalMs: Number(process.env.BENCH_FLUSH_MS) } : {}) }, server, store }));
  // BENCH_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof') are passed to the server's node, for profiling.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--config', cfgPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGSIFT_LOG_LEVEL: 'info' } });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /"address":"(http:\/\/[^"]+)"/.exec(out); if (m?.[1]) res(m[1]); });
    child.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
  });
  // Peak resident memory per phase, sampled from /proc every 100 ms (VmHWM only knows the peak of the whole run).
  const peak = { ingest: 0, queries: 0, seal: 0 };
  let phase: keyof typeof peak = 'ingest';
  const sampler = setInterval(() => {
    try { const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8')); if (m?.[1]) peak[phase] = Math.max(peak[phase], Number(m[1]) * 1024); } catch { /* exited */ }
  }, 100);

  // Ingest: CONCURRENCY senders over line-aligned ~1 MiB batches.
  const batches: Buffer[] = [];
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(raw, { highWaterMark: BATCH_BYTES }) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = buf.lastIndexOf(0x0a);
    batches.push(buf.subarray(0, cut + 1));
    carry = buf.subarray(cut + 1);
  }
  if (carry.length) batches.push(carry);
  let accepted = 0, retries = 0, idx = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (idx < batches.length) {
      const b = batches[idx++];
      if (!b) break;
      for (;;) {
        const res = await fetch(`${url}/api/v1/logs`, { method: 'POST', body: b, headers: { 'content-type': 'application/x-ndjson' } });
        const body = (await res.json()) as { accepted?: number };
        if (res.status === 429 || res.status === 503) { retries++; await new Promise((r) => setTimeout(r, 100)); continue; }
        if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(body)}`);
        accepted += body.accepted ?? 0;
        break;
      }
    }
  }));
  const tAcked = performance.now();
  // Until queryable: the count over the store equals what was acknowledged.
  for (;;) {
    const r = (await (await fetch(`${url}/api/v1/query?q=${encodeURIComponent('* | stats count()')}`)).json()) as { rows: Record<string, unknown>[] };
    const n = Number(Object.values(r.rows[0] ?? {})[0] ?? 0);
    if (n >= accepted) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tQueryable = performance.now();
  phase = 'queries';
  const secs = (tQueryable - t0) / 1000;

  const queries: Record<string, { median_ms: number; runs: number }> = {};
  for (const q of exampleQueries) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const res = await fetch(`${url}/api/v1/query?q=${encodeURIComponent(q)}`);
      if (res.status !== 200) throw new Error(`query ${q} failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      times.push(performance.now() - s);
    }
    queries[q] = { median_ms: Math.round(median(times) * 10) / 10, runs: times.length };
  }
  phase = 'seal';
  await fetch(`${url}/api/v1/admin/maintain`, { method: 'POST' }).then((r) => r.text());
  const hotBytesAfterSeal = statSync(join(dataDir, 'logsift.duckdb')).size;
  const statusAfterSeal = (await (await fetch(`${url}/api/v1/status`)).json()) as { hot_records: number; parts: number };
  const partsBytes = dirBytes(join(dataDir, 'parts'));
  const sealedQueries: Record<string, number> = {};
  for (const q of exampleQueries.slice(0, 3)) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) { const s = performance.now(); await (await fetch(`${url}/api/v1/query?q=${encodeURIComponent(q)}`)).arrayBuffer(); times.push(performance.now() - s); }
    sealedQueries[q] = Math.round(median(times) * 10) / 10;
  }
  clearInterval(sampler);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const totalDisk = dirBytes(dataDir);

  console.log(JSON.stringify({
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    config: { server, store }, lines: LINES, accepted, raw_bytes: rawBytes, avg_line_bytes: Math.round(rawBytes / LINES), batches: batches.length, concurrency: CONCURRENCY, retries_429: retries,
    ingest_seconds_until_acked: Math.round((tAcked - t0) / 10) / 100,
    ingest_seconds_until_queryable: Math.round(secs * 100) / 100,
    lines_per_second_end_to_end: Math.round(accepted / secs),
    mb_per_second_end_to_end: Math.round((rawBytes / 1048576 / secs) * 10) / 10,
    peak_rss_mib_ingest: Math.round(peak.ingest / 1048576), peak_rss_mib_queries: Math.round(peak.queries / 1048576), peak_rss_mib_seal: Math.round(peak.seal / 1048576),
    zstd3_bytes: zstdBytes,
    disk_bytes_after_seal: totalDisk, disk_bytes_per_line: Math.round((totalDisk / LINES) * 10) / 10,
    parquet_parts_bytes: partsBytes, hot_duckdb_bytes_after_seal: hotBytesAfterSeal, hot_records_after_seal: statusAfterSeal.hot_records, parquet_files: statusAfterSeal.parts,
    store_vs_zstd3: zstdBytes ? Math.round((totalDisk / zstdBytes) * 100) / 100 : null,
    parquet_vs_zstd3: zstdBytes ? Math.round((partsBytes / zstdBytes) * 100) / 100 : null,
    query_median_ms_hot: queries,
    query_median_ms_after_seal: sealedQueries,
  }, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
