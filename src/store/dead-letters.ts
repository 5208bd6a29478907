// Reads and updates the dead-letter table: listing by reason, one entry verbatim, marking replays.
import type { LogStore, Row } from './log-store.js';

export interface DeadLetterEntry {
  id: string;
  received_at: string;
  source: string;
  reason: string;
  error: string;
  /** The raw bytes, base64: exactly what arrived. */
  raw_base64: string;
  /** The raw bytes as text when they are valid UTF-8 (a JSON string: safe to print, never HTML). */
  raw_text: string | null;
  size: number;
  replay_count: number;
  replayed_at: string | null;
  /** The service the request named for records without one (`?service=`), used again on replay. */
  service_hint: string | null;
  /** The input's size before it was cut to normalize.maxDeadLetterBytes; larger than `size` when cut. */
  original_bytes: number;
}

export interface DeadLetterFilter { reason?: string; source?: string; includeReplayed?: boolean; limit: number; offset?: number; ids?: string[] }

const ts = (col: string) => `CASE WHEN ${col} IS NULL THEN NULL ELSE replace(CAST(${col} AS VARCHAR), ' ', 'T') || 'Z' END`;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function where(f: DeadLetterFilter, params: (string | number)[]): string {
  const c: string[] = [];
  if (!f.includeReplayed) c.push('replayed_at IS NULL');
  if (f.reason) { params.push(f.reason); c.push(`reason = $${params.length}`); }
  if (f.source) { params.push(f.source); c.push(`source = $${params.length}`); }
  if (f.ids && f.ids.length > 0) {
    c.push(`id IN (${f.ids.map((id) => { params.push(id); return `$${params.length}`; }).join(', ')})`);
  }
  return c.length ? `WHERE ${c.join(' AND ')}` : '';
}

function toEntry(r: Row): DeadLetterEntry {
  const raw = Buffer.from(String(r.raw_base64 ?? ''), 'base64');
  let text: string | null;
  try { text = utf8.decode(raw); } catch { text = null; }
  return {
    id: String(r.id), received_at: String(r.received_at), source: String(r.source), reason: String(r.reason), error: String(r.error),
    raw_base64: String(r.raw_base64 ?? ''), raw_text: text, size: raw.length,
    replay_count: Number(r.replay_count ?? 0), replayed_at: r.replayed_at === null || r.replayed_at === undefined ? null : String(r.replayed_at),
    service_hint: typeof r.service_hint === 'string' ? r.service_hint : null,
    original_bytes: typeof r.original_bytes === 'number' ? r.original_bytes : raw.length,
  };
}

export async function listDeadLetters(store: LogStore, f: DeadLetterFilter): Promise<DeadLetterEntry[]> {
  const params: (string | number)[] = [];
  const w = where(f, params);
  params.push(f.limit, f.offset ?? 0);
  const rows = await store.query(
    `SELECT id, ${ts('received_at')} AS received_at, source, reason, error, to_base64(raw) AS raw_base64, replay_count, ${ts('replayed_at')} AS replayed_at, service_hint, original_bytes
     FROM dead_letters ${w} ORDER BY lsn DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toEntry);
}

export async function countDeadLetters(store: LogStore, includeReplayed = false): Promise<Record<string, number>> {
  const rows = await store.query(`SELECT reason, count(*) AS n FROM dead_letters ${includeReplayed ? '' : 'WHERE replayed_at IS NULL'} GROUP BY reason ORDER BY n DESC`);
  return Object.fromEntries(rows.map((r) => [String(r.reason), Number(r.n)]));
}

export async function getDeadLetter(store: LogStore, id: string): Promise<DeadLetterEntry | undefined> {
  return (await listDeadLetters(store, { ids: [id], includeReplayed: true, limit: 1 }))[0];
}

/** Records the outcome of a replay attempt: replayed entries get a time, failures the new reason. */
export async function markReplay(store: LogStore, id: string, outcome: { ok: true; at: Date } | { ok: false; reason: string; error: string }): Promise<void> {
  if (outcome.ok) {
    await store.exec('UPDATE dead_letters SET replay_count = replay_count + 1, replayed_at = CAST($2 AS TIMESTAMP_NS) WHERE id = $1', [id, outcome.at.toISOString()]);
  } else {
    await store.exec('UPDATE dead_letters SET replay_count = replay_count + 1, reason = $2, error = $3 WHERE id = $1', [id, outcome.reason, outcome.error]);
  }
}
