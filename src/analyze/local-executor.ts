// The local executor: chunk tasks on a pool of worker threads, each retried, partials kept in chunk order.
import { Worker } from 'node:worker_threads';
import type { AnalysisPartial } from './partial.js';
import type { ChunkTask } from './process-chunk.js';
import type { Progress } from './progress.js';

export interface ChunkFailure { index: number; name: string; error: string }
export interface ExecutorOutcome { partials: AnalysisPartial[]; failed: ChunkFailure[] }

export interface LocalOptions {
  workers: number;
  /** Attempts per chunk after the first before it is reported failed. */
  retries: number;
  /** An attempt running longer than this fails (its worker is replaced); 0 for no limit. */
  taskTimeoutMs: number;
  /** The worker script (tests inject a failing one). */
  workerUrl?: URL;
}

type Reply = { id: number; partial?: AnalysisPartial; error?: string };

/**
 * Runs every task on `workers` threads. It must never drop a chunk silently: a chunk either yields its partial or,
 * after `retries` more attempts, is listed in `failed` by name. A crashed worker is replaced and its chunk retried.
 */
export async function runLocal(tasks: readonly ChunkTask[], opts: LocalOptions, progress: Progress): Promise<ExecutorOutcome> {
  const url = opts.workerUrl ?? new URL('./worker.js', import.meta.url);
  const partials: (AnalysisPartial | undefined)[] = new Array<AnalysisPartial | undefined>(tasks.length);
  const failed: ChunkFailure[] = [];
  let next = 0;
  const attempt = (task: ChunkTask, worker: { w: Worker }): Promise<AnalysisPartial> => new Promise((resolve, reject) => {
    const w = worker.w;
    const timer = opts.taskTimeoutMs > 0 ? setTimeout(() => {
      cleanup(); worker.w = new Worker(url); void w.terminate();
      reject(new Error(`timed out after ${opts.taskTimeoutMs / 1000} s (--task-timeout)`));
    }, opts.taskTimeoutMs) : undefined;
    const cleanup = () => { clearTimeout(timer); w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
    const onMessage = (m: Reply) => { cleanup(); if (m.partial) resolve(m.partial); else reject(new Error(m.error ?? 'no result')); };
    const onError = (err: Error) => { cleanup(); worker.w = new Worker(url); void w.terminate(); reject(err); };
    const onExit = (code: number) => { cleanup(); worker.w = new Worker(url); reject(new Error(`worker exited with code ${code}`)); };
    w.on('message', onMessage); w.once('error', onError); w.once('exit', onExit);
    w.postMessage({ id: task.chunk.index, task });
  });
  const lane = async (): Promise<void> => {
    const worker = { w: new Worker(url) };
    try {
      for (;;) {
        const i = next++;
        const task = tasks[i];
        if (task === undefined) return;
        for (let n = 1; ; n++) {
          try {
            partials[i] = await attempt(task, worker);
            progress.done();
            break;
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            if (n > opts.retries) { failed.push({ index: task.chunk.index, name: task.chunk.name, error: msg }); progress.done(true); break; }
            progress.retry(task.chunk.name, n, msg);
          }
        }
      }
    } finally {
      await worker.w.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, tasks.length)) }, lane));
  failed.sort((a, b) => a.index - b.index);
  return { partials: partials.filter((p): p is AnalysisPartial => p !== undefined), failed };
}
