// volume_spike / volume_drop, per service and per template: records per window against a robust baseline of recent
// windows and, once a day of history allows, against the same time of day on the previous days (daily seasonality).
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
  /**
   * A drop's chance under the baseline: the Poisson probability of so few records over the last 1 to `dropWindows`
   * windows, with counts and rate divided by the series' overdispersion (its noise² over its mean, at least 1), must be
   * below this.
   */
  maxDropChance: number;
  /** A drop needs a baseline of at least this many records per window. */
  minDropBase: number;
  /** Windows a drop may be summed over: quiet series show a drop over a few. */
  dropWindows: number;
  /**
   * Over more than one window, each must be at most 1/dropRatio of the baseline: counts of neighbouring windows are
   * correlated (a job logs over several minutes), so a sum is less certain than its Poisson tail says.
   */
  dropRatio: number;
  /** Services tracked; past it the least recently seen is forgotten. */
  maxServices: number;
  /** Length of a time-of-day slot of the seasonal profile (its mean records per window is kept per day). */
  seasonSlotMs: number;
  /** Days of the seasonal profile kept per slot (the expectation is their median). */
  seasonDays: number;
  /** A template is followed on its own once it has this many records in a window (and judged like a service). */
  templateMinCount: number;
  /** Templates followed per service (the least recently active are forgotten past it). */
  maxTemplatesPerService: number;
  /** Templates followed in all (each keeps its recent windows and an hourly profile). */
  maxTemplateSeries: number;
  /** Slot length of a template's seasonal profile (coarser than a service's: there are more of them). */
  templateSeasonSlotMs: number;
}

export const defaultVolumeOptions: VolumeOptions = {
  historyWindows: 60, warmupWindows: 15, minScore: 6, minCount: 30, minRatio: 2, maxDropChance: 1e-7, minDropBase: 4, dropWindows: 5, dropRatio: 4, maxServices: 10_000,
  seasonSlotMs: 15 * 60_000, seasonDays: 7, templateMinCount: 30, maxTemplatesPerService: 50, maxTemplateSeries: 20_000, templateSeasonSlotMs: 3_600_000,
};

const DAY = 86_400_000;

/** P(X <= k) for X ~ Poisson(lambda), summed in log space (k is small where it matters). */
export function poissonAtMost(k: number, lambda: number): number {
  if (k < 0) return 0;
  let term = -lambda, total = Math.exp(term);
  for (let i = 1; i <= k; i++) { term += Math.log(lambda / i); total += Math.exp(term); }
  return Math.min(1, total);
}

/**
 * A time-of-day profile: for each slot of the day, the mean and the largest records per window on each of the last
 * `seasonDays` days, and the slot being filled now. A window the same time on past days explains (within the same
 * robust score) is neither a spike nor a drop: a nightly batch is not an incident.
 */
interface Season { slot: number; day: number; sum: number; max: number; windows: number; values: ([number, number][] | undefined)[] }

/**
 * One counted series (a service, or a template of a service): its recent windows and its profile. `base` and `scale`
 * are cached for a few windows (the median of 60 barely moves); a window that may be anomalous recomputes them.
 */
interface Series { ring: Ring; season: Season; base?: number; scale?: number; age?: number }

/** Windows a cached baseline is used for before it is computed again. */
const REFRESH = 5;

interface Expectation { mean: number; max: number; scale: number; maxScale: number }
const NO_SEASON: Expectation = { mean: NaN, max: NaN, scale: NaN, maxScale: NaN };

interface Verdict { kind: 'spike' | 'drop'; z: number; base: number; seasonBase: number }

/**
 * The baseline is the median of recent windows, so past spikes barely move it. The noise is measured on successive
 * differences (MAD / sqrt 2), so the slow rise and fall of a day does not pass for noise and hide a drop in the
 * evening; Poisson noise sqrt(base) is the floor, so a perfectly steady service does not alert on a small wobble.
 */
