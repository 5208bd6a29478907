// error_rate_spike: a service's share of ERROR/FATAL records in a window against its baseline share, tested as counts.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { confidenceOf, lruGet } from './stats.js';
import { quote } from './describe.js';

export interface ErrorRateOptions {
  /** Windows the baseline share is summed over. */
  historyWindows: number;
  /** Records of history needed before anything is reported. */
  warmupRecords: number;
  /** Errors needed in the window. */
  minErrors: number;
  /** z-score of the binomial count test from which the window is anomalous. */
  minScore: number;
  /** The observed share must exceed the baseline share by at least this much (absolute). */
  minShareIncrease: number;
  maxServices: number;
}

export const defaultErrorRateOptions: ErrorRateOptions = { historyWindows: 60, warmupRecords: 200, minErrors: 5, minScore: 5, minShareIncrease: 0.05, maxServices: 10_000 };

interface History { counts: number[]; errors: number[] }


/**
 * The test: with baseline share p (smoothed: (errors + 1) / (records + 2)), the window's errors k out of n are
 * compared with the binomial mean np by z = (k - np) / sqrt(np(1 - p)): a count test, so a window of 3 records with
 * 2 errors does not alert while 300 of 1,000 does.
 */
export function createErrorRateDetector(opts: Partial<ErrorRateOptions> = {}): Detector {
  const o = { ...defaultErrorRateOptions, ...opts };
  const history = new Map<string, History>();

  function observe(w: WindowStats, ctx: DetectContext): Finding[] {
    const h = lruGet(history, w.service, o.maxServices, (): History => ({ counts: [], errors: [] }));
    const n0 = h.counts.reduce((a, b) => a + b, 0), k0 = h.errors.reduce((a, b) => a + b, 0);
    h.counts.push(w.count); h.errors.push(w.errors);
    if (h.counts.length > o.historyWindows) { h.counts.shift(); h.errors.shift(); }
    if (n0 < o.warmupRecords || w.errors < o.minErrors) return [];
    const p = (k0 + 1) / (n0 + 2);
    const share = w.errors / w.count;
    const z = (w.errors - w.count * p) / Math.sqrt(w.count * p * (1 - p));
    if (z < o.minScore || share - p < o.minShareIncrease) return [];
    const top = [...w.templateErrors].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const minutes = Math.round((w.endMs - w.startMs) / 60_000) || 1;
    return [{
      type: 'error_rate_spike', service: w.service, key: '', score: z, confidence: confidenceOf(z),
      severity: share >= 0.5 ? 'critical' : share >= 0.2 ? 'high' : 'medium',
      description: `${w.service}: ${(share * 100).toFixed(1)}% of its records were errors in the ${minutes} min from ${new Date(w.startMs).toISOString()} (${w.errors} of ${w.count}), against ${(p * 100).toFixed(1)}% usually; most are ${quote(ctx, top[0]?.[0])}.`,
      evidence: { baseline: p, observed: { share, errors: w.errors, records: w.count }, template_ids: top.map(([id]) => id), sample_record_ids: top.flatMap(([id]) => [...(w.samples.get(id) ?? [])]).slice(0, 5) },
    }];
  }

  return {
    type: 'error_rate',
    observe,
    snapshot: () => [...history],
    restore: (state) => { history.clear(); for (const [s, h] of state as [string, History][]) history.set(s, h); },
  };
}
