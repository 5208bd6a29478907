// Golden checks on real logs (Loghub OpenSSH, ../shared/data): chunked analysis finds the brute force and its source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { planChunks } from './plan.js';
import { processChunk, type AnalyzeConfig, type AnalyzeSettings } from './process-chunk.js';
import { treeMerge } from './merge.js';
import { mergeWith } from './task.js';
import { emptyPartial } from './partial.js';
import { finalizeResult } from './finalize.js';

const SSH = resolve('../shared/data/loghub-2k/OpenSSH/OpenSSH_2k.log');
const cfg = loadConfig(undefined, {});
const config: AnalyzeConfig = { normalize: cfg.normalize, patterns: cfg.patterns, detect: cfg.detect };
const settings: AnalyzeSettings = { bucketMs: 3_600_000, maxKeys: 100_000, from: null, to: null, services: [], defaultService: null };

async function analyzeSsh(chunkBytes: number) {
  const chunks = await planChunks([SSH], { chunkBytes, receivedAt: '2026-01-01T00:00:00Z' });
  const ps = [];
  for (const chunk of chunks) ps.push(await processChunk({ settings, config, chunk }));
  return finalizeResult(treeMerge(ps, mergeWith(settings, config), () => emptyPartial(config.detect.windowMs, settings.bucketMs)), config, 5);
}

test('Loghub OpenSSH: the same counts in 1 or many chunks; the brute-force source on top; brute force found', { skip: existsSync(SSH) ? false : `SKIPPED: ${SSH} is absent (../shared/data): the golden test over real logs did not run` }, async () => {
  const one = await analyzeSsh(1 << 30);
  const many = await analyzeSsh(30_000);
  assert.ok(many.chunks >= 7);
  for (const k of ['lines', 'records', 'byService', 'byLevel', 'timeBuckets', 'topIps', 'topUsers'] as const) assert.deepEqual(many[k], one[k], k);
  assert.equal(one.records, 2000);
  // 867 lines name 183.62.140.253; the 582 counted are the records whose template is a failed login (others name it in passing).
  assert.deepEqual(one.topIps.list[0], { key: '183.62.140.253', count: 582 });
  assert.equal(one.topUsers.list[0]?.key, 'root');
  for (const r of [one, many]) assert.ok(r.anomalies.some((a) => a.anomaly_type === 'brute_force' && JSON.stringify(a.evidence).includes('183.62.140.253')));
  assert.ok(Math.abs(many.templates.total - one.templates.total) <= 3, `${many.templates.total} vs ${one.templates.total} templates`);
});
