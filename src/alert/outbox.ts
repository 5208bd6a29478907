// The outbox: every notification is written (fsynced) before it is sent, delivered per receiver in order with retries
// (exponential backoff with jitter), resumed after a restart, and kept in a bounded history with its attempts.
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, errorMessage } from '../errors.js';
import { writeFileDurably } from '../store/fsync.js';
import type { DeliveryResult, Notification, Receiver } from './model.js';

export interface OutboxOptions {
  /** First retry after this long; each further one doubles it, up to maxBackoffMs; each is jittered by ±50 %. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A delivery still failing after this many attempts, or this long after it was queued, is given up (failed). */
  maxAttempts: number;
  maxAgeMs: number;
  /** Per-attempt time limit (the receiver's own timeout may be shorter). */
  attemptTimeoutMs: number;
  /** Deliveries kept in the history (done and failed), newest first; pending ones are always kept. */
  historySize: number;
  /** Pending deliveries at most; past it the oldest pending one is given up (counted), so a dead receiver cannot fill the disk. */
  maxPending: number;
}

export const defaultOutboxOptions: OutboxOptions = {
  initialBackoffMs: 1000, maxBackoffMs: 300_000, maxAttempts: 50, maxAgeMs: 86_400_000, attemptTimeoutMs: 15_000, historySize: 1000, maxPending: 10_000,
};

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface Attempt { at: string; ok: boolean; error?: string; ms: number }

export interface Delivery {
  id: string;
  receiver: string;
  idempotencyKey: string;
  queuedAt: string;
  state: DeliveryState;
  attempts: Attempt[];
  /** When the next attempt is due (ms since the epoch) while pending. */
  nextAt: number;
  notification: Notification;
}

/** What the outbox reports to metrics. */
export interface OutboxSink { attempt(receiver: string, ok: boolean, ms: number): void; ended(receiver: string, state: 'delivered' | 'failed'): void }

type LogLine =
  | { op: 'queue'; d: Omit<Delivery, 'attempts' | 'state'> }
  | { op: 'attempt'; id: string; a: Attempt; nextAt: number }
  | { op: 'end'; id: string; state: 'delivered' | 'failed' };

/** Attempts kept per delivery (the first and the latest ones). */
const MAX_ATTEMPTS_KEPT = 20;

/**
 * The log `<dir>/outbox.jsonl` holds one line per event (queued, attempted, ended), appended and fsynced before the
 * notification is sent and after each attempt; at open it is replayed (a torn last line is ignored) and rewritten
 * compacted. Deliveries to one receiver go one at a time in queue order: a receiver that is down delays only itself.
 * `now` is the injected clock; `random` the jitter source.
 */
export class Outbox {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly receivers = new Map<string, Receiver>();
  /** Receivers with an attempt in flight, and the delivery it is for. */
  private readonly busy = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  private lines = 0;
  private seq = 0;
  readonly stats = { given_up_full: 0 };

  private constructor(
    private readonly file: string, private readonly o: OutboxOptions, private readonly sink: OutboxSink,
    private readonly now: () => number, private readonly random: () => number,
  ) {}

  static async open(dir: string, opts: Partial<OutboxOptions>, sink: OutboxSink, now: () => number = Date.now, random: () => number = Math.random): Promise<Outbox> {
    await mkdir(dir, { recursive: true });
    const box = new Outbox(join(dir, 'outbox.jsonl'), { ...defaultOutboxOptions, ...opts }, sink, now, random);
    await box.load();
    return box;
  }

