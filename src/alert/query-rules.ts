// Query rules: a query in the query language evaluated on a schedule; each result row whose value meets the condition
// for `for` fires an alert (its group columns become labels), and resolves when it no longer does.
import { ConfigError, errorMessage } from '../errors.js';
import type { Alert, Labels } from './model.js';
import { parseDurationMs } from './route.js';
import { checkRules, fingerprintOf, type AnomalyRule } from './rules.js';
import { compileQuery, parseQuery } from '../query/index.js';
import { resolveConfig } from '../config.js';

export interface QueryRuleConfig { name: string; query: string; condition: string; every?: string | number; for?: string | number; range?: string | number; severity?: string; labels?: Labels }

export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface QueryRule {
  name: string;
  query: string;
  op: Op;
  threshold: number;
  everyMs: number;
  forMs: number;
  /** The time range each evaluation covers, ending now. */
  rangeMs: number;
  severity: string;
  labels: Labels;
}

const CONDITION = /^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Validates query rules; `checkQuery` must throw for a query that does not parse or is not an aggregation. Errors name
 * the rule and the key (`alerting.queryRules[i] (name).condition`).
 */
export function parseQueryRules(raw: readonly QueryRuleConfig[], checkQuery: (q: string) => void, taken: ReadonlySet<string> = new Set()): QueryRule[] {
  const names = new Set(taken);
  return raw.map((r, i) => {
    const key = (k: string) => `alerting.queryRules[${i}] (${r.name}).${k}`;
    if (names.has(r.name)) throw new ConfigError(key('name'), `another rule is named "${r.name}"; rule names must be unique`);
    names.add(r.name);
    try { checkQuery(r.query); } catch (err) { throw new ConfigError(key('query'), errorMessage(err)); }
    const m = CONDITION.exec(r.condition);
    if (!m) throw new ConfigError(key('condition'), `"${r.condition}" is not a condition; write an operator (> >= < <= == !=) and a number, e.g. "> 100"`);
    const everyMs = parseDurationMs(r.every ?? '30s', key('every'));
    const forMs = parseDurationMs(r.for ?? 0, key('for'));
    const rangeMs = parseDurationMs(r.range ?? '5m', key('range'));
    if (everyMs < 1000) throw new ConfigError(key('every'), 'must be at least 1s');
    if (rangeMs < 1000) throw new ConfigError(key('range'), 'must be at least 1s');
    for (const k of Object.keys(r.labels ?? {})) if (!LABEL.test(k)) throw new ConfigError(key(`labels.${k}`), 'a label name is letters, digits and _ and does not start with a digit');
    return { name: r.name, query: r.query, op: m[1] as Op, threshold: Number(m[2]), everyMs, forMs, rangeMs, severity: r.severity ?? 'medium', labels: r.labels ?? {} };
  });
}

export const holds = (op: Op, v: number, t: number): boolean =>
  op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : op === '<=' ? v <= t : op === '==' ? v === t : v !== t;

/** One evaluation's rows: each has one numeric value (the first number column) and group columns (the rest). */
export type Evaluate = (query: string, startMs: number, endMs: number) => Promise<Record<string, unknown>[]>;

interface Series { pendingSinceMs: number | undefined; alert: Alert | undefined }

/**
 * Evaluates each rule every `everyMs` (first at start), keeping per result group when its condition started to hold;
 * an alert fires once it held for `forMs`, and resolves at the first evaluation where it does not (or its group is
 * gone from the result). `raise` receives every firing and resolved alert.
 */
export class QueryRuleRunner {
  private readonly state = new Map<string, Map<string, Series>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = new Map<string, Promise<void>>();
  private started = false;

  constructor(
    private rules: readonly QueryRule[], private readonly evaluate: Evaluate, private readonly raise: (a: Alert) => Promise<void>,
    private readonly now: () => number, private readonly link: (query: string, startMs: number, endMs: number) => string,
    private readonly onError: (rule: string, err: unknown) => void,
  ) {}

  start(): void {
    this.started = true;
    for (const r of this.rules) this.schedule(r);
  }

  private schedule(r: QueryRule): void {
    const run = () => {
      if (this.running.has(r.name)) return; // the last evaluation is still running: skip this one
      const p = this.evaluateRule(r, this.now()).catch((err: unknown) => this.onError(r.name, err)).finally(() => this.running.delete(r.name));
      this.running.set(r.name, p);
    };
    run();
    const t = setInterval(run, r.everyMs);
    t.unref();
    this.timers.set(r.name, t);
  }

  get names(): string[] { return this.rules.map((r) => r.name); }

