// `logsift query "<q>"` and `logsift tail`: read through the server's query API; table output or --json.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ApiError, api, defaultUrl } from './client.js';
import { cell, renderTable } from './table.js';

const COMPACT = ['timestamp', 'level', 'service', 'host', 'message'];
/** `| anomalies` without `| fields`: what happened when, leaving out the ids, confidence and evidence JSON. */
const COMPACT_ANOMALIES = ['window_start', 'window_end', 'severity', 'anomaly_type', 'service', 'score', 'status', 'description'];

interface QueryResponse { kind: string; columns: string[]; rows: Record<string, unknown>[]; took_ms: number; next?: number }

function qs(params: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.set(k, v);
  return u.toString();
}

export function registerQuery(program: Command): void {
  program
    .command('query <q>')
    .description('search and aggregate stored logs (see docs/query.md), e.g. \'service:api level:error | stats count() by (host)\'')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--start <time>', 'RFC 3339 start (inclusive)')
    .option('--end <time>', 'RFC 3339 end (exclusive)')
    .option('-n, --limit <n>', 'maximum rows')
    .option('--json', 'print the raw JSON response')
    .option('--wide', 'show every column of records (default: timestamp, level, service, host, message) or anomalies (default: window_start, window_end, severity, anomaly_type, service, score, status, description)')
    .action(async (q: string, f: { url: string; start?: string; end?: string; limit?: string; json?: boolean; wide?: boolean }) => {
      const r = await api<QueryResponse>({ url: f.url }, `/api/v1/query?${qs({ q, start: f.start, end: f.end, limit: f.limit })}`);
      if (f.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      // Records and anomalies without a `| fields` pipe carry every column; a terminal shows the ones people scan.
      const short = r.kind === 'rows' ? COMPACT : r.kind === 'anomalies' ? COMPACT_ANOMALIES : undefined;
      const compact = short !== undefined && !f.wide && short.every((c) => r.columns.includes(c));
      process.stdout.write(renderTable(compact ? short : r.columns, r.rows) + '\n');
      const what = r.kind !== 'anomalies' ? 'rows' : r.rows.length === 1 ? 'anomaly' : 'anomalies';
      process.stderr.write(`${r.rows.length} ${what} in ${r.took_ms} ms\n`);
    });

  program
    .command('tail [q]')
    .description('follow new records as they are stored, optionally filtered by a query')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--interval <ms>', 'poll interval in milliseconds', '1000')
    .option('--json', 'one JSON record per line')
    .option('--max <n>', 'stop after printing this many records')
    .action(async (q: string | undefined, f: { url: string; interval: string; json?: boolean; max?: string }) => {
      let next = (await api<QueryResponse>({ url: f.url }, `/api/v1/tail?${qs({ q })}`)).next ?? 0;
      process.stderr.write(`following records stored after cursor ${next}\n`);
      let printed = 0;
      const max = f.max ? Number(f.max) : Infinity;
      let failures = 0;
      for (;;) {
        let r: QueryResponse;
        try {
          r = await api<QueryResponse>({ url: f.url }, `/api/v1/tail?${qs({ q, after: String(next) })}`);
          failures = 0;
        } catch (err) {
          // A busy or restarting server (429, 5xx, no answer) is waited for, up to 30 polls in a row; a bad query is not.
          const transient = !(err instanceof ApiError) || err.status === 429 || err.status >= 500;
          if (!transient || ++failures > 30) throw err;
          process.stderr.write(`tail: ${(err as Error).message}; retrying\n`);
          await sleep(Math.max(Number(f.interval), 500));
          continue;
        }
        next = r.next ?? next;
        for (const row of r.rows) {
          process.stdout.write(f.json ? JSON.stringify(row) + '\n' : `${cell(row.timestamp)} ${cell(row.level).padEnd(5)} ${cell(row.service)}: ${cell(row.message, 10_000)}\n`);
          if (++printed >= max) return;
        }
        await sleep(Number(f.interval));
      }
    });
}
