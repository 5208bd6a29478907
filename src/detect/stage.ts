// The detection stage: feeds durable batches to the runtime, ticks it while the stream is idle, stores anomalies.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StorageError, errorMessage } from '../errors.js';
import { writeFileDurably } from '../store/fsync.js';
import type { SerializedBatch } from '../intake/serialize.js';
import { durationOf, idOf } from '../intake/serialize.js';
import type { Anomaly } from '../model/anomaly.js';
import type { Validator } from '../model/schemas.js';
import type { LogStore } from '../store/log-store.js';
import { ensureAnomaliesTable, upsertAnomalies } from '../store/anomalies.js';
import type { DetectContext, DetectRecord } from './detector.js';
import { buildDetectors, runtimeOptions } from './registry.js';
import type { Config } from '../config.js';
import { sessionKeyExtractor, type SessionKeyOf } from './session-key.js';
import { DetectionRuntime, type RuntimeOptions, type RuntimeSnapshot } from './runtime.js';
import { AuthFailureClassifier, attributionOf } from './auth-failure.js';

/** The `detect` config section; `snapshotIntervalMs`: how often the state is saved (`<dataDir>/detect/state.json`). */
export type DetectOptions = Config['detect'];

interface StateFile { version: 1; lsn: number; runtime: RuntimeSnapshot }

const CATCH_UP_ROWS = 20_000;

/** Where the stage reports what operators watch (the metrics). */
/** `changed`: every anomaly opened, extended or resolved, as it changes (the alerting stage listens). */
export interface DetectSink { opened(a: Anomaly): void; late(n: number): void; changed?(list: readonly Anomaly[]): void }

/**
 * The stage must hand the runtime every durable record once, in LSN order, and must never block or fail ingest:
 * storing anomalies runs behind it, in order, and a failure is logged and retried with the next batch.
 */
