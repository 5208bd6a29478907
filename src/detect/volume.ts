// volume_spike / volume_drop: a service's records per window against a robust baseline of its recent windows and,
// once a day of history allows, against the same time of day on the previous days (daily seasonality).
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
  /** Robust z-score below which a window is a drop (a drop is judged on its own threshold: fewer records are expected to vary less). */
  minDropScore: number;
  /** A drop needs a baseline of at least this many records per window. */
  minDropBase: number;
  /** Windows a drop may be summed over (each of them at most 1/minRatio of the baseline). */
  dropWindows: number;
  /** Services tracked; past it the least recently seen is forgotten. */
  maxServices: number;
  /** Length of a time-of-day slot of the seasonal profile (its mean records per window is kept per day). */
  seasonSlotMs: number;
  /** Days of the seasonal profile kept per slot (the expectation is their median). */
  seasonDays: number;
}

export const defaultVolumeOptions: VolumeOptions = {
  historyWindows: 60, warmupWindows: 15, minScore: 6, minCount: 30, minRatio: 2, minDropScore: 4.5, minDropBase: 8, dropWindows: 3, maxServices: 10_000,
  seasonSlotMs: 15 * 60_000, seasonDays: 7,
};

const DAY = 86_400_000;

/**
 * A service's time-of-day profile: for each slot, its mean records per window on each of the last `days` days, and
 * the slot being filled now. Once a slot has a past day, a window that the same time on past days explains (within
 * the same robust score) is neither a spike nor a drop: a nightly batch is not an incident.
 */
interface Season { slot: number; day: number; sum: number; windows: number; values: (number[] | undefined)[] }

/**
 * The scale is the larger of 1.4826 x MAD and the Poisson noise sqrt(median), so a perfectly steady service does not
 * alert on a small wobble, and the baseline is the median, so past spikes barely move it.
 */
export function createVolumeDetector(opts: Partial<VolumeOptions> = {}): Detector {
  const o = { ...defaultVolumeOptions, ...opts };
  const history = new Map<string, Ring>();
  const seasons = new Map<string, Season>();
  const slots = Math.max(1, Math.round(DAY / o.seasonSlotMs));

  /** Adds the window to its slot's running mean; returns the median of the slot's past days (NaN before a day). */
  function seasonal(service: string, startMs: number, count: number): { base: number; scale: number } {
    const s = lruGet(seasons, service, o.maxServices, (): Season => ({ slot: -1, day: -1, sum: 0, windows: 0, values: [] }));
    const day = Math.floor(startMs / DAY), slot = Math.floor((startMs - day * DAY) / o.seasonSlotMs) % slots;
    if (slot !== s.slot || day !== s.day) {
      if (s.slot >= 0 && s.windows > 0) {
        const list = (s.values[s.slot] ??= []);
        list.push(s.sum / s.windows);
        if (list.length > o.seasonDays) list.shift();
      }
      s.slot = slot; s.day = day; s.sum = 0; s.windows = 0;
    }
    const past = s.values[slot] ?? [];
    s.sum += count; s.windows++;
    if (past.length === 0) return { base: NaN, scale: NaN };
    const base = median(past);
    return { base, scale: Math.max(1.4826 * mad(past, base), Math.sqrt(Math.max(base, 1))) };
  }

  function judge(service: string, startMs: number, endMs: number, count: number, ctx: DetectContext, w?: WindowStats): Finding[] {
    const ring = lruGet(history, service, o.maxServices, () => new Ring(o.historyWindows));
    const past = ring.values();
    ring.push(count);
    const season = seasonal(service, startMs, count);
    if (past.length < o.warmupWindows) return [];
    const base = median(past);
    // The noise is measured on successive differences (MAD / sqrt 2), so the slow rise and fall of a day does not pass
    // for noise and hide a drop in the evening; Poisson noise sqrt(base) is the floor.
    const diffs = past.slice(1).map((x, i) => x - (past[i] as number));
    const scale = Math.max((1.4826 * mad(diffs)) / Math.SQRT2, Math.sqrt(Math.max(base, 1)));
    const z = (count - base) / scale;
    // The same time on past days explains the window: not a spike (nor a drop) whatever the last hour was.
    const zs = Number.isNaN(season.base) ? z : (count - season.base) / season.scale;
    const minutes = Math.round((endMs - startMs) / 60_000) || 1;
    const when = new Date(startMs).toISOString();
    if (z >= o.minScore && zs >= o.minScore && count >= o.minCount && count >= o.minRatio * Math.max(base, 1)) {
      const top = w ? [...w.templates].sort((a, b) => b[1] - a[1]).slice(0, 3) : [];
      return [{
        type: 'volume_spike', service, key: '', score: z, confidence: confidenceOf(z),
        severity: count >= 10 * Math.max(base, 1) ? 'high' : 'medium',
        description: `${service} logged ${count} records in the ${minutes} min from ${when}, ${(count / Math.max(base, 1)).toFixed(1)}x its usual ${base.toFixed(0)}; most of them are ${quote(ctx, top[0]?.[0])}.`,
        evidence: { baseline: base, ...(Number.isNaN(season.base) ? {} : { seasonal_baseline: season.base }), observed: count, template_ids: top.map(([id]) => id), sample_record_ids: top.flatMap(([id]) => [...(w?.samples.get(id) ?? [])]).slice(0, 5) },
      }];
    }
    // A drop is judged on the window and on the last `dropWindows` windows together (a quieter service's drop shows over
    // a few windows); it must also be low against the same time on past days.
    const recent = [...past.slice(-(o.dropWindows - 1)), count];
    const zd = Math.min(z, (recent.reduce((a, b) => a + b, 0) - recent.length * base) / (Math.sqrt(recent.length) * scale));
    const low = Math.max(...recent) * o.minRatio <= base || count * o.minRatio <= base && z <= -o.minDropScore;
    if (zd <= -o.minDropScore && low && base >= o.minDropBase && count * o.minRatio <= base && (Number.isNaN(season.base) || count * o.minRatio <= season.base)) {
      return [{
        type: 'volume_drop', service, key: '', score: -zd, confidence: confidenceOf(zd), severity: count === 0 ? 'high' : 'medium',
        description: `${service} logged ${count} records in the ${minutes} min from ${when}, down from its usual ${base.toFixed(0)} (${Math.round((1 - count / base) * 100)}% less): check that it is running and reachable.`,
        evidence: { baseline: base, ...(Number.isNaN(season.base) ? {} : { seasonal_baseline: season.base }), observed: count },
      }];
    }
    return [];
  }

  return {
    type: 'volume',
    observe: (w: WindowStats, ctx: DetectContext) => judge(w.service, w.startMs, w.endMs, w.count, ctx, w),
    observeEmpty: (service, startMs, endMs, ctx) => judge(service, startMs, endMs, 0, ctx),
    snapshot: () => ({ recent: [...history].map(([s, r]) => [s, r.values()]), seasons: [...seasons] }),
    restore: (state) => {
      history.clear();
      seasons.clear();
      // Older saves hold only the recent windows (a list); the seasonal profile then starts afresh.
      const st = Array.isArray(state) ? { recent: state as [string, number[]][], seasons: [] } : state as { recent: [string, number[]][]; seasons: [string, Season][] };
      for (const [s, vals] of st.recent) history.set(s, new Ring(o.historyWindows, vals));
      for (const [s, season] of st.seasons) seasons.set(s, { ...season, values: season.values.map((v) => v ?? undefined) });
    },
  };
}
