// The composition root: builds every stage from config and wires collect -> normalize -> store (-> detect -> alert).
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { createMetrics, type Metrics } from './metrics.js';
import { schemaValidators } from './model/schemas.js';
import { Intake, type DeadLetter, type IntakeContext } from './intake/intake.js';
import { IntakePool } from './intake/pool.js';
import type { SerializedBatch } from './intake/serialize.js';
import { checkNormalizeOptions } from './normalize/index.js';
import { LogStore } from './store/log-store.js';
import { Wal } from './store/wal.js';
import { WritePath, type WriteResult } from './store/write-path.js';
import { applyRetention, listParts, recoverSeal, relationSql, sealClosedDays, type PartFile } from './store/partitions.js';
import { rejectReasons } from './normalize/reasons.js';
import { listDeadLetters, markReplay, type DeadLetterFilter } from './store/dead-letters.js';
import { PatternStage } from './patterns/stage.js';
import { patternsOptions } from './patterns/options.js';
import { DetectStage } from './detect/stage.js';
import { templateText } from './patterns/miner.js';
import type { Anomaly } from './model/anomaly.js';
import { AlertStage } from './alert/stage.js';
import { createReceiver, validateReceiverConfigs } from './alert/receivers/registry.js';
import { buildRoute, defaultRouteConfig } from './alert/route.js';
import { buildInhibitRules } from './alert/inhibit.js';
import { SilenceStore } from './alert/silences.js';
import { Dispatcher } from './alert/dispatcher.js';
import type { AnomalyRule } from './alert/rules.js';
import { QueryRuleRunner, checkAggregateQuery, parseQueryRules, ruleChecker } from './alert/query-rules.js';
import { compileQuery, parseQuery } from './query/index.js';
import type { ItemError, Source, SourceBatch, SourceContext, SourceIngestResult } from './collect/source.js';
import { buildSources } from './collect/registry.js';
import './collect/sources-all.js';

export interface IngestSummary extends WriteResult { skipped: number; reasons: Record<string, number> }

/** What one source has done since start: `GET /api/v1/sources` and `logsift status`. */
export interface SourceStats {
  name: string; type: string; batches: number; received: number; accepted: number; rejected: number;
  rejected_by_reason: Record<string, number>; bytes: number; dropped: Record<string, number>; last_received_at: string | null;
}

const emptySummary = (): IngestSummary => ({ accepted: 0, rejected: 0, firstLsn: 0, lastLsn: 0, skipped: 0, reasons: {} });

