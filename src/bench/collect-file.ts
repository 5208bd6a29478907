// Benchmark of the file source: lines appended to a file that a running server follows, timed until the source has
// stored them all, beside the same lines posted as NDJSON. `node dist/bench/collect-file.js` prints
// {"file_lines_per_second": n, "ndjson_lines_per_second": n} (medians of 3 runs; BENCH_LINES lines, 200,000 by default).
// benchFile needs a server started with fileBenchSource(path) among its sources.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { writeNdjsonFile } from '../demo/index.js';

const SOURCE = 'bench-file';

/** The `sources` entry a server needs for benchFile: a file source named bench-file following `path`. */
export function fileBenchSource(path: string): Record<string, unknown> {
  return { type: 'file', name: SOURCE, include: [path] };
}

async function accepted(url: string): Promise<number> {
  const r = (await (await fetch(`${url}/api/v1/sources`)).json()) as { sources: { name: string; accepted: number; rejected: number }[] };
  const s = r.sources.find((x) => x.name === SOURCE);
  return s ? s.accepted + s.rejected : 0;
}

/**
 * Appends `lines` to the followed file (in 1 MiB writes, as a busy app's logger would) and resolves once the source
 * has stored them all (durable: its counters move after the WAL fsync). The file must be named by fileBenchSource.
 */
export async function benchFile(url: string, lines: string[], path = process.env.BENCH_FILE_PATH ?? ''): Promise<{ lines: number; seconds: number }> {
  if (!path) throw new Error('benchFile needs the path the server follows (fileBenchSource(path), or BENCH_FILE_PATH)');
  const before = await accepted(url);
  const t0 = performance.now();
  let buf = '';
  for (const l of lines) {
    buf += `${l}\n`;
    if (buf.length >= 1 << 20) { appendFileSync(path, buf); buf = ''; }
  }
  if (buf) appendFileSync(path, buf);
  while ((await accepted(url)) < before + lines.length) await new Promise((r) => setTimeout(r, 10));
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

/** The same lines posted as NDJSON in ~1 MiB line-aligned batches over 4 connections, until all are acknowledged. */
export async function benchNdjson(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const batches: string[] = [];
  let buf = '';
  for (const l of lines) { buf += `${l}\n`; if (buf.length >= 1 << 20) { batches.push(buf); buf = ''; } }
  if (buf) batches.push(buf);
  let idx = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let b = batches[idx++]; b !== undefined; b = batches[idx++]) {
      for (;;) {
        const res = await fetch(`${url}/api/v1/logs`, { method: 'POST', body: b, headers: { 'content-type': 'application/x-ndjson' } });
        await res.arrayBuffer();
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 50)); continue; }
        if (res.status !== 200) throw new Error(`ingest failed: ${res.status}`);
        break;
      }
    }
  }));
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'logsift-bench-file-'));
  const gen = join(dir, 'lines.ndjson');
  await writeNdjsonFile(gen, n, { seed: 7, start: new Date(Date.now() - 3_600_000), linesPerSecond: Math.ceil(n / 3000), format: 'json' });
  const lines = readFileSync(gen, 'utf8').split('\n').filter(Boolean);
  const followed = join(dir, 'app.log');
  writeFileSync(followed, '');
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, stringify({ dataDir: join(dir, 'data'), log: { level: 'warn' }, wal: { fsync: true }, sources: [fileBenchSource(followed)] }));
  const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--config', cfg, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGSIFT_LOG_LEVEL: 'info' } });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /"address":"(http:\/\/[^"]+)"/.exec(out); if (m?.[1]) res(m[1]); });
    child.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
  });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const file: number[] = [];
  const ndjson: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const a = await benchNdjson(url, lines);
      ndjson.push(a.lines / a.seconds);
      const b = await benchFile(url, lines, followed);
      file.push(b.lines / b.seconds);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ file_lines_per_second: Math.round(median(file)), ndjson_lines_per_second: Math.round(median(ndjson)), runs: { file: file.map(Math.round), ndjson: ndjson.map(Math.round) } })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
