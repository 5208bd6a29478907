// The alerting stage: anomalies -> rules -> alerts -> dispatcher (routes, groups, silences, inhibition) -> outbox ->
// receivers. Driven by anomaly changes and by the dispatcher's own due times; its state survives restarts.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StorageError, errorMessage } from '../errors.js';
import { writeFileDurably } from '../store/fsync.js';
import type { Anomaly } from '../model/anomaly.js';
import type { Alert, Receiver } from './model.js';
import { Outbox, type OutboxOptions, type OutboxSink } from './outbox.js';
import { alertOf, checkRules, matches, type AnomalyRule } from './rules.js';
import type { Dispatcher } from './dispatcher.js';
import type { Silence, SilenceStore } from './silences.js';
import { QueryRuleRunner, type QueryRule, type QueryRuleConfig } from './query-rules.js';
import { ConfigError } from '../errors.js';

export interface AlertStageOptions {
  /** Anomaly rules from the config file (rules added through the API are kept in `<dir>/rules.json`). */
  rules: AnomalyRule[];
  externalURL: string;
  samples: number;
  snapshotIntervalMs: number;
}

interface StateFile { version: 1; dispatcher: unknown; silences: unknown }

/** Rules added through the API, saved in `<dir>/rules.json`. */
interface RulesFile { version: 1; anomaly: AnomalyRule[]; query: QueryRuleConfig[] }

/** Checks rules as the config loader does (schema, then cross checks); throws ConfigError naming the key. */
export interface RuleChecker {
  anomaly(rules: AnomalyRule[]): AnomalyRule[];
  query(rules: QueryRuleConfig[], taken: ReadonlySet<string>): QueryRule[];
}

/**
 * The stage must never block ingest or detection: anomaly changes are queued and handled behind them, in order. The
 * sample lines of an anomaly are looked up by its sample record ids (`samplesOf`).
 */
export class AlertStage {
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Alerts raised so far by fingerprint (the latest state), for the API. */
  readonly recent = new Map<string, Alert>();
  /** Rules added through the API. */
  private apiRules: RulesFile = { version: 1, anomaly: [], query: [] };
  private configQueryRules: QueryRuleConfig[] = [];
  private runner: QueryRuleRunner | undefined;
  private checker: RuleChecker | undefined;

  private constructor(
    readonly outbox: Outbox, readonly dispatcher: Dispatcher, readonly silences: SilenceStore, readonly o: AlertStageOptions,
    private readonly dir: string, private readonly log: Logger, private readonly now: () => number,
    private readonly samplesOf: (ids: readonly string[]) => Promise<string[]>,
  ) {}

  static async open(dir: string, o: AlertStageOptions, receivers: readonly Receiver[], dispatcher: Dispatcher, silences: SilenceStore, outboxOptions: Partial<OutboxOptions>, sink: OutboxSink, log: Logger, now: () => number, samplesOf: (ids: readonly string[]) => Promise<string[]>): Promise<AlertStage> {
    checkRules(o.rules);
    await mkdir(dir, { recursive: true });
    const outbox = await Outbox.open(dir, outboxOptions, sink, now);
    for (const r of receivers) outbox.register(r);
    const stage = new AlertStage(outbox, dispatcher, silences, o, dir, log, now, samplesOf);
    await stage.load();
    outbox.kick();
    stage.schedule();
    stage.saveTimer = setInterval(() => { void stage.save().catch((err) => log.error({ err }, 'cannot save the alerting state; retried at the next interval')); }, o.snapshotIntervalMs);
    stage.saveTimer.unref();
    return stage;
  }

  private get file(): string { return join(this.dir, 'state.json'); }

