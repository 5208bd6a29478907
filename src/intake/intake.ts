// Intake: turns a raw batch (lines or parsed objects) into schema-valid records and dead letters, counting both.
import { normalizeLine, normalizeObject, type NormalizeOptions, type NormalizeResult } from '../normalize/index.js';
import { rejectReasons, type RejectReason } from '../normalize/reasons.js';
import type { LogRecordInput } from '../model/log-record.js';
import type { Validator } from '../model/schemas.js';
import type { LogRecord } from '../model/log-record.js';
import type { TextRecord } from '../collect/decoders.js';

/** A rejected input, kept verbatim. */
export interface DeadLetter { reason: RejectReason; error: string; raw: Buffer }

/** Records with their JSON text (computed once, here, where it is also checked), dead letters and blank lines. */
export interface IntakeResult { records: LogRecordInput[]; jsons?: string[]; deadLetters: DeadLetter[]; skipped: number; itemErrors?: { index: number; reason: string; error: string }[] }

/** True when every string in the value is well-formed Unicode (no lone UTF-16 surrogate, which the store cannot hold). */
function wellFormed(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.isWellFormed();
  if (typeof v !== 'object' || v === null || depth > 64) return true;
  for (const [k, x] of Object.entries(v)) if (!k.isWellFormed() || !wellFormed(x, depth + 1)) return false;
  return true;
}

export interface IntakeContext { receivedAt: Date; source: string; service?: string }

/** Accepted timestamps relative to the time received; 0 turns a side off. */
export interface TimeWindow {
  /** Older records would be deleted by retention at once: refused as too_old instead (store.retentionDays). */
  maxAgeSeconds: number;
  /** Records further in the future are refused as too_far_in_future (normalize.maxFutureSeconds). */
  maxFutureSeconds: number;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

/** An instant as RFC 3339, or `fallback` when it is outside what a Date can hold (a bound of "no bound"). */
function isoOr(ms: number, fallback: string): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999 ? fallback : d.toISOString();
}

/** The raw bytes of a JSON body element for the dead-letter store; a value too deep to serialize says so instead. */
function rawOf(v: unknown): Buffer {
  try {
    return Buffer.from(JSON.stringify(v) ?? String(v), 'utf8');
  } catch (err) {
    return Buffer.from(`(a JSON value that cannot be serialized again: ${(err as Error).message})`, 'utf8');
  }
}

export class Intake {
  constructor(
    private readonly opts: NormalizeOptions,
    private readonly validator: Validator<LogRecord>,
    private readonly window: TimeWindow = { maxAgeSeconds: 0, maxFutureSeconds: 0 },
  ) {}

  /**
   * Splits a body of newline-separated lines (NDJSON or text, any mix of formats) and normalizes each.
   * Blank lines are skipped and counted. A body that is not valid UTF-8 is checked line by line, so only
   * the bad lines are dead-lettered.
   */
  lines(body: Buffer, ctx: IntakeContext): IntakeResult {
    const out: IntakeResult = { records: [], jsons: [], deadLetters: [], skipped: 0 };
    let text: string | undefined;
    try { text = fatalDecoder.decode(body); } catch { text = undefined; }
    if (text !== undefined) {
      let start = 0;
      while (start <= text.length) {
        let end = text.indexOf('\n', start);
        if (end === -1) end = text.length;
        const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        if (lineEnd > start) this.oneLine(text.slice(start, lineEnd), ctx, out);
        else if (end < text.length) out.skipped++;
        start = end + 1;
      }
      return out;
    }
    let start = 0;
    while (start <= body.length) {
      let end = body.indexOf(0x0a, start);
      if (end === -1) end = body.length;
      const line = body.subarray(start, end > start && body[end - 1] === 13 ? end - 1 : end);
      start = end + 1;
      if (line.length === 0) continue;
      let s: string;
      try { s = fatalDecoder.decode(line); } catch {
        out.deadLetters.push({ reason: 'invalid_utf8', error: rejectReasons.invalid_utf8, raw: Buffer.from(line) });
        continue;
      }
      this.oneLine(s, ctx, out);
    }
    return out;
  }

