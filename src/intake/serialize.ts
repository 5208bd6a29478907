// Serializes an intake result into WAL bytes with fixed-width LSN and id slots, stamped later in WAL order.
import type { KeyedRecord, SessionKeyOf } from '../detect/session-key.js';
import type { IntakeResult } from './intake.js';

/**
 * One batch of WAL lines, ready to append once its LSNs are stamped. Each line starts with
 * `{"k":"r","lsn":<15 spaces>` (dead letters: `{"k":"d","lsn":<15 spaces>,"id":"dl-<11 chars>"`): JSON allows the
 * padding spaces before a number, so the slots are stamped in place without re-encoding the line.
 */
export interface SerializedBatch {
  buf: Buffer;
  /** Byte offsets of the LSN slot of each line, in line order. */
  slots: number[];
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Record<string, number>;
  /** Per record line (the first `accepted` slots), what the template miner reads: service, message, timestamp. */
  mine: { services: string[]; messages: string[]; timestamps: string[]; times: number[]; levels: string[]; ips: string[]; users: string[]; durations: number[]; sessions?: { keys: string[]; ends: boolean[] } };
  /** Set by the template miner on the main thread: the template id of each record line. */
  templateIds?: string[];
}

export const LSN_WIDTH = 15;
export const ID_WIDTH = 11;
/** Template ids are 16 hex digits, stamped by the miner on the main thread (so ids follow WAL order). */
export const TEMPLATE_ID_WIDTH = 16;
const LSN_PAD = ' '.repeat(LSN_WIDTH);
const ID_PAD = '0'.repeat(ID_WIDTH);
// Record lines carry no id: the store derives it from the LSN (base 36, 11 digits), so it is never parsed or stamped.
const TEMPLATE_KEY = ',"template_id":"';
const REC_HEAD = `{"k":"r","lsn":${LSN_PAD}${TEMPLATE_KEY}${'0'.repeat(TEMPLATE_ID_WIDTH)}"`;
const DL_HEAD = `{"k":"d","lsn":${LSN_PAD},"id":"dl-${ID_PAD}"`;
/** Where the slot starts within a line: after `{"k":"r","lsn":`. */
const SLOT_AT = '{"k":"r","lsn":'.length;
const KIND_BEFORE_SLOT = SLOT_AT - '{"k":"'.length;
/** Distance from the LSN slot to the id slot, per kind. */
const ID_AFTER_DL_SLOT = LSN_WIDTH + ',"id":"dl-'.length;
/** Distance from a record's LSN slot to its template-id slot. */
const TEMPLATE_AFTER_SLOT = LSN_WIDTH + TEMPLATE_KEY.length;

