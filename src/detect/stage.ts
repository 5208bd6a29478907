// The detection stage: feeds durable batches to the runtime, ticks it while the stream is idle, stores anomalies.
import type { Logger } from 'pino';
import type { SerializedBatch } from '../intake/serialize.js';
import { idOf } from '../intake/serialize.js';
import type { Anomaly } from '../model/anomaly.js';
import type { Validator } from '../model/schemas.js';
import type { LogStore } from '../store/log-store.js';
import { ensureAnomaliesTable, upsertAnomalies } from '../store/anomalies.js';
import type { DetectContext } from './detector.js';
import { detectors, type DetectorType } from './registry.js';
import { DetectionRuntime, type RuntimeOptions } from './runtime.js';

export interface DetectOptions extends Pick<RuntimeOptions, 'windowMs' | 'allowedLatenessMs' | 'resolveAfterWindows'> {
  enabled: boolean;
  detectors: DetectorType[];
}

/** Where the stage reports what operators watch (the metrics). */
export interface DetectSink { opened(a: Anomaly): void; late(n: number): void }

/**
 * The stage must hand the runtime every durable record once, in LSN order, and must never block or fail ingest:
 * storing anomalies runs behind it, in order, and a failure is logged and retried with the next batch.
 */
export class DetectStage {
  readonly runtime: DetectionRuntime;
  private pending: Anomaly[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastRecordAt = 0;
  private lateSeen = 0;

  private constructor(private readonly store: LogStore, private readonly log: Logger, private readonly sink: DetectSink, runtime: DetectionRuntime) {
    this.runtime = runtime;
  }

  static async open(store: LogStore, opts: DetectOptions, ctx: DetectContext, validator: Validator<Anomaly>, log: Logger, sink: DetectSink): Promise<DetectStage> {
    await ensureAnomaliesTable(store);
    const runtime = new DetectionRuntime(opts.detectors.map((t) => detectors[t]()), ctx, validator, opts);
    return new DetectStage(store, log, sink, runtime);
  }

  /** Observes a durable batch's records (synchronous), then closes the windows its event time passed. */
  observeBatch(batch: SerializedBatch, firstLsn: number): void {
    const { services, timestamps, levels } = batch.mine;
    const ids = batch.templateIds;
    if (!ids) return;
    for (let i = 0; i < batch.accepted; i++) {
      const tsMs = Date.parse(timestamps[i] as string);
      if (Number.isNaN(tsMs)) continue;
      this.runtime.observe({ tsMs, service: services[i] as string, level: levels[i] as string, templateId: ids[i] as string, id: idOf(firstLsn + i) });
    }
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
  }

  private store_(changed: Anomaly[]): void {
    const late = this.runtime.stats.late;
    if (late !== this.lateSeen) { this.sink.late(late - this.lateSeen); this.lateSeen = late; }
    const span = this.runtime.opts.windowMs;
    for (const a of changed) if (a.status === 'open' && Date.parse(a.window_end) - Date.parse(a.window_start) === span) this.sink.opened(a);
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
    await this.flush().catch((err) => this.log.error({ err }, 'cannot store the last anomalies'));
  }
}
