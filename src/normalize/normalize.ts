// The normalize entry points: one line (text or bytes) or one parsed object in, one record or one rejection out.
import type { LogRecordInput } from '../model/log-record.js';
import { detectAndParse } from './detect-format.js';
import type { MapContext } from './field-map.js';
import { bytesOver, checkFieldSize, lineTooLong } from './limits.js';
import type { NormalizeContext, NormalizeOptions } from './options.js';
import { parseJsonValue } from './parse-json.js';
import { reject, type Draft, type NormalizeResult, type Parsed } from './result.js';
import { zoneFor } from './timestamp.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

let lastReceivedMs = NaN;
let lastReceivedIso = '';

function receivedIso(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastReceivedMs) {
    lastReceivedIso = at.toISOString();
    lastReceivedMs = ms;
  }
  return lastReceivedIso;
}

function mapContext(ctx: NormalizeContext, opts: NormalizeOptions): MapContext {
  return { zone: zoneFor(opts.defaultTimezone), receivedAt: ctx.receivedAt };
}

/** Applies the service default and the field size limits, and builds a record with only defined properties. */
function finish(d: Draft, ctx: NormalizeContext, opts: NormalizeOptions): NormalizeResult {
  const service = d.service || ctx.service || opts.defaultService; // empty strings name no service
  if (!service) {
    return reject('missing_service', 'the record names no service and normalize.defaultService is null; send a service field or configure a default');
  }
  const tooBig = checkFieldSize('service', service)
    ?? (d.host === undefined ? null : checkFieldSize('host', d.host))
    ?? (d.user_id === undefined ? null : checkFieldSize('user_id', d.user_id))
    ?? (d.trace_id === undefined ? null : checkFieldSize('trace_id', d.trace_id))
    ?? (d.span_id === undefined ? null : checkFieldSize('span_id', d.span_id));
  if (tooBig !== null) return tooBig;
  const record: LogRecordInput = {
    timestamp: d.timestamp ?? receivedIso(ctx.receivedAt),
    level: d.level,
    service,
    message: d.message,
  };
  if (d.user_id !== undefined) record.user_id = d.user_id;
  if (d.ip_address !== undefined) record.ip_address = d.ip_address;
  if (d.host !== undefined) record.host = d.host;
  if (d.trace_id !== undefined) record.trace_id = d.trace_id;
  if (d.span_id !== undefined) record.span_id = d.span_id;
  if (d.metadata !== null && hasKeys(d.metadata)) record.metadata = d.metadata;
  return { ok: true, record, format: d.format };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * Normalizes one decoded line (without its line terminator). Blank lines are the caller's business:
 * one given here is rejected with missing_message. It must never throw for any input text.
 */
export function normalizeLine(line: string, ctx: NormalizeContext, opts: NormalizeOptions): NormalizeResult {
  const over = bytesOver(line, opts.maxLineBytes);
  if (over >= 0) return lineTooLong(over, opts.maxLineBytes);
  const s = line.trim();
  if (s.length === 0) return reject('missing_message', 'the line is blank');
  const parsed = detectAndParse(s, mapContext(ctx, opts), opts);
  return parsed.ok ? finish(parsed, ctx, opts) : parsed;
}

/**
 * Parses one line into the fields it names, as normalizeLine does but without the service default and the field
 * size limits: for decoders that merge a line with their protocol's fields (a Loki entry's labels) and hand the result
 * to normalizeObject.
 */
export function parseLine(line: string, ctx: NormalizeContext, opts: NormalizeOptions): Parsed {
  const over = bytesOver(line, opts.maxLineBytes);
  if (over >= 0) return lineTooLong(over, opts.maxLineBytes);
  const s = line.trim();
  if (s.length === 0) return reject('missing_message', 'the line is blank');
  return detectAndParse(s, mapContext(ctx, opts), opts);
}

/** Normalizes one raw line: checks maxLineBytes and UTF-8 validity first (line_too_long / invalid_utf8). */
export function normalizeBytes(line: Uint8Array, ctx: NormalizeContext, opts: NormalizeOptions): NormalizeResult {
  if (line.length > opts.maxLineBytes) return lineTooLong(line.length, opts.maxLineBytes);
  let text: string;
  try {
    text = decoder.decode(line);
  } catch (err) {
    return reject('invalid_utf8', `the line is not valid UTF-8 (${err instanceof Error ? err.message : String(err)}); send UTF-8 text`);
  }
  return normalizeLine(text, ctx, opts);
}

/** Normalizes one already-parsed JSON value (arrays are split by the caller). The message is bounded by maxLineBytes. */
export function normalizeObject(obj: unknown, ctx: NormalizeContext, opts: NormalizeOptions): NormalizeResult {
  const parsed = parseJsonValue(obj, mapContext(ctx, opts), opts);
  if (!parsed.ok) return parsed;
  const over = bytesOver(parsed.message, opts.maxLineBytes);
  if (over >= 0) return lineTooLong(over, opts.maxLineBytes, 'message');
  return finish(parsed, ctx, opts);
}
