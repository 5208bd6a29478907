// Write-ahead log: NDJSON segment files with group commit (one write + one fdatasync per batch of appends).
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { fsyncPath as fsyncDir } from './fsync.js';
import { join } from 'node:path';
import { WalError, errorMessage } from '../errors.js';

export interface WalOptions {
  /** fdatasync before acknowledging; false trades durability on power loss for speed (process crashes stay safe). */
  fsync: boolean;
  /** How long the first append of a batch waits for others to join it before the write. */
  groupCommitMs: number;
  /** A segment is sealed once it grows past this size. */
  segmentMaxBytes: number;
}

interface Pending { chunks: Buffer[]; bytes: number; lastLsn: number; deadLetters: boolean; waiters: { resolve: () => void; reject: (e: Error) => void }[] }

/** A sealed segment file waiting to be loaded into the store. */
export interface Segment {
  path: string;
  seq: number;
  bytes: number;
  /** Highest LSN written to it (0 when none). */
  lastLsn: number;
  /** Whether any line in it is a dead letter (so the loader knows whether a second pass is needed). */
  deadLetters: boolean;
}

/** A WAL line that could not be read back during recovery, removed from its segment and handed to the caller. */
export interface CorruptLine { segment: string; raw: Buffer }

const SEG_RE = /^seg-(\d{10})\.ndjson$/;
const segName = (seq: number) => `seg-${String(seq).padStart(10, '0')}.ndjson`;


/**
 * The WAL must resolve an append only after its bytes are written (and fdatasync'ed when fsync is on);
 * appends resolve in order. It never reorders lines: the store relies on LSN order within and across segments.
 */
export class Wal {
  private fh: FileHandle | undefined;
  private seq: number;
  private size = 0;
  private pending: Pending = { chunks: [], bytes: 0, lastLsn: 0, deadLetters: false, waiters: [] };
  private segLastLsn = 0;
  private segDeadLetters = false;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sealed: Segment[] = [];
  private closed = false;
  private rotateRequested = false;
  /** Bytes appended but not yet durable (for backpressure). */
  get pendingBytes(): number { return this.pending.bytes; }
  /** Totals since start, for /metrics. */
  readonly stats = { appends: 0, bytes: 0, fsyncs: 0, segmentsSealed: 0 };

  private constructor(readonly dir: string, private readonly opts: WalOptions, seq: number) {
    this.seq = seq;
  }

  /** Opens the WAL directory; existing segments are returned sealed, for recovery by the caller. */
  /**
   * Opens the WAL directory; existing segments are returned sealed, for recovery by the caller. Unreadable lines are
   * returned as `corrupt` but stay in their segments until the caller, having stored them durably elsewhere, calls
   * `repair()`: a crash in between finds them again (kept twice at worst, never lost).
   */
  static async open(dir: string, opts: WalOptions): Promise<{ wal: Wal; existing: Segment[]; corrupt: CorruptLine[]; repair: () => Promise<void> }> {
    await mkdir(dir, { recursive: true });
    const all = await readdir(dir);
    // Scratch files of an interrupted repair or salvage: their segment is still whole, they are not needed.
    for (const n of all) if (n.endsWith('.repair') || n.endsWith('.salvage')) await rm(join(dir, n), { force: true });
    const names = all.filter((n) => SEG_RE.test(n)).sort();
    const existing: Segment[] = [];
    const corrupt: CorruptLine[] = [];
    const rewrites: (() => Promise<void>)[] = [];
    for (const n of names) {
      const seq = Number(SEG_RE.exec(n)?.[1]);
      const path = join(dir, n);
      const r = await scanSegment(path);
      corrupt.push(...r.corrupt.map((raw) => ({ segment: path, raw })));
      if (r.rewrite) rewrites.push(r.rewrite);
      if (r.bytes === 0) rewrites.push(() => rm(path, { force: true }));
      else existing.push({ path, seq, bytes: r.bytes, lastLsn: r.lastLsn, deadLetters: r.deadLetters });
    }
    const last = names.length > 0 ? Number(SEG_RE.exec(names.at(-1) ?? '')?.[1]) : 0;
    const wal = new Wal(dir, opts, last + 1);
    await wal.openSegment();
    const repair = async () => {
      for (const w of rewrites) await w();
      if (rewrites.length > 0) fsyncDir(dir);
    };
    return { wal, existing, corrupt, repair };
  }

  private async openSegment(): Promise<void> {
    const path = join(this.dir, segName(this.seq));
    this.fh = await open(path, 'a');
    this.size = 0;
    fsyncDir(this.dir); // the new file's directory entry must be durable before anything in it is acknowledged
  }

  /** Set once the WAL cannot go on safely (failed fsync, failed rollback of a partial write); every append is refused. */
  failure: WalError | undefined;

  private fail(message: string, cause: unknown): void {
    this.failure ??= new WalError(message, { cause });
  }

  /** Why an append would be refused now (closed, or failed for good), or undefined when it would be taken. */
  refusal(): WalError | undefined {
    return this.closed ? new WalError('cannot append to the write-ahead log: it is closed') : this.failure;
  }

