// Plain searches: matching records, newest first unless sorted, with chosen fields.
import type { NameRef } from './ast.js';
import { fail } from './cursor.js';
import { COLUMNS, fieldType, resolveField, type ColumnName, type Field } from './fields.js';
import type { Plan } from './plan.js';
import { column, ident, jsonSql, orderSql, timeText, type Params, type Source } from './sql.js';

// The relation is aliased and times are ordered by its column, not by the select's RFC 3339 text of the same name
// (DuckDB resolves ORDER BY names to output columns first; as text, "...:57Z" sorts after "...:57.9Z").
const REL = '_r';
const DEFAULT_ORDER = [`${REL}.${column('timestamp')} DESC`, `${REL}.${column('lsn')} DESC`];

export function compileRows(plan: Plan, source: Source, limit: number): { sql: string; columns: string[] } {
  const { params } = source;
  const names: NameRef[] = plan.fields?.names ?? (Object.keys(COLUMNS) as ColumnName[]).map((name) => ({ name, pos: 0 }));
  const seen = new Set<string>();
  const select = names.map((ref) => {
    if (seen.has(ref.name)) fail(`"${ref.name}" is listed twice in fields`, ref.pos);
    seen.add(ref.name);
    return `${outputSql(resolveName(ref), params)} AS ${ident(ref.name)}`;
  });
  const order = plan.sort?.keys.flatMap((key) => {
    const f = resolveName(key);
    if (f.kind === 'column' && fieldType(f) === 'time') return [`${REL}.${column(f.column)} ${key.desc ? 'DESC' : 'ASC'} NULLS LAST`];
    return orderSql(f, key.desc, params);
  }) ?? DEFAULT_ORDER;
  const sql = `SELECT ${select.join(', ')} FROM ${source.relation} AS ${REL} WHERE ${source.where} ORDER BY ${order.join(', ')} LIMIT ${params.add(limit)}`;
  return { sql, columns: names.map((ref) => ref.name) };
}

/** Times come out as RFC 3339 text; metadata keys as JSON, so numbers stay numbers. */
function outputSql(field: Field, params: Params): string {
  if (field.kind === 'column' && fieldType(field) === 'time') return timeText(column(field.column));
  return jsonSql(field, params);
}

export function resolveName(ref: NameRef): Field {
  const field = resolveField(ref.name);
  if (typeof field === 'string') fail(field, ref.pos);
  return field;
}
