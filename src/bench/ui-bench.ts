// `npm run bench:ui`: loads BENCH_RECORDS (10 million by default) generated records spanning the last day into a real
// server, then measures the dashboard: time to the first screen with results in Chromium (cold and warm) and the
// latency of the "last hour" search and histogram it asks the API for. Prints one JSON summary with medians.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { writeNdjsonFile } from '../demo/index.js';
import { chromiumMissing, launchBrowser } from '../e2e/browser.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SPAN_MS = 86_400_000;
const OUT = resolve(process.env.BENCH_DIR ?? 'bench-out/ui');
const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return Math.round((s[Math.floor(s.length / 2)] ?? NaN) * 10) / 10; };

async function startServer(dataDir: string, detect: boolean): Promise<{ url: string; stop: () => Promise<void> }> {
  const cfgPath = join(OUT, 'ui-bench-config.yaml');
  writeFileSync(cfgPath, stringify({ dataDir, log: { level: 'warn' }, store: { threads: Number(process.env.BENCH_DUCKDB_THREADS ?? 1) }, detect: { enabled: detect } }));
  const child = spawn(process.execPath, [bin, 'serve', '--config', cfgPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGSIFT_LOG_LEVEL: 'info' } });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /"address":"(http:\/\/[^"]+)"/.exec(out); if (m?.[1]) res(m[1]); });
    child.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
  });
  return { url, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } };
}

