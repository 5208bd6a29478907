// stats, histogram and top: a grouped inner query, then an outer one that names, orders, limits and formats.
import type { Aggregate, AggregatingPipe, FieldRef, HistogramPipe } from './ast.js';
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

export function compileAggregate(pipe: AggregatingPipe, plan: Plan, source: Source, limit: number): { sql: string; columns: string[] } {
  const { params } = source;
  const keys = pipe.kind === 'histogram' ? histogramKeys(pipe, params) : pipe.by.map((ref) => keyOutput(ref, params));
  const values = pipe.kind === 'stats' ? pipe.aggregates.map((a) => aggregateOutput(a, params)) : [{ name: 'count', pos: pipe.pos, sql: 'count(*)', type: 'plain' as const }];
  const outputs = [...keys, ...values];
  checkUnique(outputs);
  const inner = (i: number): string => ident(`c${i}`);
  // top leaves out records without a value: "the 10 most common user_id" should not start with "no user".
  const where = pipe.kind === 'top' ? joinAnd([source.where, ...keys.map((key) => `${key.sql} IS NOT NULL`)]) : source.where;
  const groupBy = keys.length === 0 ? '' : ` GROUP BY ${keys.map((_, i) => inner(i)).join(', ')}`;
  const innerSql = `SELECT ${outputs.map((o, i) => `${o.sql} AS ${inner(i)}`).join(', ')} FROM ${source.relation} WHERE ${where}${groupBy}`;

  const indexOf = (name: string, pos: number): number => {
    const i = outputs.findIndex((o) => o.name === name);
    if (i < 0) fail(`no column "${name}" in the ${pipe.kind} output; its columns are ${outputs.map((o) => o.name).join(', ')}`, pos);
    return i;
  };
  const orderTerm = (i: number, desc: boolean): string => {
    const expr = outputs[i]?.type === 'level' ? levelRank(inner(i)) : inner(i);
    return `${expr} ${desc ? 'DESC' : 'ASC'} NULLS LAST`;
  };
  const order = plan.sort?.keys.map((key) => orderTerm(indexOf(key.name, key.pos), key.desc)) ?? defaultOrder(pipe, keys.length).map(([i, desc]) => orderTerm(i, desc));
  const shown = plan.fields?.names.map((ref) => indexOf(ref.name, ref.pos)) ?? outputs.map((_, i) => i);
  const select = shown.map((i) => `${outputs[i]?.type === 'time' ? timeText(inner(i)) : inner(i)} AS ${ident(outputs[i]?.name ?? '')}`);
  const sql = `SELECT ${select.join(', ')} FROM (${innerSql}) AS grouped ORDER BY ${order.join(', ')} LIMIT ${params.add(limit)}`;
  return { sql, columns: shown.map((i) => outputs[i]?.name ?? '') };
}

/** stats: largest first value first; top: most frequent first; histogram: oldest bucket first. Keys break ties. */
function defaultOrder(pipe: AggregatingPipe, keyCount: number): [number, boolean][] {
  const keys: [number, boolean][] = Array.from({ length: keyCount }, (_, i) => [i, false]);
  return pipe.kind === 'histogram' ? keys : [[keyCount, true], ...keys];
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
