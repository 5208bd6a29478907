// The local executor's failure paths: a worker that hangs past the timeout, or dies, is replaced and its chunk named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLocal } from './local-executor.js';
import { createProgress } from './progress.js';
import type { ChunkTask } from './process-chunk.js';

const task = (index: number): ChunkTask => ({ chunk: { kind: 'text', index, name: `c${index}`, path: '/x', start: 0, end: 1, gzip: false, receivedAt: '2026-01-01T00:00:00Z' } } as unknown as ChunkTask);
const worker = (body: string) => new URL(`data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads';\n${body}`)}`);
const quiet = createProgress(2, { quiet: true });

test('an attempt past the task timeout fails, its worker is replaced, and the chunk is named', async () => {
  const hang = worker('parentPort.on("message", () => {});');
  const r = await runLocal([task(0), task(1)], { workers: 2, retries: 1, taskTimeoutMs: 200, workerUrl: hang }, quiet);
  assert.deepEqual(r.failed.map((f) => [f.name, f.error]), [['c0', 'timed out after 0.2 s (--task-timeout)'], ['c1', 'timed out after 0.2 s (--task-timeout)']]);
});

test('a worker that dies is replaced and the chunk retried', async () => {
  const die = worker('parentPort.on("message", () => process.exit(7));');
  const r = await runLocal([task(0)], { workers: 1, retries: 2, taskTimeoutMs: 0, workerUrl: die }, quiet);
  assert.deepEqual(r.failed.map((f) => [f.name, f.error]), [['c0', 'worker exited with code 7']]);
});
