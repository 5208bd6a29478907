// volume_spike / volume_drop: a service's records per window against a robust baseline of its recent windows.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { Ring, confidenceOf, lruGet, mad, median } from './stats.js';
import { quote } from './describe.js';

export interface VolumeOptions {
  /** Windows of history the baseline is computed from (median and MAD). */
  historyWindows: number;
  /** Windows of history needed before anything is reported. */
  warmupWindows: number;
  /** Robust z-score (deviation over the scale) from which a window is anomalous. */
  minScore: number;
  /** A spike needs at least this many records in the window; a drop needs a baseline of at least this many. */
  minCount: number;
  /** A spike must be at least this many times the baseline; a drop at most 1/this of it. */
  minRatio: number;
  /** Services tracked; past it the least recently seen is forgotten. */
  maxServices: number;
}

export const defaultVolumeOptions: VolumeOptions = { historyWindows: 60, warmupWindows: 15, minScore: 6, minCount: 30, minRatio: 2, maxServices: 10_000 };

/**
 * The scale is the larger of 1.4826 x MAD and the Poisson noise sqrt(median), so a perfectly steady service does not
 * alert on a small wobble, and the baseline is the median, so past spikes barely move it.
 */
export function createVolumeDetector(opts: Partial<VolumeOptions> = {}): Detector {
  const o = { ...defaultVolumeOptions, ...opts };
  const history = new Map<string, Ring>();

  function judge(service: string, startMs: number, endMs: number, count: number, ctx: DetectContext, w?: WindowStats): Finding[] {
    const ring = lruGet(history, service, o.maxServices, () => new Ring(o.historyWindows));
    const past = ring.values();
    ring.push(count);
    if (past.length < o.warmupWindows) return [];
    const base = median(past);
    const scale = Math.max(1.4826 * mad(past, base), Math.sqrt(Math.max(base, 1)));
    const z = (count - base) / scale;
    const minutes = Math.round((endMs - startMs) / 60_000) || 1;
    const when = new Date(startMs).toISOString();
    if (z >= o.minScore && count >= o.minCount && count >= o.minRatio * Math.max(base, 1)) {
      const top = w ? [...w.templates].sort((a, b) => b[1] - a[1]).slice(0, 3) : [];
      return [{
        type: 'volume_spike', service, key: '', score: z, confidence: confidenceOf(z),
        severity: count >= 10 * Math.max(base, 1) ? 'high' : 'medium',
        description: `${service} logged ${count} records in the ${minutes} min from ${when}, ${(count / Math.max(base, 1)).toFixed(1)}x its usual ${base.toFixed(0)}; most of them are ${quote(ctx, top[0]?.[0])}.`,
        evidence: { baseline: base, observed: count, template_ids: top.map(([id]) => id), sample_record_ids: top.flatMap(([id]) => [...(w?.samples.get(id) ?? [])]).slice(0, 5) },
      }];
    }
    if (z <= -o.minScore && base >= o.minCount && count * o.minRatio <= base) {
      return [{
        type: 'volume_drop', service, key: '', score: -z, confidence: confidenceOf(z), severity: count === 0 ? 'high' : 'medium',
        description: `${service} logged ${count} records in the ${minutes} min from ${when}, down from its usual ${base.toFixed(0)} (${Math.round((1 - count / base) * 100)}% less): check that it is running and reachable.`,
        evidence: { baseline: base, observed: count },
      }];
    }
    return [];
  }

  return {
    type: 'volume',
    observe: (w: WindowStats, ctx: DetectContext) => judge(w.service, w.startMs, w.endMs, w.count, ctx, w),
    observeEmpty: (service, startMs, endMs, ctx) => judge(service, startMs, endMs, 0, ctx),
    snapshot: () => [...history].map(([s, r]) => [s, r.values()]),
    restore: (state) => {
      history.clear();
      for (const [s, vals] of state as [string, number[]][]) history.set(s, new Ring(o.historyWindows, vals));
    },
  };
}
