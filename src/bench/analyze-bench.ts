// `npm run bench:analyze`: lines/s of `logsift analyze` on one generated archive with the local executor (1 and 2
// threads), Dask and Ray (local clusters of 2 workers); medians of a few runs; checks every result is the same.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNdjsonFile } from '../demo/index.js';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHUNK_BYTES = Number(process.env.BENCH_CHUNK_BYTES ?? 64 * 1024 * 1024);
const OUT = resolve(process.env.BENCH_DIR ?? 'bench-out');
const EXECUTORS = (process.env.BENCH_EXECUTORS ?? 'local:1,local:2,dask:2,ray:2').split(',');
const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const archive = join(OUT, `analyze-${LINES}.ndjson`);
  if (!existsSync(archive)) await writeNdjsonFile(archive, LINES, { seed: 7, start: new Date('2026-11-01T00:00:00Z'), linesPerSecond: 50, format: 'json' });
  const bytes = statSync(archive).size;
  const digests = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  for (const spec of EXECUTORS) {
    const [executor, workers] = spec.split(':') as [string, string];
    const seconds: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const out = join(OUT, `analyze-${executor}-${workers}.json`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [bin, 'analyze', '--input', archive, '--executor', executor, '--workers', workers, '--chunk-bytes', String(CHUNK_BYTES), '--quiet', '--output', out], { encoding: 'utf8' });
      const s = (performance.now() - t0) / 1000;
      if (r.status !== 0) { process.stderr.write(`bench:analyze: ${spec} failed (exit ${r.status}):\n${r.stderr}\n`); process.exitCode = 1; break; }
      seconds.push(s);
      digests.add(createHash('sha256').update(readFileSync(out)).digest('hex'));
    }
    if (seconds.length === 0) continue;
    const m = median(seconds);
    const row = { executor, workers: Number(workers), runs: seconds.length, medianSeconds: Number(m.toFixed(2)), linesPerSecond: Math.round(LINES / m), mibPerSecond: Number((bytes / 1048576 / m).toFixed(1)), seconds: seconds.map((x) => Number(x.toFixed(2))) };
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ lines: LINES, bytes, chunkBytes: CHUNK_BYTES, chunks: Math.ceil(bytes / CHUNK_BYTES), cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, identicalResults: digests.size === 1 })}\n`);
  if (digests.size > 1) { process.stderr.write('bench:analyze: the executors gave different results\n'); process.exitCode = 1; }
}

await main();
