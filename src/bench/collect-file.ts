// Benchmark of the file source: lines appended to a file that a running server follows, timed until the source has
// stored them all, beside the same lines posted as NDJSON. `node dist/bench/collect-file.js` prints
// {"file_lines_per_second": n, "ndjson_lines_per_second": n} (medians of 3 runs; BENCH_LINES lines, 200,000 by default).
// benchFile needs a server started with fileBenchSource(path) among its sources.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareWithNdjson } from './collect-common.js';

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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-bench-file-'));
  const followed = join(dir, 'app.log');
  writeFileSync(followed, '');
  try {
    await compareWithNdjson('file', (url, lines) => benchFile(url, lines, followed), { sources: [fileBenchSource(followed)] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
