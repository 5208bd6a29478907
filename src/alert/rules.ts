// Alert rules: which anomalies become alerts (anomaly rules), with their labels, annotations and links.
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { ANOMALY_TYPES, SEVERITIES, type Anomaly, type AnomalyType, type Severity } from '../model/anomaly.js';
import type { Alert, Labels } from './model.js';

/** An anomaly rule: anomalies matching every given condition fire an alert named after the rule. */
export interface AnomalyRule {
  name: string;
  /** Anomaly types (any when absent). */
  types?: AnomalyType[];
  /** Services (any when absent); a trailing `*` matches a prefix. */
  services?: string[];
  minSeverity?: Severity;
  minScore?: number;
  minConfidence?: number;
  /** Labels added to the alert (routing, grouping). */
  labels?: Labels;
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Checks rules beyond the config schema (names unique, labels well-formed); errors name the rule and the key. */
export function checkRules(rules: readonly AnomalyRule[]): void {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    const key = (k: string) => `alerting.rules[${i}] (${r.name}).${k}`;
    if (seen.has(r.name)) throw new ConfigError(key('name'), `two rules are named "${r.name}"; names must be unique`);
    seen.add(r.name);
    for (const t of r.types ?? []) if (!(ANOMALY_TYPES as readonly string[]).includes(t)) throw new ConfigError(key('types'), `unknown anomaly type "${t}"; one of ${ANOMALY_TYPES.join(', ')}`);
    for (const [k, v] of Object.entries(r.labels ?? {})) {
      if (!LABEL.test(k)) throw new ConfigError(key(`labels.${k}`), 'a label name is letters, digits and _ and does not start with a digit');
      if (typeof v !== 'string') throw new ConfigError(key(`labels.${k}`), 'a label value is a string');
    }
  });
}

export function matches(rule: AnomalyRule, a: Anomaly): boolean {
  if (rule.types && !rule.types.includes(a.anomaly_type)) return false;
  if (rule.services && !rule.services.some((s) => (s.endsWith('*') ? a.service.startsWith(s.slice(0, -1)) : a.service === s))) return false;
  if (rule.minSeverity && rank(a.severity) < rank(rule.minSeverity)) return false;
  if (rule.minScore !== undefined && a.score < rule.minScore) return false;
  if (rule.minConfidence !== undefined && a.confidence < rule.minConfidence) return false;
  return true;
}

/** A stable fingerprint of a label set (sorted names and values). */
export function fingerprintOf(labels: Labels): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(`${k}\u0000${labels[k] ?? ''}\u0001`);
  return h.digest('hex').slice(0, 16);
}

/** The dashboard's search around a window (5 minutes either side), for the alert's link. */
export function logsLink(externalURL: string, service: string, startIso: string, endIso: string): string {
  const pad = 5 * 60_000;
  const q = new URLSearchParams({ q: `service:${JSON.stringify(service)}`, start: new Date(Date.parse(startIso) - pad).toISOString(), end: new Date(Date.parse(endIso) + pad).toISOString() });
  return `${externalURL.replace(/\/+$/, '')}/#/search?${q.toString()}`;
}

/**
 * The alert an anomaly raises under a rule: one alert per anomaly (its id is a label), firing while the anomaly is
 * open or acknowledged, resolved when it is resolved (at its window end).
 */
export function alertOf(rule: AnomalyRule, a: Anomaly, externalURL: string, samples: string[]): Alert {
  const labels: Labels = { ...rule.labels, alertname: rule.name, service: a.service, anomaly_type: a.anomaly_type, severity: a.severity, anomaly_id: a.anomaly_id };
  const resolved = a.status === 'resolved';
  return {
    fingerprint: fingerprintOf(labels),
    labels,
    annotations: {
      summary: `${a.anomaly_type.replaceAll('_', ' ')} on ${a.service} (${a.severity})`,
      description: a.description,
      score: String(Math.round(a.score * 100) / 100),
      confidence: String(Math.round(a.confidence * 100) / 100),
    },
    status: resolved ? 'resolved' : 'firing',
    startsAt: a.window_start,
    ...(resolved ? { endsAt: a.window_end } : {}),
    generatorURL: logsLink(externalURL, a.service, a.window_start, a.window_end),
    samples,
    windowStart: a.window_start,
    windowEnd: a.window_end,
  };
}
