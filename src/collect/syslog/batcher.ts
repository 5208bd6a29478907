// Coalesces syslog messages from every connection of a source into `syslog` decoder batches (batchLines, batchBytes,
// batchWaitMs), sends at most maxInflightBatches at once, and says when readers must stop (bounded memory).
import type { SourceContext } from '../source.js';

export interface BatcherOptions {
  batchLines: number; batchBytes: number; batchWaitMs: number; maxBufferedBytes: number; maxInflightBatches: number; service?: string;
}

interface Batch { frames: Buffer[]; bytes: number }

const RETRY_MS = 50;

/** The bytes of `LEN SP` in front of a frame. */
function headerBytes(len: number): number {
  return len < 10 ? 2 : len < 100 ? 3 : len < 1000 ? 4 : len < 10000 ? 5 : len < 100000 ? 6 : String(len).length + 1;
}

/** Writes frames as `LEN SP MSG` back to back into one buffer (the decoder's body). */
function encode(b: Batch): Buffer {
  const out = Buffer.allocUnsafe(b.bytes);
  let o = 0;
  for (const f of b.frames) {
    o += out.write(`${f.length} `, o, 'latin1');
    o += f.copy(out, o);
  }
  return o === out.length ? out : out.subarray(0, o);
}

/**
 * Buffers messages until a batch is full or batchWaitMs passed, then ingests it. It must never hold more than
 * maxBufferedBytes plus one message: `full` tells stream readers to pause, `tryAdd` refuses (UDP counts a drop).
 * `onRoom` is called when a paused reader may go on.
 */
export class Batcher {
  private current: Batch = { frames: [], bytes: 0 };
  private readonly queue: Batch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private inflight = 0;
  private stopping = false;
  private idle: (() => void)[] = [];
  /** Bytes of messages not yet durable: being assembled, queued or being ingested. */
  bufferedBytes = 0;
  /** The most bufferedBytes ever held (status: shows the bound holds). */
  peakBufferedBytes = 0;
  /** The write path refused the next batch (ctx.overloaded): readers pause until it takes it. */
  stalled = false;
  batches = 0;
  messages = 0;

  constructor(private readonly ctx: SourceContext, private readonly opts: BatcherOptions, private readonly onRoom: () => void) {}

  get full(): boolean {
    return this.stalled || this.bufferedBytes >= this.opts.maxBufferedBytes;
  }

  get inflightBatches(): number {
    return this.inflight;
  }

  /** Adds a message (a stream reader checks `full` after each chunk). */
  add(frame: Buffer): void {
    const bytes = frame.length + headerBytes(frame.length);
    this.current.frames.push(frame);
    this.current.bytes += bytes;
    this.bufferedBytes += bytes;
    if (this.bufferedBytes > this.peakBufferedBytes) this.peakBufferedBytes = this.bufferedBytes;
    this.messages++;
    if (this.current.frames.length >= this.opts.batchLines || this.current.bytes >= this.opts.batchBytes) this.seal();
    else this.timer ??= setTimeout(() => { this.timer = undefined; this.seal(); }, this.opts.batchWaitMs);
  }

  /** Adds a message unless maxBufferedBytes is reached (UDP, which cannot pause: the caller counts the drop). */
  tryAdd(frame: Buffer): boolean {
    if (this.bufferedBytes >= this.opts.maxBufferedBytes || this.stopping) return false;
    this.add(frame);
    return true;
  }

  /** Sends what is buffered and resolves once every batch is durable (or failed). */
  async drain(): Promise<void> {
    this.stopping = true;
    this.seal();
    if (this.inflight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private seal(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.current.frames.length === 0) return;
    this.queue.push(this.current);
    this.current = { frames: [], bytes: 0 };
    this.pump();
  }

  private pump(): void {
    while (this.inflight < this.opts.maxInflightBatches && this.queue.length > 0) {
      const next = this.queue[0]!;
      // While the write path is behind, batches wait here (and readers pause) instead of piling up behind it.
      const why = this.stopping ? undefined : this.ctx.overloaded(next.bytes);
      if (why) {
        this.stalled = true;
        this.retry ??= setTimeout(() => { this.retry = undefined; this.pump(); }, RETRY_MS);
        return;
      }
      this.stalled = false;
      this.queue.shift();
      this.send(next);
    }
    if (!this.full) this.onRoom();
    if (this.inflight === 0 && this.queue.length === 0 && this.current.frames.length === 0) {
      for (const r of this.idle.splice(0)) r();
    }
  }

  private send(b: Batch): void {
    this.inflight++;
    this.batches++;
    const release = this.ctx.reserve(b.bytes);
    const body = encode(b);
    this.ctx.ingest({ format: 'syslog', body, ...(this.opts.service ? { service: this.opts.service } : {}) }).then(
      (r) => { if (r.decodeError) this.ctx.log.error({ error: r.decodeError }, 'BUG: a syslog batch did not decode'); },
      (err: unknown) => {
        // The write path failed (e.g. the WAL disk): these messages were read but cannot be stored.
        this.ctx.dropped('ingest_failed', b.frames.length);
        this.ctx.log.error({ err, messages: b.frames.length }, 'cannot store a syslog batch: its messages are dropped');
      },
    ).finally(() => {
      release();
      this.inflight--;
      this.bufferedBytes -= b.bytes;
      this.pump();
    });
  }
}
