// What the protocol benchmarks share: the demo lines, a server in a temporary directory (fsync on), the NDJSON
// reference path, and the alternating protocol-vs-NDJSON loop with medians.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createGenerator } from '../demo/index.js';

export type ProtocolBench = (url: string, lines: string[]) => Promise<{ lines: number; seconds: number }>;

const CONCURRENCY = 4;

/** POSTs every body with `concurrency` senders, retrying 429/503 after a pause; resolves when all were acknowledged. */
export async function sendAll(url: string, bodies: Uint8Array[], headers: Record<string, string>, ok: (status: number) => boolean, concurrency = CONCURRENCY): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      for (;;) {
        const res = await fetch(url, { method: 'POST', body: bodies[i], headers });
        await res.arrayBuffer();
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 50)); continue; }
        if (!ok(res.status)) throw new Error(`${url}: HTTP ${res.status}`);
        break;
      }
    }
  }));
}

/** The reference: the same lines as NDJSON in ~1 MiB batches to POST /api/v1/logs. */
export async function benchNdjson(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const bodies: Uint8Array[] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    cur.push(l);
    bytes += l.length + 1;
    if (bytes >= 1 << 20) { bodies.push(Buffer.from(cur.join('\n') + '\n')); cur = []; bytes = 0; }
  }
  if (cur.length) bodies.push(Buffer.from(cur.join('\n') + '\n'));
  const t0 = performance.now();
  await sendAll(`${url}/api/v1/logs`, bodies, { 'content-type': 'application/x-ndjson' }, (s) => s === 200);
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

/** The demo generator's JSON lines, as the core ingest bench makes them (timestamps from an hour ago). */
export function demoLines(n: number): string[] {
  const g = createGenerator({ seed: 7, start: new Date(Date.now() - 3_600_000), linesPerSecond: Math.max(1, Math.ceil(n / 3000)), format: 'json' });
  return Array.from({ length: n }, () => g.next());
}

/** Starts `logsift serve` (fsync on) in a temporary directory; returns its URL and a stop function. */
export async function startBenchServer(extra: Record<string, unknown> = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-collect-bench-'));
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, stringify({ dataDir: join(dir, 'data'), log: { level: 'warn' }, wal: { fsync: true }, ...extra }));
  const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--config', cfg, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGSIFT_LOG_LEVEL: 'info' } });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /"address":"(http:\/\/[^"]+)"/.exec(out); if (m?.[1]) res(m[1]); });
    child.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
  });
  child.stdout?.resume();
  return {
    url,
    stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); rmSync(dir, { recursive: true, force: true }); },
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs a protocol bench and the NDJSON bench alternately `runs` times on one server; medians in lines per second. */
export async function compareWithNdjson(name: string, bench: ProtocolBench, extraConfig: Record<string, unknown> = {}): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const lines = demoLines(n);
  const server = await startBenchServer(extraConfig);
  try {
    const proto: number[] = [];
    const nd: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = await bench(server.url, lines);
      proto.push(a.lines / a.seconds);
      const b = await benchNdjson(server.url, lines);
      nd.push(b.lines / b.seconds);
    }
    console.log(JSON.stringify({ [`${name}_lines_per_second`]: Math.round(median(proto)), ndjson_lines_per_second: Math.round(median(nd)), lines: n, runs }));
  } finally {
    await server.stop();
  }
}

