// The durable write path: assigns LSNs, appends records and dead letters to the WAL, and loads sealed segments into the store.
import type { Logger } from 'pino';
import type { LogRecordInput } from '../model/log-record.js';
import type { DeadLetter } from '../intake/intake.js';
import { serializeBatch, stampLsns, type SerializedBatch } from '../intake/serialize.js';
import type { Metrics } from '../metrics.js';
import { errorMessage } from '../errors.js';
import type { LogStore } from './log-store.js';
import type { Segment, Wal } from './wal.js';
import { isDataError, salvageSegment } from './salvage.js';

export interface WritePathOptions {
  /** How often the current WAL segment is sealed and loaded into the store (upper bound on time until queryable). */
  flushIntervalMs: number;
  /** When no write arrived for this long, what is written is loaded at once instead of at the next interval (0: off). */
  idleFlushMs: number;
  /** Bytes buffered for the WAL plus sealed-but-unloaded segments above which writers are told to back off. */
  maxPendingBytes: number;
  /** Raw bytes kept per dead letter; longer input is cut to this size and the entry says so. */
  maxDeadLetterBytes: number;
}

export interface WriteResult { accepted: number; rejected: number; firstLsn: number; lastLsn: number }


/**
 * `write` must resolve only once every line it was given is durable in the WAL; a record it acknowledged must reach
 * the store exactly once, also across crashes (the store skips LSNs it has already applied).
 */
export class WritePath {
  private nextLsn: number;
  private backlog: Segment[] = [];
  private backlogBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private lastLoadError: string | undefined;
  /**
   * Called with each batch just before its LSNs are stamped, in the same synchronous step, so whatever it computes
   * (template ids) follows LSN order exactly. It must not await and may only write into the batch's own slots.
   */
  beforeStamp: ((batch: SerializedBatch) => void) | undefined;
  /**
   * Called once a batch is durable, with its first LSN: detectors read it here. Group commits resolve their writers in
   * append order, so batches arrive here in LSN order; a batch that failed to become durable never arrives.
   */
  afterDurable: ((batch: SerializedBatch, firstLsn: number) => void) | undefined;
  /** Called after each segment is committed to the store, with the LSN range now visible (for detectors and tail). */
  onLoaded: ((lastLsn: number) => void) | undefined;

  constructor(
    private readonly wal: Wal,
    private readonly store: LogStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly opts: WritePathOptions,
    recovered: { segments: Segment[] },
  ) {
    const walMax = recovered.segments.reduce((m, s) => Math.max(m, s.lastLsn), 0);
    this.nextLsn = Math.max(store.appliedLsn, walMax) + 1;
    for (const s of recovered.segments) this.enqueue(s);
  }

  /** Stamps LSNs into a serialized batch and appends it; resolves after the group commit that made it durable. */
  async append(batch: SerializedBatch, source: string): Promise<WriteResult> {
    // A batch the WAL would refuse is refused before it is mined or numbered: nothing of it may reach any state.
    const refused = this.wal.refusal();
    if (refused) throw refused;
    this.beforeStamp?.(batch);
    const firstLsn = this.nextLsn;
    // Stamping and appending happen in one synchronous step, so WAL order is LSN order.
    const lastLsn = batch.slots.length > 0 ? stampLsns(batch, firstLsn) : firstLsn - 1;
    this.nextLsn = lastLsn + 1;
    this.lastAppendAt = performance.now();
    if (batch.slots.length > 0) await this.wal.append(batch.buf, lastLsn, batch.rejected > 0);
    if (batch.accepted > 0) this.afterDurable?.(batch, firstLsn);
    if (batch.accepted > 0) this.metrics.ingested.inc({ source }, batch.accepted);
    for (const [reason, n] of Object.entries(batch.reasons)) this.metrics.rejected.inc({ source, reason }, n);
    return { accepted: batch.accepted, rejected: batch.rejected, firstLsn, lastLsn };
  }

  /** The last LSN handed out (records and dead letters up to it have passed `beforeStamp`). */
  get lastLsn(): number { return this.nextLsn - 1; }

  /** Serializes and appends records and dead letters built on the main thread (replay, recovery). */
  write(records: readonly LogRecordInput[], deadLetters: readonly DeadLetter[], source: string, receivedAt: Date, serviceHint?: string): Promise<WriteResult> {
    return this.append(serializeBatch({ records: [...records], deadLetters: [...deadLetters], skipped: 0 }, source, receivedAt, this.opts.maxDeadLetterBytes, 0, serviceHint), source);
  }

