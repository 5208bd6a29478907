// What normalizing one input yields: a record and its detected format, or a reject reason with a human message.
import type { Level, LogRecordInput } from '../model/log-record.js';
import type { RejectReason } from './reasons.js';

export type LineFormat = 'json' | 'logfmt' | 'rfc5424' | 'rfc3164' | 'access_combined' | 'access_common' | 'plain';

export interface Rejection { ok: false; reason: RejectReason; message: string }

export type NormalizeResult =
  | { ok: true; record: LogRecordInput; format: LineFormat }
  | Rejection;

export function reject(reason: RejectReason, message: string): Rejection {
  return { ok: false, reason, message };
}

/** A parser's output before defaults and limits: the record fields it found, timestamp already RFC 3339. */
export interface Draft {
  ok: true;
  format: LineFormat;
  message: string;
  /** RFC 3339 UTC, or null for "use receivedAt". */
  timestamp: string | null;
  level: Level;
  service?: string | undefined;
  host?: string | undefined;
  user_id?: string | undefined;
  ip_address?: string | undefined;
  trace_id?: string | undefined;
  span_id?: string | undefined;
  /** Unmapped fields; null or empty when there are none. */
  metadata: Record<string, unknown> | null;
}

/** What a parser returns: a draft, a rejection, or (line parsers only) null for "not my format". */
export type Parsed = Draft | Rejection;

/**
 * Sets an own data property, even for the key `__proto__`, which plain assignment would turn
 * into a prototype change. Every metadata write from input-controlled keys must go through here.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Quotes a value for a reject message, cut to 64 characters. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}...` : s);
}
