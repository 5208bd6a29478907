// SQL building blocks: bound parameters and field expressions. User text reaches SQL only as a bound parameter.
import { bug, QueryError } from '../errors.js';
import { LEVELS } from '../model/log-record.js';
import type { TimePoint } from './ast.js';
import { FIELD_NAME, fieldType, type ColumnName, type Field } from './fields.js';
import { formatEpochNs } from './time.js';

export type ParamValue = string | number | bigint | boolean;

/** Collects positional parameters; `add` returns the placeholder (`$1`, `$2`, ...) to splice into the SQL. */
export class Params {
  readonly values: ParamValue[] = [];

  add(value: ParamValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Where rows come from: the store's trusted relation, the compiled WHERE clause and the parameters bound so far. */
export interface Source {
  relation: string;
  where: string;
  params: Params;
}

/** Quotes a name that already passed FIELD_NAME (no quotes possible); anything else is a bug, never user input. */
export function ident(name: string): string {
  if (!FIELD_NAME.test(name)) bug(`identifier "${name}" escaped validation`);
  return `"${name}"`;
}

export function column(name: ColumnName): string {
  return ident(name);
}

/** The JSON pointer for a metadata path, bound as a parameter (keys passed FIELD_NAME, so no `~` or `/`). */
function jsonPointer(path: readonly string[], params: Params): string {
  return params.add(`/${path.join('/')}`);
}

/** The field as text (metadata values as their JSON scalar text), for equality, prefix, grouping and counting. */
export function textSql(field: Field, params: Params): string {
  if (field.kind === 'metadata') return `json_extract_string(${column('metadata')}, ${jsonPointer(field.path, params)})`;
  return column(field.column);
}

/** The field as JSON (metadata keys keep numbers, booleans and objects), for row output. */
export function jsonSql(field: Field, params: Params): string {
  if (field.kind === 'metadata') return `json_extract(${column('metadata')}, ${jsonPointer(field.path, params)})`;
  return column(field.column);
}

/** The field as a DOUBLE, or undefined when it is not numeric; metadata values that are not numbers become NULL. */
export function numberSql(field: Field, params: Params): string | undefined {
  if (field.kind === 'metadata') return `TRY_CAST(${textSql(field, params)} AS DOUBLE)`;
  return fieldType(field) === 'number' ? `CAST(${column(field.column)} AS DOUBLE)` : undefined;
}

/** ORDER BY terms for a field: levels by severity, metadata numerically first and then as text. */
export function orderSql(field: Field, desc: boolean, params: Params): string[] {
  const dir = desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST';
  if (field.kind === 'metadata') return [`${numberSql(field, params)} ${dir}`, `${textSql(field, params)} ${dir}`];
  if (fieldType(field) === 'level') return [`${levelRank(column(field.column))} ${dir}`];
  return [`${column(field.column)} ${dir}`];
}

/** Levels from least to most severe, as a SQL list literal (constants from the model, never user text). */
const LEVEL_LIST = `[${LEVELS.map((level) => `'${level}'`).join(', ')}]`;

/** A level's severity, 1 (TRACE) to 6 (FATAL). */
export function levelRank(expr: string): string {
  return `list_position(${LEVEL_LIST}, ${expr})`;
}

/** The level with a given severity: the inverse of levelRank. */
export function levelAtRank(expr: string): string {
  return `list_extract(${LEVEL_LIST}, ${expr})`;
}

/** A TIMESTAMP_NS as RFC 3339 text with up to nanosecond precision ('2024-01-02T03:04:05.123456789Z'). */
export function timeText(expr: string): string {
  return `replace(CAST(${expr} AS VARCHAR), ' ', 'T') || 'Z'`;
}

/** Binds an instant (relative ones resolved against `nowNs`) and casts it to TIMESTAMP_NS. */
export function timeParam(point: TimePoint, nowNs: bigint, params: Params): string {
  const epochNs = point.kind === 'absolute' ? point.epochNs : nowNs - point.ns;
  const text = formatEpochNs(epochNs);
  if (text === undefined) throw new QueryError('a time in the query is outside the years 0000-9999');
  return `CAST(${params.add(text)} AS TIMESTAMP_NS)`;
}
