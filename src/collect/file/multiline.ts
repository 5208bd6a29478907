// Multi-line records: groups the lines of a file into records, a record starting at a line that matches startPattern
// (or, with negate, at a line that does not) and taking the following lines up to maxLines / maxBytes.

/** One record ready to send: its bytes (lines joined with \n), the file offset just past it, and whether it is a cut head. */
export interface TailRecord { bytes: Buffer; end: number; cut?: boolean }

export interface MultilineOptions {
  startPattern: string;
  /** When true, a line that does NOT match startPattern starts a record (the pattern describes continuation lines). */
  negate: boolean;
  maxLines: number;
  maxBytes: number;
  /** A record with no new line for this long is complete (checked at every poll). */
  timeoutMs: number;
}

export class LineGrouper {
  private readonly re: RegExp;
  /** The pending record's parts, to be joined with \n (after detach() the first part may hold several lines). */
  private lines: Buffer[] = [];
  private count = 0;
  private bytes = 0;
  private startOffset = 0;
  private endOffset = 0;
  /** When the last line was added (ms). */
  lastAt = 0;

  constructor(private readonly o: MultilineOptions) {
    // No global or sticky flag: test() must not carry lastIndex from line to line.
    this.re = new RegExp(o.startPattern);
  }

  /** The file offset where the pending record starts, or undefined when none is pending. */
  get pendingStart(): number | undefined {
    return this.lines.length ? this.startOffset : undefined;
  }

  /** Adds one line (without its terminator) spanning file offsets [start, end); a record it completes goes to `out`. */
  push(line: Buffer, start: number, end: number, now: number, out: TailRecord[]): void {
    const starts = this.re.test(line.toString('utf8')) !== this.o.negate;
    if (this.lines.length > 0 && (starts || this.count >= this.o.maxLines || this.bytes + 1 + line.length > this.o.maxBytes)) {
      out.push(this.take());
    }
    if (this.lines.length === 0) this.startOffset = start;
    this.bytes += (this.lines.length ? 1 : 0) + line.length;
    this.lines.push(line);
    this.count++;
    this.endOffset = end;
    this.lastAt = now;
  }

  /** The pending record, joined (the caller checked one is pending). */
  take(): TailRecord {
    const parts: Buffer[] = [];
    this.lines.forEach((l, i) => { if (i > 0) parts.push(NL); parts.push(l); });
    const rec = { bytes: Buffer.concat(parts, this.bytes), end: this.endOffset };
    this.reset();
    return rec;
  }

  /** Copies the pending lines out of the read buffers they point into, so that those can be freed. */
  detach(): void {
    if (this.lines.length > 1) this.lines = [Buffer.concat(this.lines.flatMap((l, i) => (i > 0 ? [NL, l] : [l])))];
    else if (this.lines.length === 1) this.lines = [Buffer.from(this.lines[0] as Buffer)];
  }

  reset(): void {
    this.lines = [];
    this.count = 0;
    this.bytes = 0;
  }
}

const NL = Buffer.from('\n');