  private async load(): Promise<void> {
    let text: string | undefined;
    try { text = await readFile(this.file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read the alerting state ${this.file}: ${errorMessage(err)}`, { cause: err });
    }
    if (text === undefined) return;
    try {
      const st = JSON.parse(text) as StateFile;
      if (st.version !== 1) throw new Error(`unknown version ${String(st.version)}`);
      this.silences.restore(st.silences);
      this.dispatcher.restore(st.dispatcher, this.now());
    } catch (err) {
      throw new StorageError(`cannot read the alerting state ${this.file}: ${errorMessage(err)}; move it away to start alerting afresh (open alert groups and silences are then forgotten)`, { cause: err });
    }
  }

  /** Saves the dispatcher's groups and the silences atomically. */
  async save(): Promise<void> {
    const st: StateFile = { version: 1, dispatcher: this.dispatcher.snapshot(), silences: this.silences.snapshot() };
    await writeFileDurably(this.file, JSON.stringify(st));
  }

  /** Anomalies that changed (opened, extended, resolved): those a rule matches become alerts. Returns at once. */
  onAnomalies(list: readonly Anomaly[]): void {
    const rules = this.anomalyRules();
    if (this.closed || rules.length === 0) return;
    const todo: { rule: AnomalyRule; a: Anomaly }[] = [];
    for (const a of list) for (const rule of rules) if (matches(rule, a)) todo.push({ rule, a });
    if (todo.length === 0) return;
    this.queue = this.queue.then(async () => {
      for (const { rule, a } of todo) {
        let samples: string[] = [];
        const ids = (a.evidence.sample_record_ids ?? []).slice(0, this.o.samples);
        if (ids.length > 0 && this.o.samples > 0) samples = await this.samplesOf(ids).catch((err: unknown) => { this.log.warn({ err }, 'cannot read an anomaly\'s sample lines; the alert goes without them'); return []; });
        const alert = alertOf(rule, a, this.o.externalURL, samples);
        // An anomaly that opened and resolved before alerting saw it (a backlog, a catch-up) still fires first.
        if (alert.status === 'resolved' && !this.recent.has(alert.fingerprint)) {
          const { endsAt: _ended, ...firing } = alert;
          this.dispatcher.add({ ...firing, status: 'firing' }, this.now());
          await this.tick();
        }
        this.recent.set(alert.fingerprint, alert);
        if (this.recent.size > 10_000) { const first = this.recent.keys().next(); if (first.done !== true) this.recent.delete(first.value); }
        this.dispatcher.add(alert, this.now());
      }
      await this.tick();
    }).catch((err: unknown) => this.log.error({ err }, 'alerting failed on changed anomalies'));
  }

  /** Adds an alert from elsewhere (the API, a query rule) and dispatches what is due. */
  async raise(alert: Alert): Promise<void> {
    const run = this.queue.then(async () => {
      this.recent.set(alert.fingerprint, alert);
      this.dispatcher.add(alert, this.now());
      await this.tick();
    });
    this.queue = run.catch((err: unknown) => this.log.error({ err }, 'alerting failed on a raised alert'));
    await run;
  }

  /** Sends what the dispatcher says is due now (queued durably first), then schedules the next due time. */
  private async tick(): Promise<void> {
    const due = this.dispatcher.tick(this.now());
    if (due.length > 0) {
      // The groups' state is saved with the notifications queued: a restart neither loses nor repeats them.
      await this.outbox.enqueue(due);
      await this.save().catch((err) => this.log.error({ err }, 'cannot save the alerting state'));
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.dispatcher.nextDueMs();
    if (next === undefined) return;
    this.timer = setTimeout(() => { this.queue = this.queue.then(() => this.tick()).catch((err: unknown) => this.log.error({ err }, 'alert dispatch failed')); }, Math.max(0, next - this.now()));
    this.timer.unref();
  }

  /** Creates a silence (validated; throws ValidationError listing the problems), saves it and dispatches again. */
  async createSilence(input: unknown): Promise<Silence> {
    const s = this.silences.create(input, this.now());
    await this.afterSilenceChange();
    return s;
  }

  /** Expires a silence now; undefined when there is none with that id. */
  async expireSilence(id: string): Promise<Silence | undefined> {
    const s = this.silences.expire(id, this.now());
    if (s) await this.afterSilenceChange();
    return s;
  }

  private async afterSilenceChange(): Promise<void> {
    this.queue = this.queue.then(async () => { await this.save(); await this.tick(); }).catch((err: unknown) => this.log.error({ err }, 'alerting failed after a silence changed'));
    await this.queue;
  }

  anomalyRules(): AnomalyRule[] { return [...this.o.rules, ...this.apiRules.anomaly]; }

  /** Every rule, where it comes from and its kind (for the API). */
  listRules(): { source: 'config' | 'api'; kind: 'anomaly' | 'query'; rule: AnomalyRule | QueryRuleConfig }[] {
    return [
      ...this.o.rules.map((rule) => ({ source: 'config' as const, kind: 'anomaly' as const, rule })),
      ...this.configQueryRules.map((rule) => ({ source: 'config' as const, kind: 'query' as const, rule })),
      ...this.apiRules.anomaly.map((rule) => ({ source: 'api' as const, kind: 'anomaly' as const, rule })),
      ...this.apiRules.query.map((rule) => ({ source: 'api' as const, kind: 'query' as const, rule })),
    ];
  }

  private names(): Set<string> { return new Set(this.listRules().map((r) => r.rule.name)); }

  /**
   * Starts query rules (the config's and those added through the API; they raise alerts through this stage); the
   * runner is stopped at close. `checker` validates rules added later through the API.
   */
  async startRules(runner: QueryRuleRunner, configQueryRules: QueryRuleConfig[], checker: RuleChecker): Promise<void> {
    this.runner = runner;
    this.configQueryRules = configQueryRules;
    this.checker = checker;
    let text: string | undefined;
    try { text = await readFile(join(this.dir, 'rules.json'), 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read the alert rules added through the API ${join(this.dir, 'rules.json')}: ${errorMessage(err)}`, { cause: err });
    }
    if (text !== undefined) {
      try {
        const saved = JSON.parse(text) as RulesFile;
        const anomaly = checker.anomaly([...this.o.rules, ...saved.anomaly]).slice(this.o.rules.length);
        const taken = new Set([...this.o.rules, ...configQueryRules, ...anomaly].map((r) => r.name));
        for (const q of checker.query(saved.query, taken)) runner.add(q);
        this.apiRules = { version: 1, anomaly, query: saved.query };
      } catch (err) {
        throw new StorageError(`the alert rules added through the API (${join(this.dir, 'rules.json')}) no longer load: ${errorMessage(err)}; fix or move the file`, { cause: err });
      }
    }
    runner.start();
  }