class Out {
  buf: Buffer;
  pos = 0;
  constructor(size: number) { this.buf = Buffer.allocUnsafe(Math.max(1024, size)); }
  /** Makes room for `bytes` more bytes. */
  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  put(s: string): void {
    this.room(s.length * 3); // a JS string of n UTF-16 units needs at most 3n bytes in UTF-8
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  copy(b: Buffer): void {
    this.room(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }
}

/** Metadata fields holding a request's duration in milliseconds, in the order they are looked for (latency detection). */
export const DURATION_FIELDS = ['duration_ms', 'latency_ms', 'response_time_ms', 'elapsed_ms', 'took_ms', 'request_time_ms'] as const;

/**
 * The record's duration in ms from the first of `fields` (metadata paths, dotted for nested objects) its metadata has
 * as a finite non-negative number; NaN if none.
 */
export function durationOf(r: { metadata?: Record<string, unknown> | undefined }, fields: readonly string[] = DURATION_FIELDS): number {
  const m = r.metadata;
  if (m === undefined) return NaN;
  for (const f of fields) {
    let v: unknown = m[f];
    if (v === undefined && f.includes('.')) { v = m; for (const p of f.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined; }
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return NaN;
}

function sessionsOf(records: readonly KeyedRecord[], keyOf: SessionKeyOf): { keys: string[]; ends: boolean[] } {
  const keys: string[] = [], ends: boolean[] = [];
  for (const x of records) { const k = keyOf(x); keys.push(k.key); ends.push(k.end); }
  return { keys, ends };
}

export function serializeBatch(r: IntakeResult, source: string, receivedAt: Date, maxDeadLetterBytes: number, sizeHint = 0, serviceHint?: string, sessionKeyOf?: SessionKeyOf, durationFields: readonly string[] = DURATION_FIELDS): SerializedBatch {
  const out = new Out(sizeHint + 96 * (r.records.length + r.deadLetters.length));
  const slots: number[] = [];
  const tail = `,"received_at":"${receivedAt.toISOString()}","source":${JSON.stringify(source)}`;
  // The constant head of every record line, encoded once per batch; the record's own JSON follows with its
  // opening brace turned into a comma. This is the hot path: one memcpy and one string write per line.
  const recHead = Buffer.from(REC_HEAD + tail, 'utf8');
  const jsons = r.jsons && r.jsons.length === r.records.length ? r.jsons : r.records.map((x) => JSON.stringify(x));
  const mine = { services: r.records.map((x) => x.service), messages: r.records.map((x) => x.message), timestamps: r.records.map((x) => x.timestamp), times: r.records.map((x) => Date.parse(x.timestamp)), levels: r.records.map((x) => x.level), ips: r.records.map((x) => x.ip_address ?? ''), users: r.records.map((x) => x.user_id ?? ''), durations: r.records.map((x) => durationOf(x, durationFields)), ...(sessionKeyOf ? { sessions: sessionsOf(r.records, sessionKeyOf) } : {}) };
  for (const json of jsons) {
    slots.push(out.pos + SLOT_AT);
    out.copy(recHead);
    const at = out.pos;
    out.put(json);
    out.buf[at] = 0x2c; // '{' -> ','
    out.room(1);
    out.buf[out.pos++] = 0x0a;
  }
  const reasons: Record<string, number> = {};
  for (const d of r.deadLetters) {
    reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
    const cut = d.raw.length > maxDeadLetterBytes;
    // The error text may quote the input: make it well-formed so the store can hold it.
    const error = (cut ? `${d.error} (raw input cut from ${d.raw.length} to ${maxDeadLetterBytes} bytes: normalize.maxDeadLetterBytes)` : d.error).toWellFormed();
    const raw = cut ? d.raw.subarray(0, maxDeadLetterBytes) : d.raw;
    slots.push(out.pos + SLOT_AT);
    out.put(DL_HEAD);
    const hint = serviceHint ? `,"service_hint":${JSON.stringify(serviceHint.toWellFormed())}` : '';
    out.put(`${tail},"reason":${JSON.stringify(d.reason)},"error":${JSON.stringify(error)}${hint},"original_bytes":${d.raw.length},"raw_b64":"${raw.toString('base64')}"}\n`);
  }
  return { buf: out.buf.subarray(0, out.pos), slots, accepted: r.records.length, rejected: r.deadLetters.length, skipped: r.skipped, reasons, mine };
}

/** Writes LSNs base, base+1, ... and their ids into the slots; returns the last LSN used. */
export function stampLsns(b: SerializedBatch, base: number): number {
  let lsn = base;
  for (const at of b.slots) {
    const s = String(lsn);
    b.buf.write(s, at + LSN_WIDTH - s.length, 'latin1');
    // Dead letters carry their id ("dl-" + the LSN in base 36); records get theirs from the store.
    if (b.buf[at - KIND_BEFORE_SLOT] === 0x64) b.buf.write(idOf(lsn), at + ID_AFTER_DL_SLOT, 'latin1');
    lsn++;
  }
  return lsn - 1;
}

/** Writes each record's template id into its slot; `ids[i]` belongs to record line i (the first `accepted` slots). */
export function stampTemplateIds(b: SerializedBatch, ids: readonly string[]): void {
  if (ids.length !== b.accepted) throw new Error(`BUG: ${ids.length} template ids for ${b.accepted} records`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    if (id.length !== TEMPLATE_ID_WIDTH) throw new Error(`BUG: template id ${id} is not ${TEMPLATE_ID_WIDTH} characters`);
    b.buf.write(id, (b.slots[i] as number) + TEMPLATE_AFTER_SLOT, 'latin1');
  }
}

export const idOf = (lsn: number) => lsn.toString(36).padStart(ID_WIDTH, '0');