  /** Appends complete NDJSON lines (each ending in \n). Resolves once durable. */
  append(data: Buffer | string, lastLsn: number, hasDeadLetters = false): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const p = new Promise<void>((resolve, reject) => this.pending.waiters.push({ resolve, reject }));
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.pending.chunks.push(buf);
    this.pending.lastLsn = lastLsn;
    if (hasDeadLetters) this.pending.deadLetters = true;
    this.pending.bytes += buf.length;
    this.stats.appends++;
    this.schedule();
    return p;
  }

  private schedule(): void {
    if (this.flushing || this.timer) return;
    if (this.opts.groupCommitMs === 0) { this.flushing = this.flushLoop(); return; }
    this.timer = setTimeout(() => { this.timer = undefined; this.flushing = this.flushLoop(); }, this.opts.groupCommitMs);
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.waiters.length > 0 || this.rotateRequested) {
        const batch = this.pending;
        this.pending = { chunks: [], bytes: 0, lastLsn: 0, deadLetters: false, waiters: [] };
        try {
          if (this.failure) throw this.failure;
          if (batch.chunks.length > 0) await this.writeBatch(batch);
          for (const w of batch.waiters) w.resolve();
        } catch (err) {
          const e = err instanceof WalError ? err : new WalError(`cannot write the write-ahead log in ${this.dir}: ${errorMessage(err)}`, { cause: err });
          for (const w of batch.waiters) w.reject(e);
        }
        try {
          if (!this.failure && (this.rotateRequested || this.size >= this.opts.segmentMaxBytes)) await this.rotateNow();
        } catch (err) {
          this.fail(`cannot start a new write-ahead-log segment in ${this.dir}: ${errorMessage(err)}`, err);
        }
        // A seal() that arrived while rotating keeps its request; only a failed WAL drops it (nothing more to seal).
        if (this.failure) this.rotateRequested = false;
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(batch: Pending): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new WalError('BUG: no open segment');
    const buf = batch.chunks.length === 1 && batch.chunks[0] ? batch.chunks[0] : Buffer.concat(batch.chunks);
    let off = 0;
    try {
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
    } catch (err) {
      // Take back a partial write, so the next batch does not land after half a line; if that fails too, stop.
      await fh.truncate(this.size).catch((e: unknown) => this.fail(`cannot take back a partial write-ahead-log write: ${errorMessage(e)}`, e));
      throw err;
    }
    if (this.opts.fsync) {
      try {
        await fh.datasync();
      } catch (err) {
        // After a failed fsync nothing says what reached the disk: take the batch back if we can (the client is
        // told it failed, so a retry must not find it stored too) and refuse every later write (fsyncgate).
        await fh.truncate(this.size).catch(() => undefined);
        this.fail(`cannot fsync the write-ahead log in ${this.dir}: ${errorMessage(err)}; restart logsift once the disk is healthy`, err);
        throw this.failure;
      }
      this.stats.fsyncs++;
    }
    this.size += buf.length;
    this.segLastLsn = Math.max(this.segLastLsn, batch.lastLsn);
    if (batch.deadLetters) this.segDeadLetters = true;
    this.stats.bytes += buf.length;
  }

  private async rotateNow(): Promise<void> {
    this.rotateRequested = false;
    if (this.size === 0 || !this.fh) return;
    await this.fh.close();
    this.sealed.push({ path: join(this.dir, segName(this.seq)), seq: this.seq, bytes: this.size, lastLsn: this.segLastLsn, deadLetters: this.segDeadLetters });
    this.segLastLsn = 0;
    this.segDeadLetters = false;
    this.stats.segmentsSealed++;
    this.seq++;
    await this.openSegment();
  }

  /** Seals the current segment (if it has data) after in-flight appends, and returns every sealed segment. */
  async seal(): Promise<Segment[]> {
    this.rotateRequested = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (!this.flushing) this.flushing = this.flushLoop();
    while (this.flushing) await this.flushing;
    const out = this.sealed;
    this.sealed = [];
    return out;
  }

  /** Deletes a segment whose records the store has committed. */
  async remove(seg: Segment): Promise<void> {
    await rm(seg.path, { force: true });
  }

  /** Bytes of segments sealed by rotation and not yet taken by `seal()`. */
  get sealedBytes(): number { return this.sealed.reduce((n, s) => n + s.bytes, 0); }

  /** Bytes of the current (unsealed) segment. */
  get currentBytes(): number { return this.size; }

  async close(): Promise<void> {
    await this.seal().catch(() => undefined);
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
  }
}

/**
 * Finds a torn last line (a write cut short by a crash: never acknowledged) and lines that do not parse (returned as
 * corrupt, for the dead-letter store). `rewrite`, when something must change, replaces the file atomically with the
 * good lines only.
 */
async function scanSegment(path: string): Promise<{ bytes: number; lastLsn: number; deadLetters: boolean; corrupt: Buffer[]; rewrite?: () => Promise<void> }> {
  const buf = await readFile(path);
  const keep = buf.lastIndexOf(0x0a) + 1;
  const good: Buffer[] = [];
  const corrupt: Buffer[] = [];
  let lastLsn = 0;
  let deadLetters = false;
  let start = 0;
  while (start < keep) {
    const end = buf.indexOf(0x0a, start);
    const line = buf.subarray(start, end);
    start = end + 1;
    let lsn: unknown;
    try {
      const entry = JSON.parse(line.toString('utf8')) as { lsn?: unknown; k?: unknown };
      lsn = entry.lsn;
      if (entry.k === 'd') deadLetters = true;
    } catch { lsn = undefined; }
    if (typeof lsn === 'number' && Number.isSafeInteger(lsn)) {
      good.push(line);
      lastLsn = Math.max(lastLsn, lsn);
    } else if (line.some((b) => b !== 0)) {
      corrupt.push(Buffer.from(line));
    }
  }
  const goodBytes = good.reduce((n, l) => n + l.length + 1, 0);
  const rewrite = goodBytes === buf.length ? undefined : async () => {
    const tmp = `${path}.repair`;
    await writeFile(tmp, Buffer.concat(good.flatMap((l) => [l, Buffer.from('\n')])), { flush: true });
    await rename(tmp, path);
  };
  return { bytes: goodBytes, lastLsn, deadLetters, corrupt, ...(rewrite ? { rewrite } : {}) };
}
