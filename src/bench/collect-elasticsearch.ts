// Elasticsearch bulk ingest throughput next to the native NDJSON route: the same generated lines, batched as a
// shipper batches them (2000 documents a request, 3 requests in flight), acknowledged after the fsync.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { writeNdjsonFile } from '../demo/index.js';

const DOCS_PER_REQUEST = 2000;
const CONCURRENCY = 3;

/** Sends batches with CONCURRENCY requests in flight, retrying a 429/503 after a pause; `count` says what one acknowledged. */
async function sendAll(bodies: { body: Buffer; n: number }[], send: (b: Buffer) => Promise<Response>, count: (res: unknown, n: number) => number): Promise<number> {
  let next = 0, acked = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const b = bodies[i];
      if (!b) break;
      for (;;) {
        const res = await send(b.body);
        const body: unknown = await res.json();
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 100)); continue; }
        if (res.status !== 200) throw new Error(`request failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
        acked += count(body, b.n);
        break;
      }
    }
  }));
  return acked;
}

function chunks(lines: string[], per: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += per) out.push(lines.slice(i, i + per));
  return out;
}

/** Sends `lines` (NDJSON documents) as bulk `create` actions to `url` (the server root or its /es prefix). */
export async function benchElasticsearch(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const action = '{"create":{"_index":"logs-bench-default"}}\n';
  const bodies = chunks(lines, DOCS_PER_REQUEST).map((c) => ({ body: Buffer.from(c.map((l) => `${action}${l}\n`).join('')), n: c.length }));
  const t0 = performance.now();
  const acked = await sendAll(bodies, (body) => fetch(`${url}/_bulk?filter_path=errors,items.*.status`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } }),
    (res) => ((res as { items?: Record<string, { status: number }>[] }).items ?? []).filter((it) => Object.values(it)[0]?.status === 201).length);
  return { lines: acked, seconds: (performance.now() - t0) / 1000 };
}

/** The same lines through the native NDJSON route, batched alike. */
export async function benchNdjson(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const bodies = chunks(lines, DOCS_PER_REQUEST).map((c) => ({ body: Buffer.from(`${c.join('\n')}\n`), n: c.length }));
  const t0 = performance.now();
  const acked = await sendAll(bodies, (body) => fetch(`${url}/api/v1/logs`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } }),
    (res) => (res as { accepted?: number }).accepted ?? 0);
  return { lines: acked, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'logsift-bench-es-'));
  try {
    const file = join(dir, 'lines.ndjson');
    await writeNdjsonFile(file, n, { seed: 7, start: new Date(Date.now() - 3_600_000), linesPerSecond: Math.ceil(n / 3000), format: 'json' });
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, stringify({ dataDir: join(dir, 'data'), log: { level: 'warn' }, store: { retentionDays: 0 }, detect: { enabled: false } }));
    const bin = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'serve', '--config', cfg, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGSIFT_LOG_LEVEL: 'info' } });
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /"address":"(http:\/\/[^"]+)"/.exec(out); if (m?.[1]) res(m[1]); });
      child.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
    });
    const es: number[] = [], nd: number[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const a = await benchElasticsearch(url, lines);
        const b = await benchNdjson(url, lines);
        if (a.lines !== lines.length || b.lines !== lines.length) throw new Error(`acknowledged ${a.lines} (bulk) and ${b.lines} (ndjson) of ${lines.length}`);
        es.push(a.lines / a.seconds);
        nd.push(b.lines / b.seconds);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const median = (xs: number[]) => Math.round([...xs].sort((x, y) => x - y)[1] ?? NaN);
    console.log(JSON.stringify({ elasticsearch_lines_per_second: median(es), ndjson_lines_per_second: median(nd) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => { console.error(err); process.exit(1); });
}
