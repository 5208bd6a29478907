// `logsift detect --input F [--baseline F] [--config F] [--session-key RE] --output F.ndjson`: backtest the detectors over
// log files; or `--from T [--to T] [--query FILTER] [--baseline-from T --baseline-to T]` over records a server stored.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { configFromFlags } from './serve.js';
import { api, defaultUrl } from './client.js';
import { instantMs } from './time.js';
import { replayFiles, replayStored, type StoredRange } from '../detect/replay.js';
import { ConfigError, LogsiftError, errorMessage } from '../errors.js';
import type { Anomaly } from '../model/anomaly.js';

interface Flags {
  input?: string; output: string; baseline?: string; config?: string; sessionKey?: string;
  url: string; from?: string; to?: string; query: string; baselineFrom?: string; baselineTo?: string;
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('run the detectors over a log file, or over a stored time range, as the server would (backtesting): one anomaly per output line')
    .option('-i, --input <file>', 'raw log lines in any supported format')
    .requiredOption('-o, --output <file>', 'NDJSON file of anomalies to write (- for stdout)')
    .option('-b, --baseline <file>', 'a mostly normal file to learn from first (emits nothing)')
    .option('-c, --config <file>', 'YAML config file (its normalize, patterns and detect sections apply)')
    .option('--session-key <regex>', 'turn on session detection: the first match of the regex in each raw line is its session key (its first group if it has one)')
    .option('--from <time>', 'instead of --input: replay the records a server stored from this time (RFC 3339, epoch ms, or relative: 24h)')
    .option('--to <time>', 'end of the stored range (default: now)')
    .option('-q, --query <filter>', 'which stored records (a filter, no pipes)', '*')
    .option('--baseline-from <time>', 'a stored range to learn from first (with --baseline-to)')
    .option('--baseline-to <time>', 'end of the stored baseline range')
    .option('-u, --url <url>', 'server URL for --from', defaultUrl())
    .action(async (f: Flags) => {
      if ((f.input === undefined) === (f.from === undefined)) throw new ConfigError('--input', 'give either --input <file> or --from <time> (a stored range), not both');
      if (f.input !== undefined && (f.baselineFrom !== undefined || f.baselineTo !== undefined)) throw new ConfigError('--baseline-from', 'a stored baseline goes with --from; with --input use --baseline <file>');
      if (f.from !== undefined && f.baseline !== undefined) throw new ConfigError('--baseline', 'a file baseline goes with --input; with --from use --baseline-from and --baseline-to');
      if ((f.baselineFrom === undefined) !== (f.baselineTo === undefined)) throw new ConfigError('--baseline-from', 'give both --baseline-from and --baseline-to');
      const cfg = configFromFlags({ ...(f.config ? { config: f.config } : {}) });
      if (f.sessionKey !== undefined) {
        try { new RegExp(f.sessionKey); } catch (err) { throw new ConfigError('--session-key', `is not a valid regular expression: ${errorMessage(err)}`); }
        cfg.detect.sessions = { ...cfg.detect.sessions, keyRegex: f.sessionKey, keyField: null };
        if (!cfg.detect.detectors.includes('session')) cfg.detect.detectors = [...cfg.detect.detectors, 'session'];
      }
      let anomalies: Anomaly[], summary: string;
      if (f.input !== undefined) {
        const input = f.input;
        let r;
        try {
          r = await replayFiles(cfg, input, f.baseline);
        } catch (err) {
          if (err instanceof LogsiftError) throw err;
          throw new LogsiftError('io_failed', `cannot read ${f.baseline !== undefined ? `${f.baseline} or ` : ''}${input}: ${errorMessage(err)}`, { cause: err });
        }
        anomalies = r.anomalies;
        summary = `detect: ${r.lines} lines, ${r.rejected} not normalizable, ${r.late} late; ${r.anomalies.length} anomalies\n`;
      } else {
        // The query API takes absolute times: relative ones (24h) are resolved here, once, against one clock reading.
        const now = Date.now();
        const iso = (flag: string, t: string) => new Date(instantMs(flag, t, now)).toISOString();
        const range = (start: string, end: string | undefined, flags: [string, string]): StoredRange => ({ filter: f.query, start: iso(flags[0], start), ...(end !== undefined ? { end: iso(flags[1], end) } : {}) });
        const page = (params: URLSearchParams) => api<{ rows: Record<string, unknown>[] }>({ url: f.url }, `/api/v1/query?${params.toString()}`);
        const r = await replayStored(cfg, page, range(f.from as string, f.to, ['--from', '--to']), f.baselineFrom !== undefined ? range(f.baselineFrom, f.baselineTo, ['--baseline-from', '--baseline-to']) : undefined);
        anomalies = r.anomalies;
        summary = `detect: ${r.records} stored records, ${r.late} late; ${r.anomalies.length} anomalies\n`;
      }
      const text = anomalies.map((a) => JSON.stringify(a)).join('\n') + (anomalies.length ? '\n' : '');
      if (f.output === '-') process.stdout.write(text);
      else await writeFile(f.output, text).catch((err: unknown) => { throw new LogsiftError('io_failed', `cannot write ${f.output}: ${errorMessage(err)}`, { cause: err }); });
      process.stderr.write(summary);
    });
}
