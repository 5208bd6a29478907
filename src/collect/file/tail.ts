// One followed file: an open descriptor, the offset that is durable (acked) and the one read up to, the partial last
// line, and the multi-line record being built. read() turns the next chunk into one batch; the source acknowledges it.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { encodeTextRecords, TEXT_RECORDS } from '../text-records.js';
import { LineGrouper, type MultilineOptions, type TailRecord } from './multiline.js';

/** Bytes at the head of a file that identify it beside device and inode (an inode is reused after a rotation). */
export const FINGERPRINT_BYTES = 256;

export interface TailOptions {
  readBytes: number;
  maxLineBytes: number;
  /** 0: a last line without a newline waits for it (or for the file to be rotated away). */
  partialLineTimeoutMs: number;
  multiline?: MultilineOptions;
}

/** What one read produced: a body to ingest (absent when the read only skipped bytes) and the offset durable after it. */
export interface TailRead { format?: 'lines' | typeof TEXT_RECORDS; body?: Buffer; end: number; cutLines: number }

/** Hash of the first `len` bytes of a file (hex), or undefined when it is shorter. */
export async function fingerprintOf(fh: FileHandle, len: number): Promise<string | undefined> {
  if (len === 0) return '';
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, 0);
  if (bytesRead < len) return undefined;
  return createHash('sha256').update(buf).digest('hex').slice(0, 32);
}

export class FileTail {
  /** Next byte to read. */
  private pos: number;
  /** The partial last line: bytes [pos - carry.length, pos). */
  private carry: Buffer = Buffer.alloc(0);
  /** Dropping the rest of a line that was cut at maxLineBytes, up to its newline. */
  private skipping = false;
  private readonly grouper: LineGrouper | undefined;
  /** When data last arrived (ms). */
  lastDataAt: number;
  /** The path no longer names this file (renamed out of the globs or deleted): read it to the end, then close it. */
  rotatedAt: number | undefined;
  /** At the end of the file at the last read. */
  atEof = false;

  constructor(
    public path: string,
    readonly fh: FileHandle,
    readonly dev: number,
    readonly ino: number,
    public fp: string,
    public fpLen: number,
    /** The offset whose bytes before are durable: where a restart resumes. */
    public acked: number,
    private readonly o: TailOptions,
    now: number,
    /** The read buffer, shared by the source's files (reads are one at a time; nothing points into it after read()). */
    private readonly buf: Buffer,
  ) {
    this.pos = acked;
    this.lastDataAt = now;
    this.grouper = o.multiline ? new LineGrouper(o.multiline) : undefined;
  }

  get key(): string { return `${this.dev}:${this.ino}`; }

  /** The file was truncated (copytruncate): start again at 0, dropping what was read but not sent. */
  restart(): void {
    this.acked = 0;
    this.fp = '';
    this.fpLen = 0;
    this.checkedSize = -1;
    this.rewind();
  }

  /** Forgets what was read but not acknowledged: the next read starts again at the durable offset. */
  rewind(): void {
    this.pos = this.acked;
    this.carry = Buffer.alloc(0);
    this.skipping = false;
    this.grouper?.reset();
  }

  /** Bytes read that are not durable yet (held in memory), and whether the read position is behind `size`. */
  behind(size: number): boolean { return size > this.pos; }
  get readPos(): number { return this.pos; }

  private checkedSize = -1;

  /**
   * After the file changed size: true when its head no longer has the fingerprint (truncated and written again past
   * the read offset between two polls, which the size alone cannot show). Extends a fingerprint taken of a short file.
   */
  async headChanged(size: number): Promise<boolean> {
    if (size === this.checkedSize) return false;
    this.checkedSize = size;
    if (this.fpLen > 0 && size >= this.fpLen && (await fingerprintOf(this.fh, this.fpLen)) !== this.fp) return true;
    if (this.fpLen < FINGERPRINT_BYTES && size > this.fpLen) {
      const len = Math.min(size, FINGERPRINT_BYTES);
      const fp = await fingerprintOf(this.fh, len);
      if (fp !== undefined) { this.fp = fp; this.fpLen = len; }
    }
    return false;
  }