/** Streams the file in line-aligned ~1 MiB batches to POST /api/v1/logs with 4 senders, retrying 429/503. */
async function ingest(url: string, file: string): Promise<number> {
  let accepted = 0;
  const queue: Buffer[] = [];
  let done = false;
  const senders = Array.from({ length: 4 }, async () => {
    for (;;) {
      const b = queue.shift();
      if (!b) { if (done) return; await new Promise((r) => setTimeout(r, 5)); continue; }
      for (;;) {
        const res = await fetch(`${url}/api/v1/logs`, { method: 'POST', body: b, headers: { 'content-type': 'application/x-ndjson' } });
        const body = (await res.json()) as { accepted?: number };
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 100)); continue; }
        if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(body)}`);
        accepted += body.accepted ?? 0;
        break;
      }
    }
  });
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = buf.lastIndexOf(0x0a);
    queue.push(Buffer.from(buf.subarray(0, cut + 1)));
    carry = Buffer.from(buf.subarray(cut + 1));
    while (queue.length > 16) await new Promise((r) => setTimeout(r, 5));
  }
  if (carry.length) queue.push(carry);
  done = true;
  await Promise.all(senders);
  return accepted;
}

/** The start of the newest buckets holding at least `limit` matches, as the search view computes it from the histogram. */
function rowsFrom(rows: { bucket: string; count: number }[], startMs: number, limit: number): number {
  const per = new Map<number, number>();
  for (const r of rows) { const t = new Date(r.bucket).getTime(); per.set(t, (per.get(t) ?? 0) + Number(r.count)); }
  let n = 0;
  for (const t of [...per.keys()].sort((a, b) => b - a)) { n += per.get(t) ?? 0; if (n >= limit) return Math.max(startMs, t); }
  return startMs;
}

/**
 * The requests the search view sends for an hour: the histogram, then the newest 1,000 rows from the buckets that
 * hold them. Also the rows query over the whole hour (what a client without the histogram's help would ask).
 */
async function lastHour(url: string, endMs: number): Promise<{ both: number; search: number; histogram: number; search_whole_hour: number; matches: number }> {
  const startMs = endMs - 3_600_000;
  const timed = async (q: string, fromMs: number) => {
    const t = performance.now();
    const res = await fetch(`${url}/api/v1/query?q=${encodeURIComponent(q)}&start=${new Date(fromMs).toISOString()}&end=${new Date(endMs).toISOString()}`);
    const body = (await res.json()) as { rows: { bucket: string; count: number }[] };
    if (res.status !== 200) throw new Error(`${q}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, body };
  };
  const rowsQuery = ' | limit 1000 | fields id, timestamp, level, service, message, template_id';
  const t0 = performance.now();
  const h = await timed(' | histogram 1m by level', startMs);
  const s = await timed(rowsQuery, rowsFrom(h.body.rows, startMs, 1000));
  const both = performance.now() - t0;
  const whole = await timed(rowsQuery, startMs);
  return { both, search: s.ms, histogram: h.ms, search_whole_hour: whole.ms, matches: h.body.rows.reduce((n, r) => n + Number(r.count ?? 0), 0) };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dataDir = join(OUT, `data-${RECORDS}`);
  const marker = join(dataDir, 'ui-bench-loaded.json');
  let load: { records: number; generate_s: number; ingest_s: number; seal_s: number; loaded_at: string } | undefined;
  if (existsSync(marker) && process.env.BENCH_REUSE !== '0') {
    load = JSON.parse(readFileSync(marker, 'utf8')) as typeof load;
    console.error(`reusing ${dataDir} (${RECORDS} records loaded at ${load?.loaded_at}; BENCH_REUSE=0 reloads)`);
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  if (!load) {
    rmSync(dataDir, { recursive: true, force: true });
    const raw = join(OUT, `ui-bench-${RECORDS}.ndjson`);
    const t0 = performance.now();
    // The generated span ends now, so that the last hour holds about a 24th of the records while the benchmark runs.
    const rate = Math.max(1, Math.ceil(RECORDS / (SPAN_MS / 1000)));
    await writeNdjsonFile(raw, RECORDS, { seed: 11, start: new Date(Date.now() - (RECORDS / rate) * 1000), linesPerSecond: rate, format: 'json' });
    const tGen = performance.now();
    server = await startServer(dataDir, true);
    const accepted = await ingest(server.url, raw);
    await fetch(`${server.url}/api/v1/admin/flush`, { method: 'POST' });
    const tIngested = performance.now();
    // Closed days go to the Parquet lake, as they would on a server that has been running: queries read both.
    await fetch(`${server.url}/api/v1/admin/maintain`, { method: 'POST' });
    const s = (a: number, b: number) => Math.round((b - a) / 100) / 10;
    load = { records: accepted, generate_s: s(t0, tGen), ingest_s: s(tGen, tIngested), seal_s: s(tIngested, performance.now()), loaded_at: new Date().toISOString() };
    writeFileSync(marker, JSON.stringify(load));
    rmSync(raw, { force: true });
  } else {
    // Detection is off on a reused directory: nothing is ingested any more, and (seen once) a detector's snapshot
    // of this data made the server stop at start with an anomaly whose score was not a number.
    server = await startServer(dataDir, false);
  }
  // "The last hour" is the hour before the newest record, so that a reused directory measures the same thing.
  const newest = (await (await fetch(`${server.url}/api/v1/query?q=${encodeURIComponent('* | stats max(timestamp) as newest')}`)).json()) as { rows: { newest: string }[] };
  const endMs = Math.min(Date.now(), new Date(newest.rows[0]?.newest ?? Date.now()).getTime() + 1000);
  const status = (await (await fetch(`${server.url}/api/v1/status`)).json()) as { hot_records: number; parts: number; parts_bytes: number; store_bytes: number };

  const api: Awaited<ReturnType<typeof lastHour>>[] = [];
  const first = await lastHour(server.url, endMs); // the first query after start loads DuckDB's caches: reported apart
  for (let i = 0; i < RUNS; i++) api.push(await lastHour(server.url, endMs));

  const screen: { cold_ms: number[]; warm_ms: number[]; fcp_ms: number[]; answers_ms: number[] } = { cold_ms: [], warm_ms: [], fcp_ms: [], answers_ms: [] };
  const missing = chromiumMissing();
  if (!missing) {
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        const measure = async () => {
          await page.goto(`${server.url}/ui/#/search?start=${new Date(endMs - 3_600_000).toISOString()}&end=${new Date(endMs).toISOString()}`);
          await page.waitForFunction(() => performance.getEntriesByName('logsift:first-results').length > 0, undefined, { timeout: 60_000 });
          return page.evaluate(() => {
            const p = performance;
            return {
              mark: p.getEntriesByName('logsift:first-results')[0]?.startTime ?? NaN, answers: p.getEntriesByName('logsift:first-answers')[0]?.startTime ?? NaN,
              fcp: p.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
            };
          });
        };
        const cold = await measure();
        screen.cold_ms.push(cold.mark);
        screen.fcp_ms.push(cold.fcp);
        screen.answers_ms.push(cold.answers);
        await page.goto('about:blank');
        screen.warm_ms.push((await measure()).mark);
      } finally {
        await browser.close();
      }
    }
  }
  await server.stop();
  console.log(JSON.stringify({
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_1m_at_end: Math.round(loadavg()[0] ?? 0) },
    hour: { start: new Date(endMs - 3_600_000).toISOString(), end: new Date(endMs).toISOString() },
    records: RECORDS, load, store: status,
    last_hour_matches: api[0]?.matches,
    api_last_hour_ms: {
      first_after_start: Math.round(first.both),
      histogram_then_rows_median: median(api.map((a) => a.both)),
      histogram_1m_by_level_median: median(api.map((a) => a.histogram)),
      rows_newest_1000_median: median(api.map((a) => a.search)),
      rows_newest_1000_over_the_whole_hour_median: median(api.map((a) => a.search_whole_hour)),
      runs: api.length,
    },
    first_screen_ms: missing ? { skipped: missing } : {
      cold_median: median(screen.cold_ms), warm_median: median(screen.warm_ms), first_contentful_paint_median: median(screen.fcp_ms),
      cold_answers_received_median: median(screen.answers_ms), cold_all: screen.cold_ms.map(Math.round), warm_all: screen.warm_ms.map(Math.round), runs: screen.cold_ms.length,
      what: 'navigation start to the search view rendering its first results for the hour (performance mark logsift:first-results; logsift:first-answers when both API answers arrived), fresh browser profile (cold) and a second load in the same browser (warm)',
    },
  }, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
