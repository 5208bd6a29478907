// service_silence: a service that logs steadily goes quiet for longer than its usual gaps.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { Ring, lruGet, median } from './stats.js';

export interface SilenceOptions {
  /** Windows of history that define "steady" and the usual gaps. */
  historyWindows: number;
  /** Windows of history needed before anything is reported. */
  warmupWindows: number;
  /** Share of history windows with records for a service to count as steady. */
  minActiveShare: number;
  /** Median records per active window for a service to count as steady. */
  minMedian: number;
  /** The fewest quiet windows in a row reported as a silence. */
  minSilentWindows: number;
  /**
   * How unlikely a run of quiet windows must be, by chance, for a steady service: with its low rate L (the 10th
   * percentile of its active windows), r empty windows in a row have probability exp(-L r) under Poisson arrivals; the
   * run is reported once that is below this. A service logging 20 a window is silent after one empty window, one
   * logging 5 after three.
   */
  maxChance: number;
  maxServices: number;
}

export const defaultSilenceOptions: SilenceOptions = { historyWindows: 60, warmupWindows: 30, minActiveShare: 0.9, minMedian: 5, minSilentWindows: 1, maxChance: 1e-6, maxServices: 10_000 };

interface State { history: Ring; run: number; threshold: number; usual: number }

/** The longest run of zeros in a list. */
function longestGap(xs: readonly number[]): number {
  let best = 0, run = 0;
  for (const x of xs) { run = x === 0 ? run + 1 : 0; if (run > best) best = run; }
  return best;
}

/**
 * When a quiet run starts, the service's history before it decides: steady (records in most windows, a median of at
 * least a few) and the longest quiet run it had; the silence is reported once the run is longer than that (at least
 * minSilentWindows), and extended while it lasts.
 */
export function createSilenceDetector(opts: Partial<SilenceOptions> = {}): Detector {
  const o = { ...defaultSilenceOptions, ...opts };
  const states = new Map<string, State>();

  const state = (service: string): State => lruGet(states, service, o.maxServices, () => ({ history: new Ring(o.historyWindows), run: 0, threshold: Infinity, usual: 0 }));

  return {
    type: 'silence',
    observe(w: WindowStats, _ctx: DetectContext): Finding[] {
      const s = state(w.service);
      s.history.push(w.count);
      s.run = 0;
      return [];
    },
    observeEmpty(service: string, startMs: number, endMs: number): Finding[] {
      const s = state(service);
      if (s.run === 0) {
        const past = s.history.values();
        const active = past.filter((x) => x > 0);
        const steady = past.length >= o.warmupWindows && active.length >= o.minActiveShare * past.length && median(active) >= o.minMedian;
        const low = active.length ? [...active].sort((a, b) => a - b)[Math.floor(active.length / 10)] ?? 1 : 1;
        s.threshold = steady ? Math.max(o.minSilentWindows, longestGap(past) + 1, Math.ceil(-Math.log(o.maxChance) / low)) : Infinity;
        s.usual = active.length ? median(active) : 0;
      }
      s.history.push(0);
      s.run++;
      if (s.run < s.threshold) return [];
      const minutes = Math.round((s.run * (endMs - startMs)) / 60_000);
      const since = new Date(endMs - s.run * (endMs - startMs)).toISOString();
      return [{
        type: 'service_silence', service, key: '', score: s.run / s.threshold * 10, confidence: Math.min(0.99, 0.6 + 0.1 * s.run), severity: 'high',
        description: `${service} has logged nothing for ${minutes} min since ${since}; it usually logs about ${Math.round(s.usual)} records a window and was never quiet this long in the last ${s.history.length} windows: check that it is running and can reach logsift.`,
        evidence: { baseline: s.usual, observed: 0, quiet_windows: s.run },
      }];
    },
    snapshot: () => [...states].map(([k, s]) => [k, s.history.values(), s.run, s.threshold === Infinity ? null : s.threshold, s.usual]),
    restore(state) {
      states.clear();
      for (const [k, vals, run, threshold, usual] of state as [string, number[], number, number | null, number][]) {
        states.set(k, { history: new Ring(o.historyWindows, vals), run, threshold: threshold ?? Infinity, usual });
      }
    },
  };
}
