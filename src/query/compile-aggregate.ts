// stats, histogram and top: a grouped inner query, then an outer one that names, orders, limits and formats.
import type { Aggregate, FieldRef, GroupingPipe, HistogramPipe, NameRef } from './ast.js';
import { fail } from './cursor.js';
import { joinAnd } from './compile-filter.js';
import { fieldType } from './fields.js';
import type { Plan } from './plan.js';
import { column, ident, levelAtRank, levelRank, numberSql, textSql, timeText, type Params, type Source } from './sql.js';

/** One output column: its public name, the SQL computing it in the inner query, and how to order and print it. */
interface Output {
  name: string;
  pos: number;
  sql: string;
  type: 'time' | 'level' | 'plain';
}

/** An output once placed in the inner query, where it is the column `inner` ("c0", "c1", ...). */
type Placed = Output & { inner: string };

export function compileAggregate(pipe: GroupingPipe, plan: Plan, source: Source, limit: number): { sql: string; columns: string[] } {
  const { params } = source;
  const keys = pipe.kind === 'histogram' ? histogramKeys(pipe, params) : pipe.by.map((ref) => keyOutput(ref, params));
  const values = pipe.kind === 'stats' ? pipe.aggregates.map((a) => aggregateOutput(a, params)) : [countOutput(pipe.pos)];
  const outputs: Placed[] = [...keys, ...values].map((o, i) => ({ ...o, inner: ident(`c${i}`) }));
  checkUnique(outputs);
  // top leaves out records without a value: "the 10 most common user_id" should not start with "no user".
  const where = pipe.kind === 'top' ? joinAnd([source.where, ...keys.map((key) => `${key.sql} IS NOT NULL`)]) : source.where;
  const groupBy = keys.length === 0 ? '' : ` GROUP BY ${outputs.slice(0, keys.length).map((o) => o.inner).join(', ')}`;
  const innerSql = `SELECT ${outputs.map((o) => `${o.sql} AS ${o.inner}`).join(', ')} FROM ${source.relation} WHERE ${where}${groupBy}`;

  const find = (ref: NameRef): Placed => outputs.find((o) => o.name === ref.name)
    ?? fail(`no column "${ref.name}" in the ${pipe.kind} output; its columns are ${outputs.map((o) => o.name).join(', ')}`, ref.pos);
  const order = plan.sort?.keys.map((key) => orderTerm(find(key), key.desc)) ?? defaultOrder(pipe, outputs, keys.length);
  const shown = plan.fields?.names.map(find) ?? outputs;
  const select = shown.map((o) => `${o.type === 'time' ? timeText(o.inner) : o.inner} AS ${ident(o.name)}`);
  const sql = `SELECT ${select.join(', ')} FROM (${innerSql}) AS grouped ORDER BY ${order.join(', ')} LIMIT ${params.add(limit)}`;
  return { sql, columns: shown.map((o) => o.name) };
}

function orderTerm(o: Placed, desc: boolean): string {
  return `${o.type === 'level' ? levelRank(o.inner) : o.inner} ${desc ? 'DESC' : 'ASC'} NULLS LAST`;
}

/** stats: largest first value first; top: most frequent first; histogram: oldest bucket first. Keys break ties. */
function defaultOrder(pipe: GroupingPipe, outputs: readonly Placed[], keyCount: number): string[] {
  const keys = outputs.slice(0, keyCount).map((o) => orderTerm(o, false));
  const first = outputs[keyCount];
  return pipe.kind === 'histogram' || first === undefined ? keys : [orderTerm(first, true), ...keys];
}

function countOutput(pos: number): Output {
  return { name: 'count', pos, sql: 'count(*)', type: 'plain' };
}

function histogramKeys(pipe: HistogramPipe, params: Params): Output[] {
  const micros = params.add(Number(pipe.bucketNs / 1000n));
  const bucket: Output = { name: 'bucket', pos: pipe.pos, sql: `time_bucket(to_microseconds(CAST(${micros} AS BIGINT)), ${column('timestamp')})`, type: 'time' };
  return pipe.by === undefined ? [bucket] : [bucket, keyOutput(pipe.by, params)];
}

function keyOutput(ref: FieldRef, params: Params): Output {
  const type = fieldType(ref.field);
  return { name: ref.name, pos: ref.pos, sql: textSql(ref.field, params), type: type === 'time' || type === 'level' ? type : 'plain' };
}

function aggregateOutput(a: Aggregate, params: Params): Output {
  const out = (sql: string, type: Output['type'] = 'plain'): Output => ({ name: a.name, pos: a.pos, sql, type });
  if (a.fn === 'count') return out(a.field === undefined ? 'count(*)' : `count(${textSql(a.field.field, params)})`);
  if (a.fn === 'count_distinct') return out(`count(DISTINCT ${textSql(a.field.field, params)})`);
  const number = numberSql(a.field.field, params);
  if (a.fn === 'min' || a.fn === 'max') {
    // Columns keep their own order (times, text); metadata values are compared as numbers.
    if (number !== undefined) return out(`${a.fn}(${number})`);
    const type = fieldType(a.field.field);
    const value = textSql(a.field.field, params);
    // The most severe level is max(level), not the alphabetically last one.
    if (type === 'level') return out(levelAtRank(`${a.fn}(${levelRank(value)})`), 'level');
    return out(`${a.fn}(${value})`, type === 'time' ? 'time' : 'plain');
  }
  if (number === undefined) {
    fail(`this aggregate needs a number, and ${a.field.name} is ${fieldType(a.field.field)}: use lsn or a metadata field`, a.field.pos);
  }
  if (a.fn === 'quantile') return out(`quantile_cont(${number}, CAST(${params.add(a.q)} AS DOUBLE))`);
  return out(`${a.fn}(${number})`);
}

function checkUnique(outputs: readonly Output[]): void {
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(o.name)) fail(`two output columns are named "${o.name}"; rename one with "as", e.g. count() as errors`, o.pos);
    seen.add(o.name);
  }
}
