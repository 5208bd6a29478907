// The stored columns of a log record and a dead letter: one list drives the DDL, the WAL loader and the query relation.

/** Log columns in table order; `lsn` is the write-ahead-log sequence number that makes replay idempotent. */
export const LOG_COLUMNS = [
  ['id', 'VARCHAR'],
  ['timestamp', 'TIMESTAMP_NS'],
  ['level', 'VARCHAR'],
  ['service', 'VARCHAR'],
  ['message', 'VARCHAR'],
  ['user_id', 'VARCHAR'],
  ['ip_address', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['trace_id', 'VARCHAR'],
  ['span_id', 'VARCHAR'],
  ['metadata', 'JSON'],
  ['received_at', 'TIMESTAMP_NS'],
  ['source', 'VARCHAR'],
  ['template_id', 'VARCHAR'],
  ['lsn', 'BIGINT'],
] as const;

export type LogColumn = (typeof LOG_COLUMNS)[number][0];

export const LOG_COLUMN_NAMES: readonly LogColumn[] = LOG_COLUMNS.map(([n]) => n);

/** Dead-letter columns: the raw bytes are kept verbatim (BLOB), never decoded as text on the way in. */
export const DEAD_LETTER_COLUMNS = [
  ['id', 'VARCHAR'],
  ['lsn', 'BIGINT'],
  ['received_at', 'TIMESTAMP_NS'],
  ['source', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['error', 'VARCHAR'],
  ['raw', 'BLOB'],
  ['replay_count', 'INTEGER'],
  ['replayed_at', 'TIMESTAMP_NS'],
  /** The per-request default service (`?service=`, `ingest --service`) the input came with, for replay. */
  ['service_hint', 'VARCHAR'],
  /** Size of the input before it was cut to normalize.maxDeadLetterBytes (equal to length(raw) when whole). */
  ['original_bytes', 'BIGINT'],
] as const;

/** `CREATE TABLE` column list. */
export function ddlColumns(cols: readonly (readonly [string, string])[]): string {
  return cols.map(([n, t]) => `"${n}" ${t}`).join(', ');
}

/** The DuckDB struct literal read_json needs to read a WAL segment: every column either table may take, plus the kind. */
export function walJsonColumns(): string {
  const all = new Map<string, string>([['k', 'VARCHAR'], ['raw_b64', 'VARCHAR'], ['reason', 'VARCHAR'], ['error', 'VARCHAR'], ['service_hint', 'VARCHAR'], ['original_bytes', 'BIGINT']]);
  for (const [n, t] of LOG_COLUMNS) all.set(n, t);
  return `{${[...all].map(([n, t]) => `"${n}": '${t}'`).join(', ')}}`;
}