  /** Normalizes already-parsed JSON values (the elements of a JSON array body, or one object). */
  objects(values: readonly unknown[], ctx: IntakeContext, withItemErrors = false): IntakeResult {
    const out: IntakeResult = { records: [], jsons: [], deadLetters: [], skipped: 0, ...(withItemErrors ? { itemErrors: [] } : {}) };
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const r = normalizeObject(v, { receivedAt: ctx.receivedAt, ...(ctx.service ? { service: ctx.service } : {}) }, this.opts);
      const before = out.deadLetters.length;
      this.accept(r, () => rawOf(v), out, ctx.receivedAt, true);
      const dl = out.deadLetters[before];
      if (out.itemErrors && dl) out.itemErrors.push({ index: i, reason: dl.reason, error: dl.error });
    }
    return out;
  }

  /**
   * Normalizes text records exactly like the lines of a `lines` body (a record may hold newlines: a multi-line stack
   * trace). Empty and blank records are skipped; a record that is not UTF-8 is invalid_utf8; a `cut` one is
   * line_too_long. Each dead letter is also an item error with the record's index.
   */
  texts(items: readonly TextRecord[], ctx: IntakeContext): IntakeResult {
    const out: IntakeResult = { records: [], jsons: [], deadLetters: [], skipped: 0, itemErrors: [] };
    for (let i = 0; i < items.length; i++) {
      const t = items[i] as TextRecord;
      const before = out.deadLetters.length;
      const raw = Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
      if (t.cut) {
        out.deadLetters.push({ reason: 'line_too_long', error: `the line is longer than ${raw.length} bytes, the sender's limit (a file source's maxLineBytes); only its first ${raw.length} bytes are kept here; raise the limit or split the line`, raw: Buffer.from(raw) });
      } else if (raw.length === 0) {
        out.skipped++;
      } else {
        let s: string | undefined;
        try { s = fatalDecoder.decode(raw); } catch {
          out.deadLetters.push({ reason: 'invalid_utf8', error: rejectReasons.invalid_utf8, raw: Buffer.from(raw) });
        }
        if (s !== undefined && s.trim().length === 0) out.skipped++;
        else if (s !== undefined) this.oneLine(s, ctx, out);
      }
      const dl = out.deadLetters[before];
      if (dl) out.itemErrors?.push({ index: i, reason: dl.reason, error: dl.error });
    }
    return out;
  }

  private oneLine(line: string, ctx: IntakeContext, out: IntakeResult): void {
    if (line.length > this.opts.maxLineBytes || (line.length * 3 > this.opts.maxLineBytes && Buffer.byteLength(line) > this.opts.maxLineBytes)) {
      out.deadLetters.push({
        reason: 'line_too_long',
        error: `the line is ${Buffer.byteLength(line)} bytes, over normalize.maxLineBytes (${this.opts.maxLineBytes}); raise it or split the line`,
        raw: Buffer.from(line, 'utf8'),
      });
      return;
    }
    const r = normalizeLine(line, { receivedAt: ctx.receivedAt, ...(ctx.service ? { service: ctx.service } : {}) }, this.opts);
    this.accept(r, () => Buffer.from(line, 'utf8'), out, ctx.receivedAt);
  }

  private bounds: { at: number; oldest: string; newest: string } = { at: NaN, oldest: '', newest: '' };

  private outsideWindow(timestamp: string, receivedAt: Date): { reason: RejectReason; error: string } | undefined {
    const { maxAgeSeconds, maxFutureSeconds } = this.window;
    if (maxAgeSeconds === 0 && maxFutureSeconds === 0) return undefined;
    // Normalized timestamps are RFC 3339 UTC with a Z, so text order is time order (to within the fraction of the
    // second a missing fraction sorts after): compare against the bounds as text, computed once per receive time.
    const at = receivedAt.getTime();
    if (this.bounds.at !== at) {
      this.bounds = {
        at,
        // Retention cuts at the start of a UTC day (store/partitions.ts): refuse only what it would delete at once.
        oldest: maxAgeSeconds > 0 ? isoOr(Math.floor(at / 86_400_000) * 86_400_000 - maxAgeSeconds * 1000, '') : '',
        newest: maxFutureSeconds > 0 ? isoOr(at + maxFutureSeconds * 1000, '\uffff') : '\uffff',
      };
    }
    if (maxAgeSeconds > 0 && timestamp < this.bounds.oldest) {
      return { reason: 'too_old', error: `the timestamp ${timestamp} is older than the retention (store.retentionDays, ${maxAgeSeconds / 86400} days): it would be deleted at once; raise the retention or set it to 0 to import old logs` };
    }
    if (maxFutureSeconds > 0 && timestamp > this.bounds.newest) {
      return { reason: 'too_far_in_future', error: `the timestamp ${timestamp} is more than normalize.maxFutureSeconds (${maxFutureSeconds}) ahead of the time received; check the sender's clock and timezone` };
    }
    return undefined;
  }

  private accept(r: NormalizeResult, raw: () => Buffer, out: IntakeResult, receivedAt: Date, fromObject = false): void {
    if (!r.ok) {
      out.deadLetters.push({ reason: r.reason, error: r.message, raw: raw() });
      return;
    }
    const problems = this.validator.check(r.record);
    if (problems) {
      out.deadLetters.push({ reason: 'schema_violation', error: `the normalized record does not match schemas/log_schema.yaml: ${problems.join('; ')}`, raw: raw() });
      return;
    }
    const outside = this.outsideWindow(r.record.timestamp, receivedAt);
    if (outside) {
      out.deadLetters.push({ ...outside, raw: raw() });
      return;
    }
    const json = JSON.stringify(r.record);
    // JSON.stringify writes \u escapes only for control characters and lone surrogates: look closer only then.
    if (json.includes('\\u') && !wellFormed(r.record)) {
      out.deadLetters.push({ reason: 'invalid_utf8', error: 'the record holds text that is not valid Unicode (a lone UTF-16 surrogate, e.g. from a \\ud800 escape)', raw: raw() });
      return;
    }
    // A line is bounded by maxLineBytes on the way in; a record from a JSON body is bounded the same way here.
    if (fromObject && json.length > this.opts.maxLineBytes && Buffer.byteLength(json) > this.opts.maxLineBytes) {
      out.deadLetters.push({ reason: 'line_too_long', error: `the record is ${Buffer.byteLength(json)} bytes as JSON, over normalize.maxLineBytes (${this.opts.maxLineBytes}); raise it or split the record`, raw: raw() });
      return;
    }
    out.records.push(r.record);
    out.jsons?.push(json);
  }
}