export class DetectStage {
  readonly runtime: DetectionRuntime;
  private readonly auth = new AuthFailureClassifier();
  /** Session keys of records read back from the store (catch-up); live batches carry theirs from intake. */
  private readonly sessionKeyOf: SessionKeyOf | undefined;
  private pending: Anomaly[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastRecordAt = 0;
  private lateSeen = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  /** The highest LSN the runtime has observed (its state reflects every record up to it). */
  private observedLsn: number;
  private savedLsn: number;

  private constructor(
    private readonly store: LogStore, private readonly log: Logger, private readonly sink: DetectSink, runtime: DetectionRuntime,
    private readonly dir: string, savedLsn: number, private readonly opts: DetectOptions, private readonly ctx: DetectContext,
  ) {
    this.runtime = runtime;
    this.observedLsn = savedLsn;
    this.savedLsn = savedLsn;
    this.sessionKeyOf = opts.detectors.includes('session') ? sessionKeyExtractor(opts.sessions) : undefined;
  }

  /** Loads the saved detection state from `<dataDir>/detect/` (fresh detectors, in warm-up, when there is none). */
  static async open(store: LogStore, opts: DetectOptions, ctx: DetectContext, validator: Validator<Anomaly>, log: Logger, sink: DetectSink): Promise<DetectStage> {
    await ensureAnomaliesTable(store);
    const runtime = new DetectionRuntime(buildDetectors(opts), ctx, validator, runtimeOptions(opts));
    const dir = join(store.dir, 'detect');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'state.json');
    let lsn = 0;
    let text: string | undefined;
    try { text = await readFile(file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read the detection state ${file}: ${errorMessage(err)}`, { cause: err });
    }
    if (text !== undefined) {
      try {
        const state = JSON.parse(text) as StateFile;
        if (state.version !== 1 || typeof state.lsn !== 'number') throw new Error(`unknown format (version ${String(state.version)})`);
        runtime.restore(state.runtime);
        lsn = state.lsn;
      } catch (err) {
        throw new StorageError(`cannot read the detection state ${file}: ${errorMessage(err)}; move the file away to start the detectors afresh (they learn again)`, { cause: err });
      }
    }
    return new DetectStage(store, log, sink, runtime, dir, lsn, opts, ctx);
  }

  /**
   * Observes, in LSN order, the stored records after the saved state's LSN up to `lastLsn` (a crash kept them from being
   * saved), then saves. `relation` holds every stored record. Without saved state only the last hour is observed.
   */
  async catchUp(relation: string, lastLsn: number, now: Date): Promise<number> {
    let from = Math.min(this.savedLsn, lastLsn), n = 0;
    const firstRun = this.savedLsn === 0;
    for (;;) {
      const rows = await this.store.query(
        `SELECT lsn, service, level, template_id, message, ip_address, user_id, host, trace_id, span_id, source, metadata, replace(CAST(timestamp AS VARCHAR), ' ', 'T') || 'Z' AS ts FROM ${relation}
         WHERE lsn > $1 AND lsn <= $2 AND template_id IS NOT NULL ${firstRun ? 'AND timestamp >= CAST($3 AS TIMESTAMP_NS)' : ''} ORDER BY lsn LIMIT ${CATCH_UP_ROWS}`,
        firstRun ? [from, lastLsn, new Date(now.getTime() - 3_600_000).toISOString()] : [from, lastLsn],
      );
      for (const r of rows) {
        const tsMs = Date.parse(String(r.ts));
        if (Number.isNaN(tsMs)) continue;
        const templateId = String(r.template_id);
        const message = String(r.message);
        const authFailure = this.auth.isFailure(templateId, () => this.ctx.templateText(templateId), message);
        let ip = r.ip_address === null || r.ip_address === undefined ? '' : String(r.ip_address), user = r.user_id === null || r.user_id === undefined ? '' : String(r.user_id);
        if (authFailure && (ip === '' || user === '')) { const a = attributionOf(message); ip ||= a.ip; user ||= a.user; }
        const d = durationOf({ metadata: (r.metadata ?? undefined) as Record<string, unknown> | undefined }, this.opts.latencyFields);
        const session = this.sessionKeyOf?.({ ...r, message } as { message: string });
        this.runtime.observe({ tsMs, service: String(r.service), level: String(r.level), templateId, id: idOf(Number(r.lsn)), authFailure, ip, user, ...(Number.isNaN(d) ? {} : { durationMs: d }), ...(session && session.key !== '' ? { sessionKey: session.key, sessionEnd: session.end } : {}) });
      }
      n += rows.length;
      this.store_(this.runtime.advance());
      const last = rows[rows.length - 1];
      if (!last || rows.length < CATCH_UP_ROWS) break;
      from = Number(last.lsn);
    }
    this.observedLsn = lastLsn;
    if (n > 0) this.log.info({ records: n, fromLsn: this.savedLsn }, 'detectors caught up with records stored after their last save');
    await this.save();
    return n;
  }

  /** Saves the state (atomically) as of the LSN observed so far; skipped when nothing was observed since. */
  async save(): Promise<void> {
    if (this.observedLsn === this.savedLsn && this.savedLsn !== 0) return;
    const lsn = this.observedLsn;
    const state: StateFile = { version: 1, lsn, runtime: this.runtime.snapshot() };
    const run = (async () => {
      const file = join(this.dir, 'state.json');
      try {
        await writeFileDurably(file, JSON.stringify(state));
        this.savedLsn = lsn;
      } catch (err) {
        throw new StorageError(`cannot save the detection state in ${this.dir}: ${errorMessage(err)}`, { cause: err });
      }
    })();
    this.saving = run.finally(() => { this.saving = undefined; });
    return run;
  }

  /** Observes a durable batch's records (synchronous), then closes the windows its event time passed. */
  observeBatch(batch: SerializedBatch, firstLsn: number): void {
    const { services, times, levels, messages, ips, users, durations, sessions } = batch.mine;
    const ids = batch.templateIds;
    if (!ids) return;
    // One record object reused for the whole batch (the runtime copies what it keeps): no allocation per record.
    const r: DetectRecord = { tsMs: 0, service: '', level: '', templateId: '' };
    let templateId = '';
    const text = () => this.ctx.templateText(templateId);
    for (let i = 0; i < batch.accepted; i++) {
      const tsMs = times[i] as number;
      if (Number.isNaN(tsMs)) continue;
      templateId = ids[i] as string;
      const message = messages[i] as string;
      const authFailure = this.auth.isFailure(templateId, text, message);
      let ip = ips[i] as string, user = users[i] as string;
      if (authFailure && (ip === '' || user === '')) { const a = attributionOf(message); ip ||= a.ip; user ||= a.user; }
      const d = durations[i] as number;
      const sessionKey = sessions?.keys[i];
      r.tsMs = tsMs; r.service = services[i] as string; r.level = levels[i] as string; r.templateId = templateId; r.id = idOf(firstLsn + i);
      r.authFailure = authFailure; r.ip = ip; r.user = user;
      r.durationMs = Number.isNaN(d) ? undefined : d;
      r.sessionKey = sessionKey === '' ? undefined : sessionKey;
      r.sessionEnd = sessions?.ends[i] === true;
      this.runtime.observe(r);
    }
    this.observedLsn = Math.max(this.observedLsn, firstLsn + batch.accepted - 1);
    this.lastRecordAt = performance.now();
    this.store_(this.runtime.advance());
  }

  /**
   * While the stream is idle for a whole window, the wall clock moves the watermark (so a service that went silent
   * is noticed even when nothing else logs). `now` is the injected clock.
   */
  start(now: () => Date): void {
    const { windowMs, allowedLatenessMs } = this.runtime.opts;
    this.timer = setInterval(() => {
      if (performance.now() - this.lastRecordAt < windowMs) return;
      this.store_(this.runtime.advanceTo(now().getTime() - allowedLatenessMs));
    }, Math.max(1000, Math.floor(windowMs / 4)));
    this.timer.unref();
    this.saveTimer = setInterval(() => {
      if (this.saving) return;
      void this.save().catch((err) => this.log.error({ err }, 'cannot save the detection state; retried at the next interval'));
    }, this.opts.snapshotIntervalMs);
    this.saveTimer.unref();
  }

  private store_(changed: Anomaly[]): void {
    const late = this.runtime.stats.late;
    if (late !== this.lateSeen) { this.sink.late(late - this.lateSeen); this.lateSeen = late; }
    const span = this.runtime.opts.windowMs;
    for (const a of changed) if (a.status === 'open' && Date.parse(a.window_end) - Date.parse(a.window_start) === span) this.sink.opened(a);
    if (changed.length > 0 && this.sink.changed) {
      try { this.sink.changed(changed); } catch (err) { this.log.error({ err }, 'alerting failed on changed anomalies; they are stored'); }
    }
    this.pending.push(...changed);
    this.kick();
  }

  /** Schedules a write of what is pending, behind the writes before it. */
  private kick(): void {
    if (this.pending.length === 0) return;
    this.writing = this.writing.then(async () => {
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      try {
        await upsertAnomalies(this.store, batch);
      } catch (err) {
        this.pending.unshift(...batch); // kept, in order, for the next write
        this.log.error({ err, anomalies: batch.length }, 'cannot store anomalies; retried with the next ones');
      }
    });
  }

  /** Waits until every anomaly found so far is stored (or its write failed and was logged). */
  async flush(): Promise<void> {
    this.kick();
    await this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.flush().catch((err) => this.log.error({ err }, 'cannot store the last anomalies'));
    await this.saving?.catch(() => undefined);
    await this.save().catch((err) => this.log.error({ err }, 'cannot save the detection state at close; the detectors catch up from the store at the next start'));
  }
}