  /** Why writers should back off now, or undefined when they may write. */
  overloaded(extraPendingBytes = 0): string | undefined {
    // Bytes waiting for fsync or for intake (memory), and sealed segments the store has not loaded yet (the store is behind).
    if (this.wal.pendingBytes + this.wal.sealedBytes + this.backlogBytes + extraPendingBytes > this.opts.maxPendingBytes) return 'write_backlog';
    return undefined;
  }

  /** Starts the periodic seal-and-load loop. */
  start(): void {
    // Under steady ingest, loads come every flushIntervalMs and batch up; when the writers go quiet, what they wrote
    // is loaded after idleFlushMs, so the last records of a burst do not wait for the interval.
    const { flushIntervalMs, idleFlushMs } = this.opts;
    const tick = idleFlushMs > 0 ? Math.min(idleFlushMs, flushIntervalMs) : flushIntervalMs;
    this.timer = setInterval(() => {
      const now = performance.now(); // monotonic: a wall-clock step must not stop loading
      const due = now - this.lastLoadAt >= flushIntervalMs;
      const idle = idleFlushMs > 0 && now - this.lastAppendAt >= idleFlushMs && this.lastAppendAt > this.lastLoadAt;
      if ((due || idle) && !this.loading) {
        this.lastLoadAt = now;
        void this.flush().catch(() => undefined);
      }
    }, tick);
    this.timer.unref();
  }

  private lastLoadAt = 0;
  private lastAppendAt = 0;

  /** Seals the current segment and loads every sealed segment; concurrent callers share one run. */
  flush(): Promise<void> {
    if (this.loading) return this.loading.then(() => this.flushOnce());
    return this.flushOnce();
  }

  private flushOnce(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = this.loadAll().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private enqueue(s: Segment): void {
    this.backlog.push(s);
    this.backlogBytes += s.bytes;
  }

  private async loadAll(): Promise<void> {
    for (const s of await this.wal.seal()) this.enqueue(s);
    while (this.backlog.length > 0) {
      const seg = this.backlog[0];
      if (!seg) break;
      try {
        await this.loadOrSalvage(seg);
        await this.wal.remove(seg);
        this.lastLoadError = undefined;
      } catch (err) {
        this.lastLoadError = errorMessage(err);
        this.metrics.loadErrors.inc();
        this.log.error({ err, segment: seg.path }, 'cannot load WAL segment; it stays in the WAL and is retried');
        throw err;
      }
      this.backlog.shift();
      this.backlogBytes -= seg.bytes;
      this.metrics.segmentsLoaded.inc();
      this.metrics.appliedLsn.set(this.store.appliedLsn);
      this.onLoaded?.(this.store.appliedLsn);
    }
    this.metrics.walBytes.set(this.backlogBytes + this.wal.currentBytes);
    this.metrics.walPendingBytes.set(this.wal.pendingBytes);
  }

  /** Loads a segment; when the store rejects it whole, salvages it line by line (bad lines become dead letters). */
  private async loadOrSalvage(seg: Segment): Promise<void> {
    try {
      await this.store.loadSegment(seg, seg.lastLsn);
    } catch (err) {
      // Only a data error (a line the store cannot read) is salvaged; out of memory, I/O and the like are retried
      // with the segment kept whole, so a passing problem never turns good records into dead letters.
      if (!isDataError(err)) throw err;
      this.log.warn({ err, segment: seg.path }, 'the store rejected a WAL segment; salvaging it line by line');
      const r = await salvageSegment(this.store, seg);
      this.metrics.walCorrupt.inc(r.corrupt);
      this.log.warn({ segment: seg.path, records: r.records, corrupt: r.corrupt }, 'WAL segment salvaged; unreadable lines are dead letters (wal_corrupt)');
    }
  }

  /** Health of the write path for /readyz. */
  health(): { ok: boolean; backlogSegments: number; backlogBytes: number; lastLoadError?: string; walError?: string } {
    const walError = this.wal.failure?.message;
    return {
      ok: this.lastLoadError === undefined && walError === undefined,
      ...(walError ? { walError } : {}),
      backlogSegments: this.backlog.length,
      backlogBytes: this.backlogBytes,
      ...(this.lastLoadError ? { lastLoadError: this.lastLoadError } : {}),
    };
  }

  /** Stops the loop, seals and loads what is left, so a clean stop leaves an empty WAL. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => undefined);
    await this.wal.close();
  }
}
