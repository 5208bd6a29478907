// latency_shift: a service's p95 duration in a window moves well above the p95 of its recent windows.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { Ring, confidenceOf, lruGet, mad, median } from './stats.js';

export interface LatencyOptions {
  /** Windows (with enough durations) the baseline p95 is taken from. */
  historyWindows: number;
  /** Such windows needed before anything is reported. */
  warmupWindows: number;
  /** Durations a window needs to have its p95 judged (and to count in the baseline). */
  minSamples: number;
  /** The p95 must be at least this many times the baseline p95. */
  minRatio: number;
  /** Robust z-score of the window's p95 against the baseline p95s. */
  minScore: number;
  /**
   * z-score of the count test on the window's records slower than the baseline p95: by definition about 5 % of them
   * are, so k of n above it is tested against the binomial mean 0.05 n. Keeps a noisy p95 from few records quiet.
   */
  minExceedScore: number;
  maxServices: number;
}

export const defaultLatencyOptions: LatencyOptions = { historyWindows: 60, warmupWindows: 15, minSamples: 20, minRatio: 1.5, minScore: 6, minExceedScore: 5, maxServices: 10_000 };

/** The q-quantile (0..1) of a non-empty list, by the nearest-rank method. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** The scale is the larger of 1.4826 x MAD of the past p95s and 5 % of their median (steady p95s still wobble). */
export function createLatencyDetector(opts: Partial<LatencyOptions> = {}): Detector {
  const o = { ...defaultLatencyOptions, ...opts };
  const history = new Map<string, Ring>();
  return {
    type: 'latency',
    observe(w: WindowStats, _ctx: DetectContext): Finding[] {
      if (w.durations.length < o.minSamples) return [];
      const ring = lruGet(history, w.service, o.maxServices, () => new Ring(o.historyWindows));
      const p95 = quantile(w.durations, 0.95);
      const past = ring.values();
      ring.push(p95);
      if (past.length < o.warmupWindows) return [];
      const base = median(past);
      const scale = Math.max(1.4826 * mad(past, base), 0.05 * base, 1);
      const z = (p95 - base) / scale;
      if (z < o.minScore || p95 < o.minRatio * base) return [];
      let above = 0;
      for (const d of w.durations) if (d > base) above++;
      const n = w.durations.length;
      if ((above - 0.05 * n) / Math.sqrt(0.0475 * n) < o.minExceedScore) return [];
      const p50 = quantile(w.durations, 0.5);
      return [{
        type: 'latency_shift', service: w.service, key: '', score: z, confidence: confidenceOf(z / 2),
        severity: p95 >= 4 * base ? 'high' : 'medium',
        description: `${w.service} got slower: p95 ${Math.round(p95)} ms in the ${Math.round((w.endMs - w.startMs) / 60_000) || 1} min from ${new Date(w.startMs).toISOString()}, ${(p95 / base).toFixed(1)}x its usual ${Math.round(base)} ms (median ${Math.round(p50)} ms, ${w.durationCount} timed records).`,
        evidence: { baseline: base, observed: { p95, p50, records: w.durationCount, above_baseline_p95: above / n } },
      }];
    },
    snapshot: () => [...history].map(([s, r]) => [s, r.values()]),
    restore: (state) => {
      history.clear();
      for (const [s, vals] of state as [string, number[]][]) history.set(s, new Ring(o.historyWindows, vals));
    },
  };
}