  /** Adds a rule while running (the API); it is evaluated at once, then every `everyMs`. */
  add(r: QueryRule): void {
    this.rules = [...this.rules, r];
    if (this.started) this.schedule(r);
  }

  /** Removes a rule: its firing alerts are resolved. */
  async remove(name: string): Promise<void> {
    this.rules = this.rules.filter((r) => r.name !== name);
    const t = this.timers.get(name);
    if (t) clearInterval(t);
    this.timers.delete(name);
    await this.running.get(name);
    const series = this.state.get(name);
    this.state.delete(name);
    for (const s of series?.values() ?? []) await this.resolve(s, this.now());
  }

  /** One evaluation of one rule at `nowMs` (also what `start` runs on schedule; tests call it with a fixed clock). */
  async evaluateRule(r: QueryRule, nowMs: number): Promise<void> {
    const rows = await this.evaluate(r.query, nowMs - r.rangeMs, nowMs);
    const series = this.state.get(r.name) ?? new Map<string, Series>();
    this.state.set(r.name, series);
    const seen = new Set<string>();
    for (const row of rows) {
      const entries = Object.entries(row);
      const valueAt = entries.findIndex(([, v]) => typeof v === 'number' || typeof v === 'bigint');
      if (valueAt < 0) continue;
      const value = Number(entries[valueAt]?.[1]);
      const group: Labels = {};
      for (const [k, v] of entries) if (k !== entries[valueAt]?.[0] && (typeof v === 'string' || typeof v === 'number')) group[k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(\d)/, '_$1')] = String(v);
      const labels: Labels = { ...group, ...r.labels, alertname: r.name, severity: r.severity };
      const key = fingerprintOf(labels);
      seen.add(key);
      const s = series.get(key) ?? { pendingSinceMs: undefined, alert: undefined };
      series.set(key, s);
      if (!holds(r.op, value, r.threshold)) { await this.resolve(s, nowMs); continue; }
      s.pendingSinceMs ??= nowMs;
      if (nowMs - s.pendingSinceMs < r.forMs) continue;
      const groupText = Object.entries(group).map(([k, v]) => `${k}=${v}`).join(', ');
      const alert: Alert = {
        fingerprint: key, labels,
        annotations: {
          summary: `${r.name}: ${value} ${r.op} ${r.threshold}${groupText ? ` (${groupText})` : ''}`,
          description: `The query ${JSON.stringify(r.query)} over the last ${Math.round(r.rangeMs / 1000)} s gives ${value}${groupText ? ` for ${groupText}` : ''}, ${r.op} ${r.threshold}, since ${new Date(s.pendingSinceMs).toISOString()}.`,
          value: String(value),
        },
        status: 'firing', startsAt: s.alert?.startsAt ?? new Date(s.pendingSinceMs).toISOString(),
        generatorURL: this.link(r.query, nowMs - r.rangeMs, nowMs), samples: [],
        windowStart: new Date(nowMs - r.rangeMs).toISOString(), windowEnd: new Date(nowMs).toISOString(),
      };
      // Raised once when it starts firing (a value that moves is not news); the alert keeps its first annotations.
      if (s.alert === undefined) { s.alert = alert; await this.raise(alert); }
    }
    // A group gone from the result no longer meets the condition.
    for (const [key, s] of series) if (!seen.has(key)) { await this.resolve(s, nowMs); series.delete(key); }
  }

  private async resolve(s: Series, nowMs: number): Promise<void> {
    s.pendingSinceMs = undefined;
    if (!s.alert) return;
    const resolved: Alert = { ...s.alert, status: 'resolved', endsAt: new Date(nowMs).toISOString() };
    s.alert = undefined;
    await this.raise(resolved);
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) clearInterval(t);
    await Promise.all(this.running.values());
  }
}

/** A query rule's query must parse and aggregate (it needs a number to compare). */
export function checkAggregateQuery(q: string): void {
  const kind = compileQuery(parseQuery(q), { relation: 'logs', now: new Date(), defaultLimit: 1, maxLimit: 1 }).kind;
  if (kind !== 'stats' && kind !== 'top') throw new Error(`a query rule needs a number to compare: end the query with | stats ... (this one gives ${kind})`);
}

/** Rules checked as the config loader checks them (schema with defaults, then cross checks); errors name the key. */
export const ruleChecker = {
  anomaly: (rules: unknown[]): AnomalyRule[] => {
    const checked = resolveConfig({ alerting: { rules } }).alerting.rules as AnomalyRule[];
    checkRules(checked);
    return checked;
  },
  query: (rules: unknown[], taken: ReadonlySet<string>): QueryRule[] =>
    parseQueryRules(resolveConfig({ alerting: { queryRules: rules } }).alerting.queryRules, checkAggregateQuery, taken),
};
