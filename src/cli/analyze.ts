// `logsift analyze`: batch analysis of large archives on worker threads, a Dask cluster or a Ray cluster; and the hidden
// per-task commands (`analyze-chunk`, `analyze-merge`; the Python drivers run the same tasks through dist/analyze/task-main.js).
import { writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { configFromFlags } from './serve.js';
import { instantMs } from './time.js';
import { parseDuration } from '../query/duration.js';
import { ConfigError, LogsiftError, errorMessage } from '../errors.js';
import { planChunks } from '../analyze/plan.js';
import type { AnalyzeConfig, AnalyzeSettings } from '../analyze/process-chunk.js';
import { mergeWith, runTask } from '../analyze/task.js';
import { emptyPartial, type AnalysisPartial } from '../analyze/partial.js';
import { treeMerge } from '../analyze/merge.js';
import { finalizeResult } from '../analyze/finalize.js';
import { runLocal, type ChunkFailure } from '../analyze/local-executor.js';
import { runPython } from '../analyze/python-executor.js';
import { createProgress } from '../analyze/progress.js';

interface Flags {
  input: string[]; executor: string; address?: string; workers: string; output: string; config?: string;
  chunkBytes: string; bucket: string; top: string; maxKeys: string; retries: string; taskTimeout: string; from?: string; to?: string;
  service: string[]; defaultService?: string; receivedAt?: string; objectStoreMb: string; quiet?: boolean;
}

const EXECUTORS = ['local', 'dask', 'ray'] as const;

function int(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(flag, `must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('batch analysis of an archive (files, globs or a Parquet lake) on worker threads, Dask or Ray: counts, templates, anomalies, top IPs and users')
    .requiredOption('-i, --input <paths...>', 'log files, globs (quoted: "logs/**/*.log") or a Parquet lake directory logsift exported')
    .option('-e, --executor <name>', `where chunks run: ${EXECUTORS.join(', ')}`, 'local')
    .option('-a, --address <address>', 'an existing cluster: a Dask scheduler (tcp://host:8786) or a Ray cluster (ray://host:10001 or auto); default: start a local one')
    .option('-w, --workers <n>', 'worker threads (local), or workers of a local Dask/Ray cluster', '2')
    .requiredOption('-o, --output <file>', 'result JSON to write (- for stdout)')
    .option('-c, --config <file>', 'YAML config file (its normalize, patterns and detect sections apply)')
    .option('--chunk-bytes <n>', 'bytes of text per chunk (the result depends on it, never on the executor or workers)', String(64 * 1024 * 1024))
    .option('--bucket <duration>', 'time bucket of the counts over time', '1h')
    .option('--top <n>', 'IPs and users listed', '20')
    .option('--max-keys <n>', 'distinct IPs and users counted per partial; past it the rarest are dropped and the result says so', '100000')
    .option('--retries <n>', 'attempts after the first before a chunk is reported failed', '2')
    .option('--task-timeout <seconds>', 'a chunk or merge attempt running longer fails (and is retried); 0 for no limit', '3600')
    .option('--from <time>', 'only records at or after this time (RFC 3339, epoch ms or 24h back); prunes lake partitions by date')
    .option('--to <time>', 'only records before this time; prunes lake partitions by date')
    .option('--service <name...>', 'only these services; prunes lake partitions by service', [])
    .option('--default-service <name>', 'service of text lines that name none (default: normalize.defaultService)')
    .option('--received-at <time>', 'the time lines without a timestamp or year are read against (default: each file\'s modification time)')
    .option('--object-store-mb <n>', 'object store of a local Ray instance, MB', '100')
    .option('-q, --quiet', 'no progress bar')
    .action(async (f: Flags) => analyze(f));

  // Hidden: one chunk task (JSON on stdin) to its partial (JSON on stdout). Run by the Dask and Ray drivers.
  program.command('analyze-chunk', { hidden: true }).action(async () => { process.stdout.write(await runTask('chunk', await text(process.stdin))); });
  // Hidden: {settings, config, partials: [a, b]} on stdin to their merged partial on stdout.
  program.command('analyze-merge', { hidden: true }).action(async () => { process.stdout.write(await runTask('merge', await text(process.stdin))); });
}

async function analyze(f: Flags): Promise<void> {
  if (!(EXECUTORS as readonly string[]).includes(f.executor)) throw new ConfigError('--executor', `must be one of ${EXECUTORS.join(', ')}, got ${JSON.stringify(f.executor)}`);
  if (f.address !== undefined && f.executor === 'local') throw new ConfigError('--address', 'goes with --executor dask or ray');
  const cfg = configFromFlags({ ...(f.config ? { config: f.config } : {}) });
  const config: AnalyzeConfig = { normalize: cfg.normalize, patterns: cfg.patterns, detect: cfg.detect };
  const bucket = parseDuration(f.bucket);
  if (bucket === undefined || bucket < 1_000_000n) throw new ConfigError('--bucket', `must be a duration of at least 1ms such as 1h or 15m, got ${JSON.stringify(f.bucket)}`);
  const now = Date.now();
  const from = f.from !== undefined ? new Date(instantMs('--from', f.from, now)).toISOString() : null;
  const to = f.to !== undefined ? new Date(instantMs('--to', f.to, now)).toISOString() : null;
  const settings: AnalyzeSettings = {
    bucketMs: Number(bucket / 1_000_000n), maxKeys: int('--max-keys', f.maxKeys, 1), from, to, services: f.service,
    defaultService: f.defaultService ?? null,
  };
  const workers = int('--workers', f.workers, 1), retries = int('--retries', f.retries, 0), top = int('--top', f.top, 0);
  const taskTimeoutMs = int('--task-timeout', f.taskTimeout, 0) * 1000;
  const chunks = await planChunks(f.input, {
    chunkBytes: int('--chunk-bytes', f.chunkBytes, 1), services: f.service,
    ...(from !== null ? { fromDate: from.slice(0, 10) } : {}), ...(to !== null ? { toDate: to.slice(0, 10) } : {}),
    ...(f.receivedAt !== undefined ? { receivedAt: new Date(instantMs('--received-at', f.receivedAt, now)).toISOString() } : {}),
  });
  const t0 = performance.now();
  const progress = createProgress(chunks.length, { quiet: f.quiet === true });
  const merge = mergeWith(settings, config);
  const empty = () => emptyPartial(config.detect.windowMs, settings.bucketMs);
  let merged: AnalysisPartial | null, failed: ChunkFailure[];
  let tChunks: number | null = null;
  if (f.executor === 'local') {
    const r = await runLocal(chunks.map((chunk) => ({ settings, config, chunk })), { workers, retries, taskTimeoutMs }, progress);
    failed = r.failed;
    tChunks = performance.now();
    merged = failed.length ? null : treeMerge(r.partials, merge, empty);
  } else {
    const r = await runPython({ settings, config }, chunks, { executor: f.executor as 'dask' | 'ray', address: f.address ?? null, workers, retries, taskTimeoutMs, objectStoreMb: int('--object-store-mb', f.objectStoreMb, 50) }, progress);
    failed = r.failed;
    merged = r.partial;
  }
  progress.end();
  if (failed.length > 0 || merged === null) {
    throw new LogsiftError('io_failed', `${failed.length} of ${chunks.length} chunks failed after ${retries + 1} attempts; no result was written:\n${failed.map((x) => `  ${x.name}: ${x.error}`).join('\n')}`);
  }
  const tMerged = performance.now();
  const result = finalizeResult(merged, config, top);
  const json = `${JSON.stringify(result, null, 1)}\n`;
  if (f.output === '-') process.stdout.write(json);
  else await writeFile(f.output, json).catch((err: unknown) => { throw new LogsiftError('io_failed', `cannot write ${f.output}: ${errorMessage(err)}`, { cause: err }); });
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`analyze: ${result.lines} lines (${result.records} records, ${result.rejected.total} rejected, ${result.filtered} filtered) in ${chunks.length} chunks on ${f.executor} in ${s.toFixed(2)} s (${Math.round(result.lines / s)} lines/s; ${tChunks !== null ? `chunks ${((tChunks - t0) / 1000).toFixed(2)} s, merge ${((tMerged - tChunks) / 1000).toFixed(2)} s` : `chunks and merge ${((tMerged - t0) / 1000).toFixed(2)} s`}, detection and result ${((performance.now() - tMerged) / 1000).toFixed(2)} s); ${result.templates.total} templates, ${result.anomalies.length} anomalies\n`);
}