export function createVolumeDetector(opts: Partial<VolumeOptions> = {}): Detector {
  const o = { ...defaultVolumeOptions, ...opts };
  const services = new Map<string, Series>();
  /** `service SEP template` -> series; per service, the templates followed (LRU). */
  const templates = new Map<string, Series>();
  const followed = new Map<string, Map<string, true>>();
  const SEP = '\u0001';
  /** A slot's expectation, computed once per slot and day (its past days do not change within it). */
  const expectations = new WeakMap<Season, { key: string; value: Expectation }>();
  const newSeries = (): Series => ({ ring: new Ring(o.historyWindows), season: { slot: -1, day: -1, sum: 0, max: 0, windows: 0, values: [] } });

  /** Adds the window to its slot; returns the median over past days of the slot's mean and of its largest window. */
  function seasonal(s: Season, slotMs: number, startMs: number, count: number): Expectation {
    const slots = Math.max(1, Math.round(DAY / slotMs));
    const day = Math.floor(startMs / DAY), slot = Math.floor((startMs - day * DAY) / slotMs) % slots;
    if (slot !== s.slot || day !== s.day) {
      if (s.slot >= 0 && s.windows > 0) {
        const list = (s.values[s.slot] ??= []);
        list.push([s.sum / s.windows, s.max]);
        if (list.length > o.seasonDays) list.shift();
      }
      s.slot = slot; s.day = day; s.sum = 0; s.max = 0; s.windows = 0;
    }
    const past = s.values[slot] ?? [];
    s.sum += count; s.windows++; if (count > s.max) s.max = count;
    if (past.length === 0) return NO_SEASON;
    const key = `${day}:${slot}`;
    const hit = expectations.get(s);
    if (hit?.key === key) return hit.value;
    const means = past.map((x) => x[0]), maxes = past.map((x) => x[1]);
    const mean = median(means), max = median(maxes);
    const value = { mean, max, scale: Math.max(1.4826 * mad(means, mean), Math.sqrt(Math.max(mean, 1))), maxScale: Math.max(1.4826 * mad(maxes, max), Math.sqrt(Math.max(max, 1))) };
    expectations.set(s, { key, value });
    return value;
  }

  function judge(series: Series, slotMs: number, startMs: number, count: number, warmup: number): Verdict | undefined {
    const season = seasonal(series.season, slotMs, startMs, count);
    const ring = series.ring;
    if (ring.length < warmup) { ring.push(count); return undefined; }
    // The cheap path: a window well inside the cached baseline's noise is normal.
    if (series.base !== undefined && series.scale !== undefined && (series.age ?? 0) < REFRESH
      && Math.abs(count - series.base) < 0.5 * o.minScore * series.scale && count * o.minRatio > series.base) {
      ring.push(count);
      series.age = (series.age ?? 0) + 1;
      return undefined;
    }
    const past = ring.values();
    ring.push(count);
    const base = median(past);
    const diffs = past.slice(1).map((x, i) => x - (past[i] as number));
    const scale = Math.max((1.4826 * mad(diffs)) / Math.SQRT2, Math.sqrt(Math.max(base, 1)));
    series.base = base; series.scale = scale; series.age = 0;
    const z = (count - base) / scale;
    // A spike must also stand out against the busiest window the same slot had on past days.
    const zs = Number.isNaN(season.max) ? z : (count - season.max) / season.maxScale;
    if (z >= o.minScore && zs >= o.minScore && count >= o.minCount && count >= o.minRatio * Math.max(base, 1)) return { kind: 'spike', z, base, seasonBase: season.max };
    // A drop: the fewest windows back (1 to dropWindows), each at most 1/minRatio of the baseline, whose total is too
    // unlikely under the baseline (exact Poisson tail, so a quiet series' drop is judged as fairly as a busy one's);
    // it must also be low against the mean of the same time on past days.
    if (base < o.minDropBase || count * o.minRatio > base || (!Number.isNaN(season.mean) && count * o.minRatio > season.mean)) return undefined;
    const phi = Math.max(1, (scale * scale) / Math.max(base, 1));
    let sum = 0, chance = 1;
    for (let k = 1; k <= o.dropWindows; k++) {
      const x = k === 1 ? count : (past[past.length - k + 1] as number | undefined);
      if (x === undefined || x * (k === 1 ? o.minRatio : o.dropRatio) > base || (k > 1 && count * o.dropRatio > base)) break;
      sum += x;
      chance = poissonAtMost(Math.floor(sum / phi), (k * base) / phi);
      if (chance < o.maxDropChance) break;
    }
    if (chance < o.maxDropChance) {
      const zd = -Math.max(0, -Math.log10(chance));
      return { kind: 'drop', z: zd, base, seasonBase: season.mean };
    }
    return undefined;
  }

  const seasonal_ = (v: Verdict) => (Number.isNaN(v.seasonBase) ? {} : { seasonal_baseline: v.seasonBase });

  function observe(w: WindowStats, ctx: DetectContext): Finding[] {
    const { service, startMs, endMs, count } = w;
    const minutes = Math.round((endMs - startMs) / 60_000) || 1;
    const when = new Date(startMs).toISOString();
    const out: Finding[] = [];
    const v = judge(lruGet(services, service, o.maxServices, newSeries), o.seasonSlotMs, startMs, count, o.warmupWindows);
    if (v?.kind === 'spike') {
      const top = [...w.templates].sort((a, b) => b[1] - a[1]).slice(0, 3);
      out.push({
        type: 'volume_spike', service, key: '', score: v.z, confidence: confidenceOf(v.z),
        severity: count >= 10 * Math.max(v.base, 1) ? 'high' : 'medium',
        description: `${service} logged ${count} records in the ${minutes} min from ${when}, ${(count / Math.max(v.base, 1)).toFixed(1)}x its usual ${v.base.toFixed(0)}; most of them are ${quote(ctx, top[0]?.[0])}.`,
        evidence: { baseline: v.base, ...seasonal_(v), observed: count, template_ids: top.map(([id]) => id), sample_record_ids: top.flatMap(([id]) => [...(w.samples.get(id) ?? [])]).slice(0, 5) },
      });
    } else if (v?.kind === 'drop') out.push(dropFinding(service, count, v, minutes, when));

    // Templates followed on their own: one kind of record can spike or stop while the service's total looks normal.
    const mine = lruGet(followed, service, o.maxServices, () => new Map<string, true>());
    for (const [id, n] of w.templates) {
      if (n >= o.templateMinCount && !mine.has(id)) {
        if (mine.size >= o.maxTemplatesPerService) { const old = mine.keys().next(); if (old.done !== true) { mine.delete(old.value); templates.delete(service + SEP + old.value); } }
        mine.set(id, true);
      }
    }
    for (const id of mine.keys()) {
      const n = w.templates.get(id) ?? 0;
      const series = lruGet(templates, service + SEP + id, o.maxTemplateSeries, newSeries);
      // A template is judged after a full history (a burst that made it followed must not be its baseline).
      const t = judge(series, o.templateSeasonSlotMs, startMs, n, o.historyWindows);
      if (!t || (v && v.kind === t.kind)) continue; // the service's own finding says it
      const errors = w.templateErrors.get(id) ?? 0;
      if (t.kind === 'spike') {
        out.push({
          type: 'volume_spike', service, key: id, score: t.z, confidence: confidenceOf(t.z), severity: errors > 0 || n >= 10 * Math.max(t.base, 1) ? 'high' : 'medium',
          description: `${service} logged ${quote(ctx, id)} ${n} times in the ${minutes} min from ${when}, ${(n / Math.max(t.base, 1)).toFixed(1)}x its usual ${t.base.toFixed(0)}${errors > 0 ? `, ${errors} of them errors` : ''}; the service logged ${count} records in all.`,
          evidence: { baseline: t.base, ...seasonal_(t), observed: n, template_ids: [id], sample_record_ids: [...(w.samples.get(id) ?? [])].slice(0, 5) },
        });
      } else {
        out.push({
          type: 'volume_drop', service, key: id, score: -t.z, confidence: confidenceOf(t.z), severity: n === 0 ? 'high' : 'medium',
          description: `${service} logged ${quote(ctx, id)} ${n} times in the ${minutes} min from ${when}, down from its usual ${t.base.toFixed(0)} (${Math.round((1 - n / t.base) * 100)}% less) while the service logged ${count} records: check what produces it.`,
          evidence: { baseline: t.base, ...seasonal_(t), observed: n, template_ids: [id] },
        });
      }
    }
    return out;
  }

  function dropFinding(service: string, count: number, v: Verdict, minutes: number, when: string): Finding {
    return {
      type: 'volume_drop', service, key: '', score: -v.z, confidence: confidenceOf(v.z), severity: count === 0 ? 'high' : 'medium',
      description: `${service} logged ${count} records in the ${minutes} min from ${when}, down from its usual ${v.base.toFixed(0)} (${Math.round((1 - count / v.base) * 100)}% less): check that it is running and reachable.`,
      evidence: { baseline: v.base, ...seasonal_(v), observed: count },
    };
  }

  function observeEmpty(service: string, startMs: number, endMs: number): Finding[] {
    const v = judge(lruGet(services, service, o.maxServices, newSeries), o.seasonSlotMs, startMs, 0, o.warmupWindows);
    // The service's templates count zero too (their drop is the service's).
    for (const id of followed.get(service)?.keys() ?? []) judge(lruGet(templates, service + SEP + id, o.maxTemplateSeries, newSeries), o.templateSeasonSlotMs, startMs, 0, o.historyWindows);
    return v?.kind === 'drop' ? [dropFinding(service, 0, v, Math.round((endMs - startMs) / 60_000) || 1, new Date(startMs).toISOString())] : [];
  }

  const dump = (m: Map<string, Series>) => [...m].map(([k, x]) => [k, x.ring.values(), x.season] as const);
  const load = (m: Map<string, Series>, list: (readonly [string, number[], Season])[]) => {
    m.clear();
    for (const [k, vals, season] of list) m.set(k, { ring: new Ring(o.historyWindows, vals), season: { ...season, values: season.values.map((x) => x ?? undefined) } });
  };

  return {
    type: 'volume',
    observe,
    observeEmpty,
    snapshot: () => ({ version: 2, services: dump(services), templates: dump(templates), followed: [...followed].map(([s, m]) => [s, [...m.keys()]]) }),
    restore: (state) => {
      const st = state as { version?: number; services: [string, number[], Season][]; templates: [string, number[], Season][]; followed: [string, string[]][] };
      // Saves of an older version start the volume baselines afresh (they learn again in 15 windows).
      if (st.version !== 2) { services.clear(); templates.clear(); followed.clear(); return; }
      load(services, st.services);
      load(templates, st.templates);
      followed.clear();
      for (const [s, ids] of st.followed) followed.set(s, new Map(ids.map((id) => [id, true as const])));
    },
  };
}
