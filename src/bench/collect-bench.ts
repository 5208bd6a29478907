// `npm run bench:collect`: every protocol source next to the core NDJSON path, on one server, on the same generated
// lines, in alternating rounds; prints medians (lines per second, acknowledged = durable) and each ratio to NDJSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchNdjson, demoLines, median, startBenchServer, type ProtocolBench as Bench } from './collect-common.js';
import { benchOtlp } from './collect-otlp.js';
import { benchFile, fileBenchSource } from './collect-file.js';
import { benchLoki } from './collect-loki.js';
import { benchElasticsearch } from './collect-elasticsearch.js';
import { benchSyslog, syslogBenchSource } from './collect-syslog.js';


async function main(): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const lines = demoLines(n);
  const dir = mkdtempSync(join(tmpdir(), 'logsift-bench-collect-'));
  const followed = join(dir, 'app.log');
  writeFileSync(followed, '');
  const benches: [string, Bench][] = [
    ['ndjson', benchNdjson], ['syslog_tcp', benchSyslog], ['otlp_protobuf', benchOtlp], ['elasticsearch_bulk', benchElasticsearch], ['loki_protobuf', benchLoki],
    ['file_tail', (url, lines) => benchFile(url, lines, followed)],
  ];
  const server = await startBenchServer({ sources: [syslogBenchSource, fileBenchSource(followed)] });
  const rates = new Map<string, number[]>(benches.map(([k]) => [k, []]));
  try {
    for (let r = 0; r < runs; r++) {
      // The order turns each round, so no protocol always runs on a fresher (smaller) store than another.
      for (let i = 0; i < benches.length; i++) {
        const [name, bench] = benches[(i + r) % benches.length] as [string, Bench];
        const x = await bench(server.url, lines);
        rates.get(name)?.push(x.lines / x.seconds);
        process.stderr.write(`round ${r + 1}/${runs} ${name}: ${Math.round(x.lines / x.seconds)} lines/s\n`);
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const nd = median(rates.get('ndjson') ?? []);
  const out: Record<string, unknown> = { lines: n, runs, fsync: true };
  for (const [name, xs] of rates) {
    out[`${name}_lines_per_second`] = Math.round(median(xs));
    if (name !== 'ndjson') out[`${name}_vs_ndjson`] = Math.round((median(xs) / nd) * 100) / 100;
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
