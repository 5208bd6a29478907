// The final result of a batch analysis from the merged partial: sorted aggregates, templates, top keys, and anomalies.
import type { Anomaly } from '../model/anomaly.js';
import { schemaValidators } from '../model/schemas.js';
import { templateText } from '../patterns/miner.js';
import { buildDetectors, runtimeOptions } from '../detect/registry.js';
import { DetectionRuntime } from '../detect/runtime.js';
import { byCountThenKey, type AnalysisPartial, type KeyCounts } from './partial.js';
import type { AnalyzeConfig } from './process-chunk.js';

export interface AnalyzeResult {
  version: 1;
  chunks: number;
  lines: number;
  records: number;
  filtered: number;
  rejected: { total: number; byReason: { reason: string; count: number }[] };
  timeRange: { from: string; to: string } | null;
  byService: { service: string; count: number }[];
  byLevel: { level: string; count: number }[];
  byServiceLevel: { service: string; level: string; count: number }[];
  timeBuckets: { bucketMs: number; buckets: { start: string; count: number; errors: number }[] };
  templates: { total: number; evicted: number; list: { id: string; service: string; template: string; count: number; firstSeen: string; lastSeen: string; examples: string[] }[] };
  anomalies: Anomaly[];
  topIps: TopKeys;
  topUsers: TopKeys;
}

export interface TopKeys { exact: boolean; distinctKept: number; droppedCount: number; list: { key: string; count: number }[] }

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const iso = (ms: number) => new Date(ms).toISOString();
const sortCounts = (xs: [string, number][]) => [...xs].sort(byCountThenKey);

/** The session detector needs every record of a session in order, which chunks do not keep: it is left out here. */
export const BATCH_DETECTORS_EXCLUDED = ['session'] as const;

/** Builds the result. It must be a function of the partial and the config alone: every executor gets the same bytes. */
export function finalizeResult(p: AnalysisPartial, cfg: AnalyzeConfig, top: number): AnalyzeResult {
  const levels = new Map<string, number>();
  const serviceLevel: { service: string; level: string; count: number }[] = [];
  for (const [service, ls] of p.services) for (const [level, count] of ls) { levels.set(level, (levels.get(level) ?? 0) + count); serviceLevel.push({ service, level, count }); }
  const templates = [...p.miner.templates].sort((a, b) => b.count - a.count || cmp(a.service, b.service) || cmp(a.id, b.id));
  return {
    version: 1, chunks: p.chunks, lines: p.lines, records: p.records, filtered: p.filtered,
    rejected: { total: p.rejected.reduce((n, [, c]) => n + c, 0), byReason: sortCounts(p.rejected).map(([reason, count]) => ({ reason, count })) },
    timeRange: p.minTs === null || p.maxTs === null ? null : { from: iso(p.minTs), to: iso(p.maxTs) },
    byService: sortCounts(p.services.map(([s, ls]) => [s, ls.reduce((n, [, c]) => n + c, 0)])).map(([service, count]) => ({ service, count })),
    byLevel: sortCounts([...levels]).map(([level, count]) => ({ level, count })),
    byServiceLevel: serviceLevel.sort((a, b) => cmp(a.service, b.service) || cmp(a.level, b.level)),
    timeBuckets: { bucketMs: p.bucketMs, buckets: [...p.buckets].sort((a, b) => a[0] - b[0]).map(([t, count, errors]) => ({ start: iso(t), count, errors })) },
    templates: {
      total: templates.length, evicted: p.miner.stats.evicted,
      list: templates.map((t) => ({ id: t.id, service: t.service, template: templateText(t), count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen, examples: t.examples })),
    },
    anomalies: detectOnWindows(p, cfg),
    topIps: topOf(p.ips, top), topUsers: topOf(p.users, top),
  };
}

function topOf(k: KeyCounts, top: number): TopKeys {
  return { exact: !k.truncated, distinctKept: k.entries.length, droppedCount: k.droppedCount, list: sortCounts(k.entries).slice(0, top).map(([key, count]) => ({ key, count })) };
}

/**
 * Runs the engine's detection runtime over the merged windows as a replay would over the records: window starts in
 * time order (services by name within one start), each window handed over whole (its newest event time taken as its
 * end), the runtime advanced after each start so its watermarks, empty windows, silences and resolutions work as on a
 * stream. Each anomaly is returned once, as it stands at the end; sorted by window start, type, service and id.
 */
export function detectOnWindows(p: AnalysisPartial, cfg: AnalyzeConfig): Anomaly[] {
  const detectCfg = { ...cfg.detect, detectors: cfg.detect.detectors.filter((d) => !(BATCH_DETECTORS_EXCLUDED as readonly string[]).includes(d)) };
  const byId = new Map(p.miner.templates.map((t) => [t.id, t]));
  const ctx = { templateText: (id: string) => { const t = byId.get(id); return t ? templateText(t) : undefined; } };
  const runtime = new DetectionRuntime(buildDetectors(detectCfg), ctx, schemaValidators().anomaly, runtimeOptions(detectCfg));
  const windowMs = runtime.opts.windowMs;
  const steps = p.windows.flatMap((s) => s.open.map((w) => ({ service: s.service, w }))).sort((a, b) => a.w.start - b.w.start || cmp(a.service, b.service));
  const latest = new Map<string, Anomaly>();
  const keep = (list: Anomaly[]) => { for (const a of list) latest.set(a.anomaly_id, a); };
  for (let i = 0; i < steps.length;) {
    const start = (steps[i] as (typeof steps)[number]).w.start;
    for (; i < steps.length && (steps[i] as (typeof steps)[number]).w.start === start; i++) {
      const { service, w } = steps[i] as (typeof steps)[number];
      runtime.observeWindow(service, w, start + windowMs - 1);
    }
    keep(runtime.advance());
  }
  keep(runtime.finish());
  return [...latest.values()].sort((a, b) => cmp(a.window_start, b.window_start) || cmp(a.anomaly_type, b.anomaly_type) || cmp(a.service, b.service) || cmp(a.anomaly_id, b.anomaly_id));
}
