// Syslog stream framing (RFC 6587): splits a TCP/TLS byte stream into messages, by octet counting (`LEN SP MSG`) or
// by a trailer (LF, or NUL as some senders write), detected per frame in `auto` mode. Runs on the main thread: cheap.

export type Framing = 'auto' | 'octet-counting' | 'newline';

/** What the splitter hands on: whole frames, and frames it had to skip (over the limit, or not framed at all). */
export interface FrameSink {
  frame(msg: Buffer): void;
  /** A frame that was skipped: `message_too_long` (over maxMessageBytes; its bytes are skipped, the stream stays in sync) or `framing_error`. */
  skipped(reason: 'message_too_long' | 'framing_error', bytes: number): void;
}

const LF = 0x0a, CR = 0x0d, NUL = 0x00, SP = 0x20, LT = 0x3c;
const MAX_DIGITS = 10;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** A frame without its trailer: one trailing LF, CRLF or NUL is not part of the message. */
function withoutTrailer(b: Buffer): Buffer {
  let end = b.length;
  if (end > 0 && (b[end - 1] === LF || b[end - 1] === NUL)) end--;
  if (end > 0 && b[end - 1] === CR) end--;
  return end === b.length ? b : b.subarray(0, end);
}

/**
 * A per-connection frame splitter. It holds at most one partial frame (bounded by maxMessageBytes plus a chunk):
 * a frame over the limit is skipped as it streams by and counted, never buffered whole.
 */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of an over-long frame still to skip: a count (octet counting) or -1 (until the next trailer). */
  private skipping = 0;
  private skippedBytes = 0;
  private skipReason: 'message_too_long' | 'framing_error' = 'message_too_long';
  octetFrames = 0;
  trailerFrames = 0;

  constructor(private readonly mode: Framing, private readonly maxMessageBytes: number, private readonly sink: FrameSink) {}

  /** Feeds a chunk of the stream; calls the sink for every frame it completes. */
  push(chunk: Buffer): void {
    let data = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.buf = Buffer.alloc(0);
    let i = 0;
    while (i < data.length) {
      if (this.skipping !== 0) {
        i = this.skip(data, i);
        continue;
      }
      const c = data[i];
      if (c === LF || c === CR || c === NUL || (c === SP && this.mode !== 'newline')) { i++; continue; } // between frames
      const octet = this.octetHeader(data, i);
      if (octet === 'more') break;
      if (octet !== null) {
        const { len, start } = octet;
        if (len > this.maxMessageBytes) {
          this.startSkip('message_too_long', len, len);
          i = start;
          continue;
        }
        if (start + len > data.length) break;
        this.octetFrames++;
        this.emit(data.subarray(start, start + len));
        i = start + len;
        continue;
      }
      if (this.mode === 'octet-counting') {
        // Not `LEN SP`: the stream cannot be resynchronized, so the rest of the chunk is dropped up to a trailer.
        this.startSkip('framing_error', -1, 0);
        continue;
      }
      const end = nextTrailer(data, i);
      if (end < 0) {
        if (data.length - i > this.maxMessageBytes) {
          this.startSkip('message_too_long', -1, data.length - i);
          i = data.length;
        }
        break;
      }
      if (end - i > this.maxMessageBytes) this.sink.skipped('message_too_long', end - i);
      else { this.trailerFrames++; this.emit(data.subarray(i, end)); }
      i = end + 1;
    }
    if (i < data.length) this.buf = Buffer.from(data.subarray(i)); // a copy: the chunk is not kept alive
    data = Buffer.alloc(0);
  }

  /** At the end of the stream: a last frame without a trailer counts (non-transparent framing); a cut octet-counted one does not. */
  end(): void {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (this.skipping !== 0) {
      this.skipping = 0;
      this.sink.skipped(this.skipReason, this.skippedBytes);
      return;
    }
    if (rest.length === 0) return;
    const octet = this.octetHeader(rest, 0);
    // A cut octet-counted frame (or, forced to octet counting, anything left) is not a message.
    if (typeof octet === 'object' && octet !== null) { this.sink.skipped('framing_error', rest.length); return; }
    if (this.mode === 'octet-counting') { this.sink.skipped('framing_error', rest.length); return; }
    this.trailerFrames++;
    this.emit(rest);
  }

  /** Bytes held for a partial frame. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  private emit(frame: Buffer): void {
    const f = withoutTrailer(frame);
    if (f.length > 0) this.sink.frame(f);
  }

  /** Skips `count` bytes (-1: up to the next trailer), of which `seen` are already behind; reported once done. */
  private startSkip(reason: 'message_too_long' | 'framing_error', count: number, seen: number): void {
    this.skipReason = reason;
    this.skipping = count;
    this.skippedBytes = count > 0 ? count : seen;
  }

  private skip(data: Buffer, i: number): number {
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, data.length - i);
      this.skipping -= n;
      if (this.skipping === 0) this.sink.skipped(this.skipReason, this.skippedBytes);
      return i + n;
    }
    const end = nextTrailer(data, i);
    if (end < 0) { this.skippedBytes += data.length - i; return data.length; }
    this.skippedBytes += end - i;
    this.skipping = 0;
    this.sink.skipped(this.skipReason, this.skippedBytes);
    return end + 1;
  }

  /**
   * `LEN SP` at `i`: the length and where the message starts; 'more' when the header is not complete yet; null when
   * this is not an octet-counted frame. In auto mode the message must also start with `<` (a PRI), so a line that
   * happens to begin with a number and a space (`12 workers started`) is read as a line.
   */
  private octetHeader(data: Buffer, i: number): { len: number; start: number } | 'more' | null {
    if (this.mode === 'newline' || !isDigit(data[i]) || data[i] === 48) return null;
    let j = i, len = 0;
    while (j < data.length && isDigit(data[j]) && j - i < MAX_DIGITS) { len = len * 10 + (data[j]! - 48); j++; }
    if (j === data.length) return 'more';
    if (data[j] !== SP) return null;
    if (this.mode === 'auto') {
      if (j + 1 === data.length) return 'more';
      if (data[j + 1] !== LT) return null;
    }
    return { len, start: j + 1 };
  }
}

function nextTrailer(data: Buffer, from: number): number {
  const lf = data.indexOf(LF, from);
  const nul = data.indexOf(NUL, from);
  if (lf < 0) return nul;
  if (nul < 0) return lf;
  return Math.min(lf, nul);
}

/** Encodes frames as `LEN SP MSG` back to back: the body of one `syslog` decoder batch (decoder.ts splits it). */
export function encodeFrames(frames: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) parts.push(Buffer.from(`${f.length} `, 'latin1'), f);
  return Buffer.concat(parts);
}

/** Splits a body written by encodeFrames; throws RangeError on a malformed one. */
export function decodeFrames(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < body.length) {
    let len = 0, j = i;
    while (j < body.length && isDigit(body[j])) { len = len * 10 + (body[j]! - 48); j++; }
    if (j === i || body[j] !== SP || j + 1 + len > body.length) throw new RangeError(`malformed syslog batch at byte ${i}`);
    out.push(body.subarray(j + 1, j + 1 + len));
    i = j + 1 + len;
  }
  return out;
}
