// The `logsift` command line: one file per command, wired here.
import { Command } from 'commander';
import { LogsiftError } from '../errors.js';
import { registerServe } from './serve.js';
import { registerIngest } from './ingest.js';
import { registerQuery } from './query.js';
import { registerDlq } from './dlq.js';
import { registerExport } from './export.js';
import { registerStatus } from './status.js';
import { registerMine } from './mine.js';
import { registerDetect } from './detect.js';
import { registerAlerts } from './alerts.js';
import { registerRules } from './rules.js';
import { registerAnalyze } from './analyze.js';

const program = new Command();
program.name('logsift').description('log analytics and monitoring engine: collect, normalize, store, find problems, alert').version('0.1.0');
registerServe(program);
registerIngest(program);
registerQuery(program);
registerDlq(program);
registerExport(program);
registerStatus(program);
registerMine(program);
registerDetect(program);
registerAlerts(program);
registerRules(program);
registerAnalyze(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`logsift: ${err instanceof LogsiftError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof LogsiftError && err.code === 'config_invalid' ? 2 : 1);
});