/** Everything a running logsift has; api/, cli/ and tests talk to this, never to the stages' internals. */
export class Engine {
  private parts: PartFile[] = [];
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly metrics: Metrics,
    readonly store: LogStore,
    readonly writePath: WritePath,
    readonly intake: Intake,
    readonly pool: IntakePool,
    readonly patterns: PatternStage,
    readonly detect: DetectStage | undefined,
    readonly alerts: AlertStage | undefined,
    /** Injected clock: tests pass a fixed one. */
    readonly now: () => Date,
    /** The configured sources (collect/registry.ts); HTTP ones add routes in buildServer, the others start in startSources. */
    readonly sources: readonly Source[],
  ) {}

  private readonly stats = new Map<string, SourceStats>();

  /** The counters of one source (created on first use; `http` and `cli` are the built-in NDJSON route and CLI). */
  sourceStats(name: string, type = name): SourceStats {
    let s = this.stats.get(name);
    if (!s) {
      s = { name, type, batches: 0, received: 0, accepted: 0, rejected: 0, rejected_by_reason: {}, bytes: 0, dropped: {}, last_received_at: null };
      this.stats.set(name, s);
    }
    return s;
  }

  /** Every source's counters and status, configured ones first. */
  sourcesStatus(): (SourceStats & { status?: Record<string, unknown> })[] {
    for (const src of this.sources) this.sourceStats(src.name, src.type);
    return [...this.stats.values()].map((s) => {
      const src = this.sources.find((x) => x.name === s.name);
      const status = src?.status?.();
      return { ...s, rejected_by_reason: { ...s.rejected_by_reason }, dropped: { ...s.dropped }, ...(status ? { status } : {}) };
    });
  }

  /** The context a source works in: ingest under its own name, backpressure, drop counters. */
  sourceContext(src: Source): SourceContext {
    const stats = this.sourceStats(src.name, src.type);
    return {
      log: this.log.child({ source: src.name }),
      ingest: (b: SourceBatch) => this.ingestFrom(src.name, b),
      overloaded: (extra = 0) => {
        const why = this.overloaded(extra);
        if (why) this.metrics.overloaded.inc({ reason: why });
        return why;
      },
      retryAfterSeconds: this.config.server.retryAfterSeconds,
      limits: { maxBodyBytes: this.config.server.maxBodyBytes, maxDecompressedBytes: this.config.server.maxDecompressedBytes },
      dropped: (reason, n = 1) => {
        stats.dropped[reason] = (stats.dropped[reason] ?? 0) + n;
        this.metrics.sourceDropped.inc({ source: src.name, reason }, n);
      },
      reserve: (bytes) => {
        this.inflightBytes += bytes;
        let done = false;
        return () => { if (!done) { done = true; this.inflightBytes -= bytes; } };
      },
      now: this.now,
      stateDir: join(this.store.dir, 'sources', src.name),
      lastLsn: () => this.writePath.lastLsn,
      storedAfter: (lsn) => this.storedAfter(src.name, lsn),
    };
  }

  /** Whether a record or dead letter of `source` is stored with an LSN above `lsn` (what the WAL held is loaded at open). */
  async storedAfter(source: string, lsn: number): Promise<boolean> {
    const rows = await this.store.query(
      `SELECT EXISTS (SELECT 1 FROM ${this.relation()} WHERE source = $1 AND lsn > $2)
           OR EXISTS (SELECT 1 FROM dead_letters WHERE source = $1 AND lsn > $2) AS landed`,
      [source, BigInt(lsn)],
    );
    return rows[0]?.landed === true;
  }

  /** A source's batch: normalized and stored under the source's name; a body that does not decode is one dead letter. */
  async ingestFrom(source: string, b: SourceBatch): Promise<SourceIngestResult> {
    const ctx = { receivedAt: b.receivedAt ?? this.now(), source, ...(b.service ? { service: b.service } : {}) };
    const r = await this.ingest(b.format, b.body, ctx, b.decoderOptions);
    return {
      accepted: r.accepted, rejected: r.rejected, skipped: r.skipped, reasons: r.reasons, itemErrors: r.itemErrors ?? [],
      ...(r.items !== undefined ? { items: r.items } : {}), ...(r.decoded !== undefined ? { decoded: r.decoded } : {}),
      ...(r.jsonError !== undefined ? { decodeError: r.jsonError } : {}),
    };
  }

  /** Starts the sources that listen or read (syslog, file tail ...); HTTP protocol sources are routes of the server. */
  async startSources(): Promise<void> {
    for (const src of this.sources) {
      if (!src.start) continue;
      await src.start(this.sourceContext(src));
      // With its status, so a listener's actual port (port 0 in tests) is in the log.
      this.log.info({ ...src.status?.(), source: src.name, type: src.type }, 'source started');
    }
  }

  static async open(config: Config, opts: { logger?: Logger; now?: () => Date } = {}): Promise<Engine> {
    const log = opts.logger ?? pino({ level: config.log.level, base: { app: 'logsift' } });
    const dataDir = resolve(config.dataDir);
    const metrics = createMetrics();
    // JSON escaping can grow a line up to 6x (control characters become \u00XX).
    const maxWalLineBytes = 6 * config.normalize.maxLineBytes + Math.ceil((config.normalize.maxDeadLetterBytes * 4) / 3) + 65536;
    const store = await LogStore.open(dataDir, { ...config.store, maxWalLineBytes });
    await recoverSeal(store);
    const { wal, existing, corrupt, repair } = await Wal.open(join(dataDir, 'wal'), config.wal);
    const patterns = await PatternStage.open(store, patternsOptions(config.patterns), log, {
      evicted: (n) => metrics.templateEvictions.inc(n), templates: (n) => metrics.templates.set(n),
    });
    const writePath = new WritePath(wal, store, metrics, log, { flushIntervalMs: config.wal.flushIntervalMs, idleFlushMs: config.wal.idleFlushMs, maxPendingBytes: config.server.maxPendingBytes, maxDeadLetterBytes: config.normalize.maxDeadLetterBytes }, { segments: existing });
    checkNormalizeOptions(config.normalize);
    const window = { maxAgeSeconds: config.store.retentionDays * 86_400, maxFutureSeconds: config.normalize.maxFutureSeconds };
    const intake = new Intake(config.normalize, schemaValidators().log, window);
    const sessionsOn = config.detect.enabled && config.detect.detectors.includes('session') && (config.detect.sessions.keyRegex !== null || config.detect.sessions.keyField !== null);
    const pool = new IntakePool({ normalize: config.normalize, maxDeadLetterBytes: config.normalize.maxDeadLetterBytes, window, durationFields: config.detect.latencyFields, ...(sessionsOn ? { sessions: config.detect.sessions } : {}) }, config.server.ingestWorkers);
    // Template ids are stamped in the same synchronous step as LSNs, so mining follows WAL order exactly.
    writePath.beforeStamp = (batch) => patterns.stamp(batch);
    // Detectors see each durable batch, in LSN order, with its template ids.
    const clock = opts.now ?? (() => new Date());
    // Query rules are checked before anything opens further: a bad one stops the start naming the rule and the key.
    const queryRules = parseQueryRules(config.alerting.queryRules, checkAggregateQuery, new Set(config.alerting.rules.map((r) => r.name)));
    let parts: () => PartFile[] = () => [];
    // An anomaly's sample records are durable in the WAL but may not be loaded into the store yet: load, then read.
    const samplesOf = async (ids: readonly string[]): Promise<string[]> => {
      const read = () => store.query(`SELECT message FROM ${relationSql(parts())} WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY timestamp`, [...ids]);
      let rows = await read();
      if (rows.length < ids.length) { await writePath.flush(); rows = await read(); }
      return rows.map((r) => String(r.message));
    };
    const alerts = await openAlerting(config, join(dataDir, 'alerts'), log, metrics, () => clock().getTime(), samplesOf);
    const detect = config.detect.enabled ? await DetectStage.open(store, config.detect, {
      templateText: (id) => { const t = patterns.miner.get(id); return t ? templateText(t) : undefined; },
    }, schemaValidators().anomaly, log, {
      opened: (a) => metrics.anomalies.inc({ type: a.anomaly_type, severity: a.severity }), late: (n) => metrics.lateRecords.inc(n),
      ...(alerts ? { changed: (list: readonly Anomaly[]) => alerts.onAnomalies(list) } : {}),
    }) : undefined;
    if (detect) {
      // The batch is durable and will be acknowledged whatever happens here: a detector failure must not turn it into
      // an error for the client.
      writePath.afterDurable = (batch, firstLsn) => {
        try { detect.observeBatch(batch, firstLsn); } catch (err) { log.error({ err, firstLsn }, 'detection failed on a stored batch; its records are kept'); }
      };
    }
    // Sources are built (and their options validated) before anything is written, so a bad one stops the start.
    const sources = buildSources(config.sources);
    const engine = new Engine(config, log, metrics, store, writePath, intake, pool, patterns, detect, alerts, clock, sources);
    parts = () => engine.parts;
    if (existing.length > 0) log.info({ segments: existing.length, appliedLsn: store.appliedLsn }, 'replaying write-ahead log');
    if (corrupt.length > 0) {
      log.warn({ lines: corrupt.length }, 'write-ahead log held unreadable lines; they are moved to the dead-letter store');
      const dl: DeadLetter[] = corrupt.map((c) => ({ reason: 'wal_corrupt', error: `${rejectReasons.wal_corrupt} (segment ${c.segment})`, raw: c.raw }));
      await writePath.write([], dl, 'wal_recovery', engine.now());
    }
    // Only now that the unreadable lines are durable as dead letters are they taken out of their segments.
    await repair();
    await writePath.flush();
    engine.parts = await listParts(join(dataDir, 'parts'));
    // Records stored after the miner's last save (a crash) are mined again, in LSN order, before any new one.
    await patterns.catchUp(relationSql(engine.parts), writePath.lastLsn);
    await detect?.catchUp(relationSql(engine.parts), writePath.lastLsn, engine.now());
    patterns.start(() => writePath.lastLsn);
    detect?.start(engine.now);
    writePath.start();
    engine.maintenanceTimer = setInterval(() => { void engine.maintain().catch((err) => log.error({ err }, 'maintenance failed')); }, config.store.maintenanceIntervalMs);
    engine.maintenanceTimer.unref();
    if (alerts) {
      const rules = queryRules;
      const evaluate = async (q: string, startMs: number, endMs: number) => {
        const c = compileQuery(parseQuery(q), { relation: engine.relation(), now: new Date(endMs), defaultLimit: config.query.defaultLimit, maxLimit: config.query.maxLimit, start: new Date(startMs), end: new Date(endMs) });
        return store.query(c.sql, c.params);
      };
      const link = (q: string, startMs: number, endMs: number) => `${alerts.o.externalURL.replace(/\/+$/, '')}/#/search?${new URLSearchParams({ q, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }).toString()}`;
      await alerts.startRules(new QueryRuleRunner(rules, evaluate, (a) => alerts.raise(a), () => clock().getTime(), link, (rule, err) => log.error({ err, rule }, 'a query rule failed to evaluate; retried at its next interval')), config.alerting.queryRules, ruleChecker);
    }
    return engine;
  }

  /**
   * Ingests a body: `lines` is newline-separated records in any mix of formats, `json` one JSON object or an array,
   * any other kind the name of a protocol decoder (collect/decoders.ts). Normalization runs on the intake workers;
   * resolves after the batch is durable. For a body that does not parse or decode, the body is kept whole as one dead
   * letter (when within normalize.maxDeadLetterBytes) and `jsonError` says why.
   */
  async ingest(kind: string, body: Buffer, ctx: IntakeContext, decoderOptions?: unknown): Promise<IngestSummary & { jsonError?: string; items?: number; itemErrors?: ItemError[]; decoded?: unknown }> {
    const size = body.length;
    this.metrics.ingestBytes.inc({ source: ctx.source }, size);
    const stats = this.sourceStats(ctx.source);
    stats.batches++;
    stats.bytes += size;
    stats.last_received_at = ctx.receivedAt.toISOString();
    const count = <T extends IngestSummary>(s: T): T => {
      stats.accepted += s.accepted;
      stats.rejected += s.rejected;
      stats.received += s.accepted + s.rejected;
      for (const [k, n] of Object.entries(s.reasons)) stats.rejected_by_reason[k] = (stats.rejected_by_reason[k] ?? 0) + n;
      return s;
    };
    const out = await this.pool.run({ kind, body, receivedAtMs: ctx.receivedAt.getTime(), source: ctx.source, ...(ctx.service ? { service: ctx.service } : {}), ...(decoderOptions !== undefined ? { decoderOptions } : {}) });
    if (!out.ok) {
      const what = kind === 'json' ? 'cannot parse JSON body' : `cannot decode the ${kind} body`;
      if (body.length > this.config.normalize.maxDeadLetterBytes) {
        stats.rejected_by_reason.unparseable_not_kept = (stats.rejected_by_reason.unparseable_not_kept ?? 0) + 1;
        return { ...emptySummary(), jsonError: out.jsonError };
      }
      const s = await this.deadLetterBody(body, { reason: 'unparseable', error: `${what}: ${out.jsonError}` }, ctx);
      return count({ ...s, jsonError: out.jsonError });
    }
    const s = await this.commit(out.batch, ctx.source);
    return count({ ...s, ...(out.items !== undefined ? { items: out.items } : {}), ...(out.itemErrors ? { itemErrors: out.itemErrors } : {}), ...(out.decoded !== undefined ? { decoded: out.decoded } : {}) });
  }

  /** Bytes of request bodies being received or processed (reserved by the HTTP ingest route). */
  inflightBytes = 0;

  /** Why ingest should back off now (a reason code), counting `extraBytes` about to be read; undefined when it may go on. */
  overloaded(extraBytes = 0): string | undefined {
    if (this.inflightBytes + extraBytes > this.config.server.maxPendingBytes) return 'inflight_bytes';
    return this.writePath.overloaded(this.pool.pendingBytes);
  }

  /** Dead-letters a whole body that could not be split into records (e.g. truncated JSON). */
  deadLetterBody(body: Buffer, dl: Omit<DeadLetter, 'raw'>, ctx: IntakeContext): Promise<IngestSummary> {
    return this.writePath.write([], [{ ...dl, raw: body }], ctx.source, ctx.receivedAt, ctx.service).then((w) => ({ ...w, skipped: 0, reasons: { [dl.reason]: 1 } }));
  }

  private async commit(batch: SerializedBatch, source: string): Promise<IngestSummary> {
    const w = await this.writePath.append(batch, source);
    return { ...w, skipped: batch.skipped, reasons: batch.reasons };
  }

  /**
   * Replays dead letters through the current configuration. An entry is replayed whole or not at all: when any of
   * its lines still fails, nothing of it is written and the entry keeps the new reason. Marked after the write, so a
   * crash in between can replay an entry twice but never lose it.
   */
  async replayDeadLetters(f: Omit<DeadLetterFilter, 'includeReplayed'>): Promise<{ replayed: number; failed: number; records: number; stoppedEarly: boolean }> {
    await this.flush();
    const entries = await listDeadLetters(this.store, { ...f, includeReplayed: false });
    let replayed = 0, failed = 0, records = 0;
    for (const e of entries) {
      // Replay competes with live ingest: it yields when the write path is behind, and says so.
      if (this.overloaded()) return { replayed, failed, records, stoppedEarly: true };
      const now = this.now();
      if (e.original_bytes > e.size) {
        // Only the head of the input was kept: replaying it would store a cut record as if it were whole.
        failed++;
        const why = `only ${e.size} of ${e.original_bytes} bytes were kept, so it cannot be replayed`;
        await markReplay(this.store, e.id, { ok: false, reason: e.reason, error: e.error.includes(why) ? e.error : `${e.error}; ${why}` });
        continue;
      }
      // The entry's own context: when it arrived (timestamps inferred from it, year-less syslog dates) and the
      // service its request named.
      const receivedAt = new Date(e.received_at);
      const r = this.intake.lines(Buffer.from(e.raw_base64, 'base64'), {
        receivedAt: Number.isNaN(receivedAt.getTime()) ? now : receivedAt, source: e.source, ...(e.service_hint ? { service: e.service_hint } : {}),
      });
      const firstBad = r.deadLetters[0];
      if (firstBad || r.records.length === 0) {
        failed++;
        await markReplay(this.store, e.id, { ok: false, reason: firstBad?.reason ?? 'missing_message', error: firstBad?.error ?? 'the entry holds no record' });
        continue;
      }
      await this.writePath.write(r.records, [], e.source, now);
      await markReplay(this.store, e.id, { ok: true, at: now });
      replayed++;
      records += r.records.length;
    }
    return { replayed, failed, records, stoppedEarly: false };
  }

  /** The SQL relation queries read: hot table plus sealed Parquet parts. */
  relation(): string {
    return relationSql(this.parts);
  }

  partFiles(): readonly PartFile[] {
    return this.parts;
  }

  /** Makes everything written so far queryable (seals the WAL segment and loads it). */
  async flush(): Promise<void> {
    await this.writePath.flush();
    await this.detect?.flush();
    await this.alerts?.flush();
  }

  private maintaining: Promise<unknown> = Promise.resolve();

  /**
   * Seals closed days into Parquet and applies retention; runs on a timer and from `logsift export`. Runs one at a
   * time: a call while one runs waits for it (two seals of one day at once would collide in the staging directory).
   */
  maintain(): Promise<{ sealed: string[]; dropped: string[] }> {
    const run = this.maintaining.then(() => this.maintainOnce());
    this.maintaining = run.catch(() => undefined);
    return run;
  }

  private async maintainOnce(): Promise<{ sealed: string[]; dropped: string[] }> {
    const now = this.now();
    const opts = { sealAfterHours: this.config.store.sealAfterHours, retentionDays: this.config.store.retentionDays, maxTotalBytes: this.config.store.maxTotalBytes };
    await this.flush();
    const partsDir = join(this.store.dir, 'parts');
    const hooks = {
      sealed: async () => { this.parts = await listParts(partsDir); },
      dropping: (date: string) => { this.parts = this.parts.filter((p) => p.date !== date); },
      overBound: (bytes: number) => this.log.warn({ bytes, maxTotalBytes: opts.maxTotalBytes },
        'the DuckDB file and WAL alone are over store.maxTotalBytes: no sealed day is dropped for size; raise the bound or lower store.retentionDays'),
    };
    const sealed = await sealClosedDays(this.store, now, opts, hooks);
    const dropped = await applyRetention(this.store, now, opts, hooks);
    this.parts = await listParts(join(this.store.dir, 'parts'));
    this.metrics.partsBytes.set(this.parts.reduce((n, p) => n + p.bytes, 0));
    this.metrics.storeBytes.set(await this.store.dbBytes());
    if (sealed.length || dropped.length) this.log.info({ sealed, dropped }, 'partitions maintained');
    return { sealed, dropped };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    // Sources stop first: nothing new arrives while the write path drains.
    for (const src of this.sources) await src.stop?.().catch((err: unknown) => this.log.error({ err, source: src.name }, 'a source failed to stop cleanly'));
    await this.pool.close();
    await this.writePath.close();
    await this.detect?.close();
    await this.alerts?.close();
    await this.patterns.close(this.writePath.lastLsn).catch((err) => this.log.error({ err }, 'cannot save the template miner state at close; it catches up from the store at the next start'));
    await this.store.close();
  }
}

