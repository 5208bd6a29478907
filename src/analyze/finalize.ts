// The final result of a batch analysis from the merged partial: sorted aggregates, templates, top keys, and anomalies.
import type { Anomaly } from '../model/anomaly.js';
import { schemaValidators, type Validator } from '../model/schemas.js';
import { templateText } from '../patterns/miner.js';
import { buildDetectors, runtimeOptions } from '../detect/registry.js';
import { DetectionRuntime, type RuntimeSnapshot } from '../detect/runtime.js';
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
 * Runs the engine's detectors once over the merged windows: the windows are handed to the detection runtime as its
 * own open windows (its snapshot format) and closed by `finish`, service by service in name order, window by window
 * in time order, empty windows in between included. Anomalies are sorted by window start, type, service and id.
 */
export function detectOnWindows(p: AnalysisPartial, cfg: AnalyzeConfig): Anomaly[] {
  const detectCfg = { ...cfg.detect, detectors: cfg.detect.detectors.filter((d) => !(BATCH_DETECTORS_EXCLUDED as readonly string[]).includes(d)) };
  const byId = new Map(p.miner.templates.map((t) => [t.id, t]));
  const ctx = { templateText: (id: string) => { const t = byId.get(id); return t ? templateText(t) : undefined; } };
  // Every anomaly the runtime raises or extends passes its schema check: seen there, an anomaly that a later one of the
  // same kind replaces (one `finish` closes all windows at once) is kept, as a streaming replay would have returned it.
  const base = schemaValidators().anomaly;
  const seen = new Map<string, Anomaly>();
  const validator: Validator<Anomaly> = {
    check: (value) => { const problems = base.check(value); if (problems === null) { const a = value as Anomaly; seen.set(a.anomaly_id, a); } return problems; },
    assert: (value) => base.assert(value),
  };
  const rt = runtimeOptions(detectCfg);
  const runtime = new DetectionRuntime(buildDetectors(detectCfg), ctx, validator, rt);
  const fresh = runtime.snapshot();
  const services = [...p.windows].sort((a, b) => cmp(a.service, b.service));
  const maxTs = services.reduce((m, s) => Math.max(m, s.maxTs), -Infinity);
  if (!Number.isFinite(maxTs)) return [];
  const snap: RuntimeSnapshot = {
    ...fresh, maxTs,
    services: services.map((s) => ({ name: s.service, closedUntil: null, maxTs: s.maxTs, heardAt: s.maxTs, open: s.open })),
  };
  runtime.restore(snap);
  for (const a of runtime.finish()) seen.set(a.anomaly_id, a);
  // The runtime's end-of-replay rule, for replaced anomalies too: no finding for resolveAfterWindows windows is resolved.
  const windowMs = runtime.opts.windowMs;
  const until = Math.floor(maxTs / windowMs) * windowMs + windowMs - runtime.opts.resolveAfterWindows * windowMs;
  const anomalies = [...seen.values()].map((a) => (a.status === 'open' && Date.parse(a.window_end) <= until ? { ...a, status: 'resolved' as const } : a));
  return anomalies.sort((a, b) => cmp(a.window_start, b.window_start) || cmp(a.anomaly_type, b.anomaly_type) || cmp(a.service, b.service) || cmp(a.anomaly_id, b.anomaly_id));
}