  /**
   * Reads the next chunk and returns the complete records in it (and the partial line or pending multi-line record
   * when `final`, or when their timeouts passed). Returns undefined when there is nothing to do.
   */
  async read(now: number, final: boolean): Promise<TailRead | undefined> {
    const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.pos);
    this.atEof = bytesRead < this.buf.length;
    if (bytesRead > 0) this.lastDataAt = now;
    this.pos += bytesRead;
    const fresh = this.buf.subarray(0, bytesRead);
    const data = this.carry.length ? Buffer.concat([this.carry, fresh]) : fresh;
    const dataStart = this.pos - data.length;
    let from = 0;
    let cutLines = 0;
    if (this.skipping) {
      const nl = data.indexOf(0x0a);
      from = nl === -1 ? data.length : nl + 1;
      if (nl !== -1) this.skipping = false;
    }
    const lastNl = data.lastIndexOf(0x0a);
    const complete = lastNl >= from ? data.subarray(from, lastNl + 1) : data.subarray(from, from);
    let rest = data.subarray(from + complete.length);
    const recs: TailRecord[] = [];
    const quiet = this.atEof && (final || (this.o.partialLineTimeoutMs > 0 && now - this.lastDataAt >= this.o.partialLineTimeoutMs));
    let partial: TailRecord | undefined;
    const partialStart = this.pos - rest.length;
    if (rest.length > this.o.maxLineBytes) {
      // A line longer than the limit: its head goes on as a cut record (a line_too_long dead letter), the rest is skipped.
      partial = { bytes: Buffer.from(rest.subarray(0, this.o.maxLineBytes)), end: this.pos, cut: true };
      cutLines = 1;
      this.skipping = true;
      rest = rest.subarray(rest.length);
    } else if (rest.length > 0 && quiet) {
      partial = { bytes: Buffer.from(stripCr(rest)), end: this.pos };
      rest = rest.subarray(rest.length);
    }
    this.carry = rest.length ? Buffer.from(rest) : Buffer.alloc(0);
    const restStart = this.pos - this.carry.length;
    if (!this.grouper) {
      const end = this.skipping ? this.pos : restStart;
      if (!partial) return complete.length ? { format: 'lines', body: Buffer.from(complete), end, cutLines } : (end > this.acked ? { end, cutLines } : undefined);
      if (!partial.cut) return { format: 'lines', body: Buffer.concat([complete, partial.bytes]), end, cutLines };
      forEachLine(complete, dataStart + from, (line, _s, e) => recs.push({ bytes: line, end: e }));
      recs.push(partial);
      return { format: TEXT_RECORDS, body: encodeTextRecords(recs), end, cutLines };
    }
    const g = this.grouper;
    forEachLine(complete, dataStart + from, (line, s, e) => g.push(line, s, e, now, recs));
    const groupQuiet = g.pendingStart !== undefined && this.atEof && rest.length === 0 && (final || now - g.lastAt >= (this.o.multiline?.timeoutMs ?? 0));
    if (partial) {
      if (!partial.cut) g.push(partial.bytes, partialStart, partial.end, now, recs);
      else { if (g.pendingStart !== undefined) recs.push(g.take()); recs.push(partial); }
    }
    if ((groupQuiet || (final && this.atEof)) && g.pendingStart !== undefined) recs.push(g.take());
    g.detach();
    const pending = g.pendingStart;
    const end = pending ?? (this.skipping ? this.pos : restStart);
    if (recs.length === 0) return end > this.acked ? { end, cutLines } : undefined;
    return { format: TEXT_RECORDS, body: encodeTextRecords(recs), end, cutLines };
  }

  /** Nothing is held in memory: no partial line and no pending record. */
  get idle(): boolean {
    return this.carry.length === 0 && this.grouper?.pendingStart === undefined;
  }
}

function stripCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

/** Calls `fn` with each line of `chunk` (which ends with \n) without its terminator, and its file offsets [start, end). */
function forEachLine(chunk: Buffer, offset: number, fn: (line: Buffer, start: number, end: number) => void): void {
  let s = 0;
  while (s < chunk.length) {
    const nl = chunk.indexOf(0x0a, s);
    const e = nl === -1 ? chunk.length : nl + 1;
    fn(stripCr(chunk.subarray(s, nl === -1 ? e : nl)), offset + s, offset + e);
    s = e;
  }
}
