// Filter AST -> SQL boolean expression. NULL means "no match": only NOT has to turn it into FALSE first.
import { bug } from '../errors.js';
import type { Bound, Filter, TimePoint } from './ast.js';
import type { Field } from './fields.js';
import { column, numberSql, Params, textSql, timeParam } from './sql.js';

export interface FilterContext {
  params: Params;
  nowNs: bigint;
}

export function compileFilter(filter: Filter, ctx: FilterContext): string {
  const { params } = ctx;
  switch (filter.kind) {
    case 'all': return 'TRUE';
    case 'and': return joinAnd(filter.items.map((item) => compileFilter(item, ctx)));
    case 'or': return `(${filter.items.map((item) => compileFilter(item, ctx)).join(' OR ')})`;
    // `-user_id:u1` must keep records without a user_id, where the inner comparison is NULL.
    case 'not': return `(NOT coalesce(${compileFilter(filter.item, ctx)}, FALSE))`;
    // contains(lower(...)) is several times faster than ILIKE in DuckDB and needs no escaping of % and _.
    case 'text': return `contains(lower(${column('message')}), ${params.add(filter.text.toLowerCase())})`;
    case 'equals': return `${textSql(filter.field, params)} = ${params.add(filter.value)}`;
    case 'prefix': return `starts_with(${textSql(filter.field, params)}, ${params.add(filter.prefix)})`;
    case 'in': return `${textSql(filter.field, params)} IN (${filter.values.map((v) => params.add(v)).join(', ')})`;
    case 'exists': return `${existsSql(filter.field, params)} IS NOT NULL`;
    case 'number': return numberRange(filter.field, filter.lower, filter.upper, params);
    case 'time': return timeRange(column(filter.column), filter.lower, filter.upper, ctx);
  }
}

function existsSql(field: Field, params: Params): string {
  return field.kind === 'metadata' ? textSql(field, params) : column(field.column);
}

function numberRange(field: Field, lower: Bound<number> | undefined, upper: Bound<number> | undefined, params: Params): string {
  const parts: string[] = [];
  const bound = (b: Bound<number>, op: string): void => {
    parts.push(`${numberSql(field, params) ?? bug('number filter on a field that is not numeric')} ${op} CAST(${params.add(b.value)} AS DOUBLE)`);
  };
  if (lower !== undefined) bound(lower, lower.inclusive ? '>=' : '>');
  if (upper !== undefined) bound(upper, upper.inclusive ? '<=' : '<');
  return joinAnd(parts);
}

function timeRange(expr: string, lower: Bound<TimePoint> | undefined, upper: Bound<TimePoint> | undefined, ctx: FilterContext): string {
  const parts: string[] = [];
  if (lower !== undefined) parts.push(`${expr} ${lower.inclusive ? '>=' : '>'} ${timeParam(lower.value, ctx.nowNs, ctx.params)}`);
  if (upper !== undefined) parts.push(`${expr} ${upper.inclusive ? '<=' : '<'} ${timeParam(upper.value, ctx.nowNs, ctx.params)}`);
  return joinAnd(parts);
}

export function joinAnd(parts: readonly string[]): string {
  const kept = parts.filter((part) => part !== 'TRUE');
  if (kept.length === 0) return 'TRUE';
  return kept.length === 1 ? (kept[0] ?? 'TRUE') : `(${kept.join(' AND ')})`;
}
