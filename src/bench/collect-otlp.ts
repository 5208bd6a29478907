// OTLP/HTTP protobuf ingest benchmark: the demo NDJSON lines as OTLP log records (grouped by resource, 1000 per export
// like a collector's batch), 4 concurrent exporters; run next to the NDJSON path. `node dist/bench/collect-otlp.js`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { createGenerator } from '../demo/index.js';
import { protoType } from '../collect/proto-files.js';

const BATCH = 1000;
const CONCURRENCY = 4;
const LEVEL_NUMBER: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

type Line = Record<string, unknown>;

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  return { stringValue: JSON.stringify(v) };
}

/** One export request body: the lines grouped by (service, host) resource, each line a LogRecord. */
export function otlpRequest(lines: Line[]): Uint8Array {
  const resources = new Map<string, Line[]>();
  for (const l of lines) {
    const key = `${String(l.service)}\u0000${String(l.host ?? '')}`;
    const list = resources.get(key) ?? [];
    list.push(l);
    resources.set(key, list);
  }
  const resourceLogs = [...resources.values()].map((group) => {
    const first = group[0] ?? {};
    return {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: String(first.service) } }, ...(first.host ? [{ key: 'host.name', value: { stringValue: String(first.host) } }] : [])] },
      scopeLogs: [{
        scope: { name: 'bench' },
        logRecords: group.map((l) => {
          const { timestamp, level, service: _s, host: _h, message, trace_id, span_id, ...rest } = l;
          const ms = Date.parse(String(timestamp));
          return {
            timeUnixNano: `${ms}000000`, // fixed64: protobufjs takes the decimal text
            severityNumber: LEVEL_NUMBER[String(level)] ?? 9,
            body: { stringValue: String(message) },
            attributes: Object.entries(rest).map(([key, v]) => ({ key, value: anyValue(v) })),
            ...(typeof trace_id === 'string' ? { traceId: Buffer.from(trace_id, 'hex') } : {}),
            ...(typeof span_id === 'string' ? { spanId: Buffer.from(span_id, 'hex') } : {}),
          };
        }),
      }],
    };
  });
  const t = protoType('opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  return t.encode(t.create({ resourceLogs })).finish();
}

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

/** Sends the lines as OTLP/protobuf export requests; resolves when the server acknowledged them all. */
export async function benchOtlp(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < lines.length; i += BATCH) bodies.push(otlpRequest(lines.slice(i, i + BATCH).map((l) => JSON.parse(l) as Line)));
  const t0 = performance.now();
  await sendAll(`${url}/v1/logs`, bodies, { 'content-type': 'application/x-protobuf' }, (s) => s === 200);
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs a protocol bench and the NDJSON bench alternately `runs` times on one server; medians in lines per second. */
export async function compareWithNdjson(name: string, bench: (url: string, lines: string[]) => Promise<{ lines: number; seconds: number }>): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const lines = demoLines(n);
  const server = await startBenchServer();
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  compareWithNdjson('otlp', benchOtlp).catch((err) => { console.error(err); process.exit(1); });
}
