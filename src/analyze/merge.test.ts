// Merging partials: exact counts, templates re-filed by the miner, and one result whatever the chunking of the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createGenerator } from '../demo/index.js';
import { planChunks } from './plan.js';
import { processChunk, type AnalyzeConfig, type AnalyzeSettings } from './process-chunk.js';
import { treeMerge } from './merge.js';
import { mergeWith } from './task.js';
import { emptyPartial, type AnalysisPartial } from './partial.js';
import { finalizeResult } from './finalize.js';
import { runLocal } from './local-executor.js';
import { createProgress } from './progress.js';

const cfg = loadConfig(undefined, {});
const config: AnalyzeConfig = { normalize: cfg.normalize, patterns: cfg.patterns, detect: cfg.detect };
const settings: AnalyzeSettings = { bucketMs: 3_600_000, maxKeys: 100_000, from: null, to: null, services: [], defaultService: null };

async function archive(t: { after: (fn: () => Promise<void>) => void }, lines: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-merge-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const gen = createGenerator({ seed: 11, start: new Date('2026-11-02T00:00:00Z'), linesPerSecond: 5, format: 'mixed' });
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(gen.next());
  const path = join(dir, 'a.log');
  await writeFile(path, `${out.join('\n')}\n`);
  return path;
}

async function partials(path: string, chunkBytes: number): Promise<AnalysisPartial[]> {
  const out: AnalysisPartial[] = [];
  for (const chunk of await planChunks([path], { chunkBytes, receivedAt: '2026-11-02T00:00:00Z' })) out.push(await processChunk({ settings, config, chunk }));
  return out;
}

const merge = mergeWith(settings, config);
const empty = () => emptyPartial(config.detect.windowMs, settings.bucketMs);

test('counts are exact whatever the chunk size; templates account for every record', async (t) => {
  const path = await archive(t, 6000);
  const whole = finalizeResult(treeMerge(await partials(path, 1 << 30), merge, empty), config, 10);
  for (const size of [20_000, 97_001]) {
    const r = finalizeResult(treeMerge(await partials(path, size), merge, empty), config, 10);
    assert.ok(r.chunks > 3);
    for (const k of ['lines', 'records', 'rejected', 'byService', 'byLevel', 'byServiceLevel', 'timeBuckets', 'topIps', 'topUsers', 'timeRange'] as const) {
      assert.deepEqual(r[k], whole[k], `${k} with chunks of ${size} bytes`);
    }
    assert.equal(r.templates.list.reduce((n, x) => n + x.count, 0), r.records);
    // Templates are re-filed, not concatenated: about as many as one miner over the whole file finds.
    assert.ok(r.templates.total <= whole.templates.total * 1.5, `${r.templates.total} templates vs ${whole.templates.total}`);
  }
});

test('the merge is deterministic and survives JSON: the same partials give the same bytes', async (t) => {
  const path = await archive(t, 3000);
  const ps = await partials(path, 50_000);
  const a = JSON.stringify(treeMerge(ps, merge, empty));
  const b = JSON.stringify(treeMerge(ps.map((p) => JSON.parse(JSON.stringify(p)) as AnalysisPartial), merge, empty));
  assert.equal(a, b);
});

test('the merge tree pairs neighbours level by level, whatever finishes first', () => {
  const seen: string[] = [];
  const r = treeMerge(['0', '1', '2', '3', '4'], (x, y) => { seen.push(`${x}+${y}`); return `(${x}${y})`; }, () => '');
  assert.equal(r, '(((01)(23))4)');
  assert.deepEqual(seen, ['0+1', '2+3', '(01)+(23)', '((01)(23))+4']);
});

test('the local executor gives the same result on 1 and 2 threads, and names a chunk that fails every attempt', async (t) => {
  const path = await archive(t, 2000);
  const chunks = await planChunks([path], { chunkBytes: 40_000, receivedAt: '2026-11-02T00:00:00Z' });
  const quiet = createProgress(chunks.length, { quiet: true });
  const tasks = chunks.map((chunk) => ({ settings, config, chunk }));
  const one = await runLocal(tasks, { workers: 1, retries: 0, taskTimeoutMs: 0 }, quiet);
  const two = await runLocal(tasks, { workers: 2, retries: 0, taskTimeoutMs: 0 }, quiet);
  assert.equal(JSON.stringify(finalizeResult(treeMerge(one.partials, merge, empty), config, 5)), JSON.stringify(finalizeResult(treeMerge(two.partials, merge, empty), config, 5)));
  const broken = [...tasks, { settings, config, chunk: { ...chunks[0]!, index: chunks.length, name: 'gone.log[0-10)', path: join(path, 'nope') } }];
  const r = await runLocal(broken, { workers: 2, retries: 1, taskTimeoutMs: 60_000 }, quiet);
  assert.deepEqual(r.failed.map((f) => f.name), ['gone.log[0-10)']);
  assert.match(r.failed[0]!.error, /ENOTDIR|ENOENT/);
  assert.equal(r.partials.length, chunks.length);
});

test('detection runs on the merged windows: an error burst in one service is found across chunk edges', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-merge-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const t0 = Date.parse('2026-11-02T00:00:00Z');
  for (let m = 0; m < 120; m++) {
    for (let i = 0; i < 50; i++) {
      const burst = m >= 100 && m < 103;
      const level = burst && i % 2 === 0 ? 'error' : 'info';
      lines.push(JSON.stringify({ ts: new Date(t0 + m * 60_000 + i * 1000).toISOString(), level, service: 'api', msg: burst && level === 'error' ? `upstream timeout after ${i}s` : `request ${i} served in ${i % 7}ms` }));
    }
  }
  const path = join(dir, 'burst.log');
  await writeFile(path, `${lines.join('\n')}\n`);
  const ps: AnalysisPartial[] = [];
  for (const chunk of await planChunks([path], { chunkBytes: 30_000 })) ps.push(await processChunk({ settings, config, chunk }));
  const r = finalizeResult(treeMerge(ps, merge, empty), config, 5);
  const spikes = r.anomalies.filter((a) => a.anomaly_type === 'error_rate_spike' && a.service === 'api');
  assert.equal(spikes.length, 1, JSON.stringify(r.anomalies.map((a) => [a.anomaly_type, a.window_start])));
  assert.equal(spikes[0]!.window_start, new Date(t0 + 100 * 60_000).toISOString());
  assert.match(String(spikes[0]!.evidence.sample_record_ids?.[0]), /burst\.log@\d+$/);
});
