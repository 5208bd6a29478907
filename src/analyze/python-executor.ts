// The Dask and Ray executors: the thin Python driver (python/logsift_analyze) run from the repository's venv.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError, LogsiftError, errorMessage } from '../errors.js';
import type { ChunkFailure } from './local-executor.js';
import type { AnalysisPartial } from './partial.js';
import type { AnalyzeConfig, AnalyzeSettings } from './process-chunk.js';
import type { Chunk } from './plan.js';
import type { Progress } from './progress.js';

/** The repository (or package) root: dist/analyze/ is two levels below it. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PythonOptions {
  executor: 'dask' | 'ray';
  /** A Dask scheduler (tcp://host:8786) or a Ray cluster (ray://host:10001, or auto); null starts a local one. */
  address: string | null;
  workers: number;
  retries: number;
  /** A task (chunk or merge) running longer than this fails and is retried; 0 for no limit. */
  taskTimeoutMs: number;
  /** Ray's object store of a local instance, in MB. */
  objectStoreMb: number;
}

/** The interpreter: LOGSIFT_PYTHON, else the repository's .venv made by environment/setup.sh. */
export function pythonPath(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.LOGSIFT_PYTHON ?? join(packageRoot, '.venv', 'bin', 'python');
  if (!existsSync(p)) {
    throw new ConfigError('--executor', `needs Python with Dask and Ray, and ${p} does not exist: run \`bash environment/setup.sh\` (it makes the .venv), or set LOGSIFT_PYTHON to an interpreter that has environment/requirements.txt installed`);
  }
  return p;
}

type Event = { event: 'chunk_done'; index: number } | { event: 'chunk_failed'; index: number; error: string } | { event: 'merged' };

/**
 * Hands the chunk list to the Python driver, which submits one task per chunk (`logsift analyze-chunk`) and merges the
 * partials in the same fixed tree as the local executor (`logsift analyze-merge`). Its stdout is one JSON event a
 * line (progress); the merged partial comes back in a file.
 */
export async function runPython(context: { settings: AnalyzeSettings; config: AnalyzeConfig }, chunks: readonly Chunk[], opts: PythonOptions, progress: Progress): Promise<{ partial: AnalysisPartial | null; failed: ChunkFailure[] }> {
  const python = pythonPath();
  const dir = await mkdtemp(join(tmpdir(), 'logsift-analyze-'));
  try {
    const plan = join(dir, 'plan.json'), out = join(dir, 'merged.json');
    await writeFile(plan, JSON.stringify({ context, chunks }));
    const args = ['-m', 'logsift_analyze', '--executor', opts.executor, '--plan', plan, '--out', out, '--node', process.execPath,
      '--cli', join(packageRoot, 'dist', 'analyze', 'task-main.js'), '--workers', String(opts.workers), '--retries', String(opts.retries), '--task-timeout', String(opts.taskTimeoutMs / 1000), '--object-store-mb', String(opts.objectStoreMb),
      ...(opts.address !== null ? ['--address', opts.address] : [])];
    const env = { ...process.env, PYTHONPATH: [join(packageRoot, 'python'), process.env.PYTHONPATH].filter(Boolean).join(':'), RAY_USAGE_STATS_ENABLED: process.env.RAY_USAGE_STATS_ENABLED ?? '0' };
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const failed: ChunkFailure[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { stderr = (stderr + d).slice(-20_000); });
    const exited = new Promise<number>((res, rej) => { child.once('error', rej); child.once('close', (code) => res(code ?? 1)); });
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      let e: Event;
      try { e = JSON.parse(line) as Event; } catch { continue; } // a library printing to stdout is not an event
      const name = (i: number) => chunks[i]?.name ?? `#${i}`;
      if (e.event === 'chunk_done') progress.done();
      else if (e.event === 'chunk_failed') { failed.push({ index: e.index, name: name(e.index), error: e.error }); progress.done(true); }
    }
    const code = await exited.catch((err: unknown) => { throw new LogsiftError('io_failed', `cannot run the ${opts.executor} driver with ${python}: ${errorMessage(err)}`, { cause: err }); });
    if (failed.length > 0) return { partial: null, failed: failed.sort((a, b) => a.index - b.index) };
    if (code !== 0) throw new LogsiftError('io_failed', `the ${opts.executor} driver failed (exit ${code}):\n${stderr.trim()}`);
    return { partial: JSON.parse(await readFile(out, 'utf8')) as AnalysisPartial, failed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
