// The normalized log record type; schemas/log_schema.yaml is the source of truth (a test proves they agree).

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** A record as normalize/ produces it, before the engine assigns id, received_at and source. */
export interface LogRecordInput {
  timestamp: string;
  level: Level;
  service: string;
  message: string;
  user_id?: string;
  ip_address?: string;
  host?: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
}

/** A stored record: input fields plus the engine-assigned ones. */
export interface LogRecord extends LogRecordInput {
  id: string;
  received_at: string;
  source: string;
  template_id?: string;
}

/** Every property of LogRecord, in schema order; checked against the schema by model/schemas.test.ts. */
export const LOG_RECORD_FIELDS = [
  'id', 'timestamp', 'level', 'service', 'message', 'user_id', 'ip_address', 'host',
  'trace_id', 'span_id', 'metadata', 'received_at', 'source', 'template_id',
] as const satisfies readonly (keyof LogRecord)[];

/** The required properties of LogRecord. */
export const LOG_RECORD_REQUIRED = ['timestamp', 'level', 'service', 'message'] as const satisfies readonly (keyof LogRecord)[];

// Compile-time proof that LOG_RECORD_FIELDS names every key of LogRecord.
type Missing = Exclude<keyof LogRecord, (typeof LOG_RECORD_FIELDS)[number]>;
const _allFieldsListed: Missing extends never ? true : never = true;
void _allFieldsListed;