  /** Adds a rule through the API (validated like the config's; its name must be new), saved before it is used. */
  async addRule(kind: 'anomaly' | 'query', raw: unknown): Promise<void> {
    if (!this.checker || !this.runner) throw new ConfigError('rule', 'alerting is not running');
    const names = this.names();
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && names.has(name)) throw new ConfigError('rule.name', `a rule named "${name}" exists; remove it first or pick another name`);
    let next: RulesFile;
    let query: QueryRule | undefined;
    if (kind === 'anomaly') {
      const [rule] = this.checker.anomaly([raw as AnomalyRule]);
      next = { ...this.apiRules, anomaly: [...this.apiRules.anomaly, rule as AnomalyRule] };
    } else {
      [query] = this.checker.query([raw as QueryRuleConfig], names);
      next = { ...this.apiRules, query: [...this.apiRules.query, raw as QueryRuleConfig] };
    }
    await writeFileDurably(join(this.dir, 'rules.json'), JSON.stringify(next));
    this.apiRules = next;
    if (query) this.runner.add(query);
  }

  /** Removes a rule added through the API; false when there is none (a config rule cannot be removed here). */
  async removeRule(name: string): Promise<boolean> {
    if (this.o.rules.some((r) => r.name === name) || this.configQueryRules.some((r) => r.name === name)) {
      throw new ConfigError('rule.name', `"${name}" is defined in the config file (alerting.rules or alerting.queryRules); change it there`);
    }
    const next: RulesFile = { version: 1, anomaly: this.apiRules.anomaly.filter((r) => r.name !== name), query: this.apiRules.query.filter((r) => r.name !== name) };
    if (next.anomaly.length === this.apiRules.anomaly.length && next.query.length === this.apiRules.query.length) return false;
    await writeFileDurably(join(this.dir, 'rules.json'), JSON.stringify(next));
    const wasQuery = next.query.length !== this.apiRules.query.length;
    this.apiRules = next;
    if (wasQuery) await this.runner?.remove(name);
    return true;
  }

  /** Waits until what was handed to the stage is queued in the outbox. */
  async flush(): Promise<void> { await this.queue; await this.outbox.flush(); }

  async close(): Promise<void> {
    await this.runner?.stop();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.queue.catch(() => undefined);
    await this.save().catch((err) => this.log.error({ err }, 'cannot save the alerting state at close'));
    await this.outbox.close();
  }
}
