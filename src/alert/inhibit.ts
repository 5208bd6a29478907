// Inhibition: while a firing source alert matches a rule, target alerts with the same `equal` labels are not sent.
import { ConfigError } from '../errors.js';
import type { Labels } from './model.js';
import { isLabelName, labelValue, matchesAll, parseMatcherList, type Matcher } from './matchers.js';

/** One entry of `alerting.inhibitRules` as written in config (Alertmanager's names). */
export interface InhibitRuleConfig {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  /** Labels that must have the same value on source and target (a label missing on both counts as equal). */
  readonly equal: readonly string[];
}

/** The rule suggested in docs: a critical alert mutes the lesser alerts of the same service. */
export const suggestedInhibitRules: InhibitRuleConfig[] = [
  { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"low|medium|high"'], equal: ['service'] },
];

const ruleKeys = new Set(['source_matchers', 'target_matchers', 'equal']);

/** Builds and validates the rules; errors are ConfigErrors naming the entry, e.g. `alerting.inhibitRules[0].equal[1]`. */
export function buildInhibitRules(config: unknown, key = 'alerting.inhibitRules'): InhibitRule[] {
  if (config === undefined || config === null) return [];
  if (!Array.isArray(config)) throw new ConfigError(key, 'must be a list of {source_matchers, target_matchers, equal?}');
  return config.map((raw, i) => buildRule(raw, `${key}[${i}]`));
}

function buildRule(raw: unknown, key: string): InhibitRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(key, 'must be an object {source_matchers, target_matchers, equal?}');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (ruleKeys.has(k)) continue;
    const hint = /^(source|target)_match(_re)?$/.test(k) ? `; write ${k.startsWith('source') ? 'source' : 'target'}_matchers: ['name="value"'] instead` : '';
    throw new ConfigError(`${key}.${k}`, `unknown key${hint}; allowed keys here: ${[...ruleKeys].join(', ')}`);
  }
  const side = (name: 'source_matchers' | 'target_matchers') => {
    const ms = parseMatcherList(c[name], `${key}.${name}`);
    // An empty side matches every alert: one stray alert would then mute everything, so it is refused.
    if (ms.length === 0) throw new ConfigError(`${key}.${name}`, 'must have at least one matcher');
    return ms;
  };
  const sourceMatchers = side('source_matchers');
  const targetMatchers = side('target_matchers');
  if (c.equal !== undefined && !Array.isArray(c.equal)) throw new ConfigError(`${key}.equal`, 'must be a list of label names');
  const equal = ((c.equal ?? []) as unknown[]).map((name, j) => {
    if (typeof name !== 'string' || !isLabelName(name)) throw new ConfigError(`${key}.equal[${j}]`, `must be a label name (letters, digits and _); got ${JSON.stringify(name)}`);
    return name;
  });
  return { sourceMatchers, targetMatchers, equal: [...new Set(equal)] };
}

/** What inhibition needs to know of an alert. */
export interface InhibitCandidate {
  fingerprint: string;
  labels: Labels;
  status: 'firing' | 'resolved';
}

/**
 * Which alerts can inhibit which, kept up to date one alert at a time: per rule, the firing source alerts and the target
 * alerts, bucketed by their `equal` label values, so a lookup or a change touches one bucket. Silenced or inhibited
 * sources still inhibit (as in Alertmanager).
 */
export class InhibitionIndex {
  private readonly sources: Map<string, Map<string, InhibitCandidate>>[];
  private readonly targets: Map<string, Set<string>>[];
  /** Where each alert sits: [rule index, bucket key, is source] triples. */
  private readonly placed = new Map<string, [number, string, boolean][]>();

  constructor(private readonly rules: readonly InhibitRule[], alerts: Iterable<InhibitCandidate> = []) {
    this.sources = rules.map(() => new Map());
    this.targets = rules.map(() => new Map());
    for (const a of alerts) this.upsert(a);
  }

  /** Adds or replaces an alert. Returns the other alerts whose inhibition may have changed (targets sharing its buckets). */
  upsert(a: InhibitCandidate): string[] {
    const affected = new Set(this.remove(a.fingerprint));
    if (this.rules.length === 0) return [];
    const spots: [number, string, boolean][] = [];
    this.rules.forEach((r, i) => {
      const key = equalKey(r, a.labels);
      if (a.status === 'firing' && matchesAll(r.sourceMatchers, a.labels)) {
        bucket(this.sources[i]!, key, () => new Map()).set(a.fingerprint, a);
        spots.push([i, key, true]);
        for (const t of this.targets[i]!.get(key) ?? []) affected.add(t);
      }
      if (matchesAll(r.targetMatchers, a.labels)) {
        bucket(this.targets[i]!, key, () => new Set()).add(a.fingerprint);
        spots.push([i, key, false]);
      }
    });
    if (spots.length > 0) this.placed.set(a.fingerprint, spots);
    affected.delete(a.fingerprint);
    return [...affected];
  }

  /** Removes an alert. Returns the other alerts whose inhibition may have changed. */
  remove(fingerprint: string): string[] {
    const spots = this.placed.get(fingerprint);
    if (!spots) return [];
    this.placed.delete(fingerprint);
    const affected = new Set<string>();
    for (const [i, key, isSource] of spots) {
      const map = isSource ? this.sources[i]! : this.targets[i]!;
      const b = map.get(key)!;
      b.delete(fingerprint);
      if (b.size === 0) map.delete(key);
      if (isSource) for (const t of this.targets[i]!.get(key) ?? []) affected.add(t);
    }
    affected.delete(fingerprint);
    return [...affected];
  }

  /**
   * Fingerprints of the firing alerts that inhibit this one, sorted; empty when it is not inhibited. An alert never
   * inhibits itself, and when the target also matches the source side, sources that also match the target side are
   * ignored (Alertmanager's rule: two alerts of the same kind cannot mute each other).
   */
  inhibitedBy(fingerprint: string, labels: Labels): string[] {
    const out = new Set<string>();
    this.rules.forEach((r, i) => {
      if (!matchesAll(r.targetMatchers, labels)) return;
      const b = this.sources[i]!.get(equalKey(r, labels));
      if (!b) return;
      const twoSided = matchesAll(r.sourceMatchers, labels);
      for (const src of b.values()) {
        if (src.fingerprint === fingerprint) continue;
        if (twoSided && matchesAll(r.targetMatchers, src.labels)) continue;
        out.add(src.fingerprint);
      }
    });
    return [...out].sort();
  }
}

function bucket<T>(map: Map<string, T>, key: string, make: () => T): T {
  let b = map.get(key);
  if (b === undefined) {
    b = make();
    map.set(key, b);
  }
  return b;
}

function equalKey(rule: InhibitRule, labels: Labels): string {
  return JSON.stringify(rule.equal.map((n) => labelValue(labels, n)));
}