/**
 * Builds alerting from the `alerting` section (receivers, route, inhibition, silences, rules, outbox), or undefined
 * when it is off or has no receiver. Every part is validated here: a bad key stops the start naming it.
 */
async function openAlerting(config: Config, dir: string, log: Logger, metrics: Metrics, now: () => number, samplesOf: (ids: readonly string[]) => Promise<string[]>): Promise<AlertStage | undefined> {
  const c = config.alerting;
  if (!c.enabled) return undefined;
  const receiverConfigs = validateReceiverConfigs(c.receivers);
  if (receiverConfigs.length === 0) {
    if (c.rules.length > 0) log.warn('alerting.rules are set but alerting.receivers is empty: no alert is sent');
    return undefined;
  }
  const names = receiverConfigs.map((r) => r.name);
  const route = buildRoute(c.route ?? defaultRouteConfig(names[0] as string), names);
  const inhibit = buildInhibitRules(c.inhibitRules);
  const silences = new SilenceStore();
  const externalURL = c.externalURL ?? `${config.server.tls.certFile ? 'https' : 'http'}://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  const dispatcher = new Dispatcher(route, inhibit, silences, { externalURL });
  const sink = {
    attempt: (receiver: string, ok: boolean, ms: number) => { metrics.alertAttempts.inc({ receiver, result: ok ? 'ok' : 'error' }); metrics.alertAttemptSeconds.observe({ receiver }, ms / 1000); },
    ended: (receiver: string, state: 'delivered' | 'failed') => metrics.alertDeliveries.inc({ receiver, state }),
  };
  return AlertStage.open(dir, { rules: c.rules as AnomalyRule[], externalURL, samples: c.samples, snapshotIntervalMs: c.snapshotIntervalMs },
    receiverConfigs.map((r) => createReceiver(r)), dispatcher, silences, c.outbox, sink, log, now, samplesOf);
}
