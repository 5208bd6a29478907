// The fields a query can name: the store's columns (the relation contract) and keys inside `metadata`.

/** Each column of the relation the store hands to the compiler, with how the language treats it. */
export const COLUMNS = {
  id: 'string',
  timestamp: 'time',
  level: 'level',
  service: 'string',
  message: 'text',
  user_id: 'string',
  ip_address: 'string',
  host: 'string',
  trace_id: 'string',
  span_id: 'string',
  metadata: 'json',
  received_at: 'time',
  source: 'string',
  template_id: 'string',
  lsn: 'number',
} as const;

export type ColumnName = keyof typeof COLUMNS;
export type ColumnType = (typeof COLUMNS)[ColumnName];

/** A column, or a path of keys inside the `metadata` JSON object. */
export type Field = { kind: 'column'; column: ColumnName } | { kind: 'metadata'; path: string[] };

/** Field names: letters, digits, `_`, `.` and `-`, starting with a letter or `_`. */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `_time` is the conventional name for the event time (as in LogsQL); `template` is short for the miner's template_id. */
const ALIASES: Readonly<Record<string, ColumnName>> = { _time: 'timestamp', template: 'template_id' };

export function isColumn(name: string): name is ColumnName {
  return Object.hasOwn(COLUMNS, name);
}

/**
 * Resolves a field name: a column, `metadata.a.b`, or any other name as a metadata key path (`region`, `http.status`).
 * Returns an error message instead of a field when the name is malformed.
 */
export function resolveField(name: string): Field | string {
  if (!FIELD_NAME.test(name)) return `invalid field name "${name}": use letters, digits, "_", "." and "-"`;
  const alias = ALIASES[name];
  if (alias !== undefined) return { kind: 'column', column: alias };
  if (isColumn(name)) return { kind: 'column', column: name };
  const path = name.startsWith('metadata.') ? name.slice('metadata.'.length).split('.') : name.split('.');
  if (path.some((key) => key === '')) return `invalid field name "${name}": a key between dots is empty`;
  return { kind: 'metadata', path };
}

export function fieldType(field: Field): ColumnType | 'metadata' {
  return field.kind === 'column' ? COLUMNS[field.column] : 'metadata';
}
