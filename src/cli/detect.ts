// `logsift detect --input F [--baseline F] [--config F] --output F.ndjson`: backtest the detectors over log files.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { configFromFlags } from './serve.js';
import { replayFiles } from '../detect/replay.js';
import { ConfigError, LogsiftError, errorMessage } from '../errors.js';

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('run the detectors over a log file as the server would (backtesting): one anomaly per output line')
    .requiredOption('-i, --input <file>', 'raw log lines in any supported format')
    .requiredOption('-o, --output <file>', 'NDJSON file of anomalies to write (- for stdout)')
    .option('-b, --baseline <file>', 'a mostly normal file to learn from first (emits nothing)')
    .option('-c, --config <file>', 'YAML config file (its normalize, patterns and detect sections apply)')
    .option('--session-key <regex>', 'turn on session detection: the first match of the regex in each raw line is its session key (its first group if it has one)')
    .action(async (f: { input: string; output: string; baseline?: string; config?: string; sessionKey?: string }) => {
      const cfg = configFromFlags({ ...(f.config ? { config: f.config } : {}) });
      if (f.sessionKey !== undefined) {
        cfg.detect.sessions = { ...cfg.detect.sessions, keyRegex: f.sessionKey, keyField: null };
        if (!cfg.detect.detectors.includes('session')) cfg.detect.detectors = [...cfg.detect.detectors, 'session'];
        try { new RegExp(f.sessionKey); } catch (err) { throw new ConfigError('--session-key', `is not a valid regular expression: ${errorMessage(err)}`); }
      }
      let r;
      try {
        r = await replayFiles(cfg, f.input, f.baseline);
      } catch (err) {
        if (err instanceof LogsiftError) throw err;
        throw new LogsiftError('io_failed', `cannot read ${f.baseline !== undefined ? `${f.baseline} or ` : ''}${f.input}: ${errorMessage(err)}`, { cause: err });
      }
      const text = r.anomalies.map((a) => JSON.stringify(a)).join('\n') + (r.anomalies.length ? '\n' : '');
      if (f.output === '-') process.stdout.write(text);
      else await writeFile(f.output, text).catch((err: unknown) => { throw new LogsiftError('io_failed', `cannot write ${f.output}: ${errorMessage(err)}`, { cause: err }); });
      process.stderr.write(`detect: ${r.lines} lines, ${r.rejected} not normalizable, ${r.late} late; ${r.anomalies.length} anomalies\n`);
    });
}