  private async load(): Promise<void> {
    let text = '';
    try { text = await readFile(this.file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read the alert outbox ${this.file}: ${errorMessage(err)}`, { cause: err });
    }
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: LogLine;
      try { line = JSON.parse(raw) as LogLine; } catch { continue; } // a torn last line: the append did not finish
      if (line.op === 'queue') this.deliveries.set(line.d.id, { ...line.d, state: 'pending', attempts: [] });
      else {
        const d = this.deliveries.get(line.id);
        if (!d) continue;
        if (line.op === 'attempt') { this.keepAttempt(d, line.a); d.nextAt = line.nextAt; } else d.state = line.state;
      }
    }
    for (const d of this.deliveries.values()) { const n = Number(d.id.split('-')[1]); if (n >= this.seq) this.seq = n + 1; }
    // After a restart, pending deliveries are tried at once (the receiver may be back; the backoff was the last run's).
    const now = this.now();
    for (const d of this.deliveries.values()) if (d.state === 'pending' && d.nextAt > now) d.nextAt = now;
    this.prune();
    await this.compact();
  }

  /** Rewrites the log with what is kept (pending deliveries and the history), atomically. */
  private async compact(): Promise<void> {
    const out: string[] = [];
    for (const d of this.deliveries.values()) {
      const { attempts, state, ...rest } = d;
      out.push(JSON.stringify({ op: 'queue', d: rest } satisfies LogLine));
      for (const a of attempts) out.push(JSON.stringify({ op: 'attempt', id: d.id, a, nextAt: d.nextAt } satisfies LogLine));
      if (state !== 'pending') out.push(JSON.stringify({ op: 'end', id: d.id, state } satisfies LogLine));
    }
    await writeFileDurably(this.file, out.length ? `${out.join('\n')}\n` : '');
    this.lines = out.length;
  }

  /** Appends lines and fsyncs them, in order behind earlier appends. */
  private append(lines: LogLine[]): Promise<void> {
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    const run = this.writing.then(async () => {
      const fh = await open(this.file, 'a');
      try { await fh.appendFile(text); await fh.datasync(); } finally { await fh.close(); }
      this.lines += lines.length;
      if (this.lines > 4 * (this.o.historySize + this.pendingCount()) + 1000) await this.compact();
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  register(r: Receiver): void { this.receivers.set(r.name, r); }

  pendingCount(): number { let n = 0; for (const d of this.deliveries.values()) if (d.state === 'pending') n++; return n; }

  /**
   * Queues notifications durably (resolves once they are on disk), then starts their delivery. A notification whose
   * idempotency key is already queued for its receiver and pending is not queued twice.
   */
  async enqueue(list: readonly Notification[]): Promise<Delivery[]> {
    const queued: Delivery[] = [];
    const at = this.now();
    for (const n of list) {
      if ([...this.deliveries.values()].some((d) => d.state === 'pending' && d.receiver === n.receiver && d.idempotencyKey === n.idempotencyKey)) continue;
      const d: Delivery = { id: `d-${this.seq++}`, receiver: n.receiver, idempotencyKey: n.idempotencyKey, queuedAt: new Date(at).toISOString(), state: 'pending', attempts: [], nextAt: at, notification: n };
      queued.push(d);
    }
    if (queued.length === 0) return [];
    try {
      await this.append(queued.map((d) => ({ op: 'queue', d: { id: d.id, receiver: d.receiver, idempotencyKey: d.idempotencyKey, queuedAt: d.queuedAt, nextAt: d.nextAt, notification: d.notification } })));
    } catch (err) {
      throw new StorageError(`cannot write the alert outbox ${this.file}: ${errorMessage(err)}`, { cause: err });
    }
    for (const d of queued) this.deliveries.set(d.id, d);
    this.enforcePendingCap();
    this.kick();
    return queued;
  }

  private enforcePendingCap(): void {
    let over = this.pendingCount() - this.o.maxPending;
    for (const d of this.deliveries.values()) {
      if (over <= 0) break;
      if (d.state !== 'pending' || this.busy.get(d.receiver) === d.id) continue;
      this.finish(d, 'failed', 'the outbox held more than alerting.outbox.maxPending pending deliveries; the oldest was given up');
      this.stats.given_up_full++;
      over--;
    }
  }

  /** Starts what is due now and schedules the next due attempt. */
  kick(): void {
    if (this.closed) return;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const now = this.now();
    let next = Infinity;
    const firstByReceiver = new Map<string, Delivery>();
    for (const d of this.deliveries.values()) {
      if (d.state !== 'pending' || firstByReceiver.has(d.receiver)) continue;
      firstByReceiver.set(d.receiver, d); // queue order: one at a time per receiver
    }
    for (const [receiver, d] of firstByReceiver) {
      if (this.busy.has(receiver)) continue;
      if (d.nextAt <= now) void this.attempt(d);
      else next = Math.min(next, d.nextAt);
    }
    if (next !== Infinity) { this.timer = setTimeout(() => this.kick(), Math.max(0, next - now)); this.timer.unref(); }
  }

  private async attempt(d: Delivery): Promise<void> {
    const r = this.receivers.get(d.receiver);
    this.busy.set(d.receiver, d.id);
    const started = this.now();
    let result: DeliveryResult;
    if (!r) result = { ok: false, error: `no receiver named ${d.receiver} is configured (alerting.receivers)`, retryable: false };
    else {
      const ac = new AbortController();
      const t = setTimeout(() => ac.abort(new Error(`no answer within ${this.o.attemptTimeoutMs} ms`)), this.o.attemptTimeoutMs);
      try { result = await r.send(d.notification, ac.signal); } catch (err) { result = { ok: false, error: errorMessage(err), retryable: true }; } finally { clearTimeout(t); }
    }
    const ms = this.now() - started;
    const a: Attempt = { at: new Date(started).toISOString(), ok: result.ok, ms, ...(result.ok ? {} : { error: result.error }) };
    this.keepAttempt(d, a);
    this.sink.attempt(d.receiver, result.ok, ms);
    const tries = d.attempts.length;
    let nextAt = 0;
    let end: 'delivered' | 'failed' | undefined;
    if (result.ok) end = 'delivered';
    else if (!result.retryable || tries >= this.o.maxAttempts || this.now() - Date.parse(d.queuedAt) >= this.o.maxAgeMs) end = 'failed';
    else {
      const backoff = Math.min(this.o.maxBackoffMs, this.o.initialBackoffMs * 2 ** Math.min(30, tries - 1));
      nextAt = this.now() + Math.round(backoff * (0.5 + this.random()));
    }
    try {
      await this.append([{ op: 'attempt', id: d.id, a, nextAt }, ...(end ? [{ op: 'end' as const, id: d.id, state: end }] : [])]);
    } catch {
      // The attempt is not on disk: after a restart it is attempted again (the receiver drops it by its key).
    }
    if (d.state !== 'pending') { /* given up while in flight (the pending cap) */ } else if (end) this.finish(d, end); else d.nextAt = nextAt;
    this.busy.delete(d.receiver);
    this.kick();
  }

  private keepAttempt(d: Delivery, a: Attempt): void {
    d.attempts.push(a);
    if (d.attempts.length > MAX_ATTEMPTS_KEPT) d.attempts.splice(1, 1);
  }

  private finish(d: Delivery, state: 'delivered' | 'failed', why?: string): void {
    d.state = state;
    if (why) { this.keepAttempt(d, { at: new Date(this.now()).toISOString(), ok: false, error: why, ms: 0 }); void this.append([{ op: 'end', id: d.id, state }]).catch(() => undefined); }
    this.sink.ended(d.receiver, state);
    this.prune();
  }

  /** Drops the oldest ended deliveries past historySize. */
  private prune(): void {
    let ended = 0;
    for (const d of this.deliveries.values()) if (d.state !== 'pending') ended++;
    for (const [id, d] of this.deliveries) {
      if (ended <= this.o.historySize) break;
      if (d.state !== 'pending') { this.deliveries.delete(id); ended--; }
    }
  }

  /** Deliveries, newest first, optionally filtered. */
  list(f: { receiver?: string; state?: DeliveryState; limit?: number } = {}): Delivery[] {
    const out = [...this.deliveries.values()].filter((d) => (f.receiver === undefined || d.receiver === f.receiver) && (f.state === undefined || d.state === f.state));
    return out.reverse().slice(0, f.limit ?? 100);
  }

  /** Waits for the log writes so far. */
  async flush(): Promise<void> { await this.writing; }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.writing;
  }
}
