// `npm run bench:collect`: every protocol source next to the core NDJSON path, on one server, on the same generated
// lines, in alternating rounds; prints medians (lines per second, acknowledged = durable) and each ratio to NDJSON.
import { benchNdjson, demoLines, startBenchServer } from './collect-otlp.js';
import { benchOtlp } from './collect-otlp.js';
import { benchLoki } from './collect-loki.js';
import { benchElasticsearch } from './collect-elasticsearch.js';
import { benchSyslog } from './collect-syslog.js';

type Bench = (url: string, lines: string[]) => Promise<{ lines: number; seconds: number }>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_LINES ?? 200_000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const lines = demoLines(n);
  const benches: [string, Bench][] = [
    ['ndjson', benchNdjson], ['syslog_tcp', benchSyslog], ['otlp_protobuf', benchOtlp], ['elasticsearch_bulk', benchElasticsearch], ['loki_protobuf', benchLoki],
  ];
  const server = await startBenchServer({ sources: [{ type: 'syslog', name: 'syslog-bench', protocol: 'tcp', port: 0 }] });
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
