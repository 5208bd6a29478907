// Scoring detectors against known incidents: recall and delay per type, false anomalies per service and day.
import type { Anomaly, AnomalyType } from '../model/anomaly.js';
import type { Incident } from './scenario.js';
import { median } from './stats.js';

export interface TypeScore { type: AnomalyType; incidents: number; found: number; recall: number; medianDelayMs: number; maxDelayMs: number }

export interface ScenarioScore {
  types: TypeScore[];
  /** Anomalies that overlap no incident of their service (the incident's span plus `graceMs`). */
  falses: Anomaly[];
  falseByType: Map<string, number>;
  falseByService: Map<string, number>;
  falsePerServiceDay: number;
  /** Anomalies of another type than the incident they overlap (a spike of errors also brings a new template ...). */
  collateral: number;
  missed: Incident[];
}

/**
 * An incident is found by an anomaly of its type and service whose span overlaps the incident's (plus `graceMs`,
 * default 5 windows: the time a problem's after-effects last); its delay is the anomaly's detected_at minus the
 * incident's start.
 */
export function scoreScenario(anomalies: readonly Anomaly[], incidents: readonly Incident[], o: { windowMs: number; days: number; services: number; graceMs?: number }): ScenarioScore {
  const grace = o.graceMs ?? 5 * o.windowMs;
  const span = (a: Anomaly) => [Date.parse(a.window_start), Date.parse(a.window_end)] as const;
  const overlaps = (a: Anomaly, x: Incident) => { const [s, e] = span(a); return s < x.endMs + grace && e > x.startMs; };
  const byType = new Map<AnomalyType, { n: number; found: number; delays: number[] }>();
  const missed: Incident[] = [];
  for (const x of incidents) {
    const t = byType.get(x.type) ?? { n: 0, found: 0, delays: [] };
    byType.set(x.type, t);
    t.n++;
    const hits = anomalies.filter((a) => a.anomaly_type === x.type && a.service === x.service && overlaps(a, x));
    if (hits.length === 0) { missed.push(x); continue; }
    t.found++;
    t.delays.push(Math.max(0, Math.min(...hits.map((a) => Date.parse(a.detected_at))) - x.startMs));
  }
  const falses: Anomaly[] = [];
  let collateral = 0;
  for (const a of anomalies) {
    const mine = incidents.filter((x) => x.service === a.service && overlaps(a, x));
    if (mine.length === 0) falses.push(a);
    else if (!mine.some((x) => x.type === a.anomaly_type)) collateral++;
  }
  const count = (key: (a: Anomaly) => string) => {
    const m = new Map<string, number>();
    for (const a of falses) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
    return m;
  };
  return {
    types: [...byType].map(([type, t]) => ({
      type, incidents: t.n, found: t.found, recall: t.found / t.n,
      medianDelayMs: t.delays.length ? median(t.delays) : NaN, maxDelayMs: t.delays.length ? Math.max(...t.delays) : NaN,
    })),
    falses, falseByType: count((a) => a.anomaly_type), falseByService: count((a) => a.service),
    falsePerServiceDay: falses.length / (o.days * o.services), collateral, missed,
  };
}
