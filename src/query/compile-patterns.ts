// `| patterns`: matching records grouped by template_id, joined with the miner's templates table, with a sparkline each.
import { TEMPLATES_TABLE } from '../store/templates.js';
import type { Filter, NameRef, PatternsPipe } from './ast.js';
import { joinAnd } from './compile-filter.js';
import { fail } from './cursor.js';
import type { Plan } from './plan.js';
import { bucketIndexSql, sparklineSql } from './sparkline.js';
import { column, ident, timeParam, timeText, type Source } from './sql.js';

/** The time span a sparkline covers, where the query bounds it; an open end is the matched records' first or last time. */
export interface TimeSpan {
  lowerNs?: bigint;
  upperNs?: bigint;
}

interface Output {
  name: string;
  /** SQL over `g` (the grouped templates) and `t` (the templates table row, NULL when the miner has none). */
  sql: string;
  time: boolean;
}

export function compilePatterns(pipe: PatternsPipe, plan: Plan, source: Source, span: TimeSpan, nowNs: bigint, limit: number): { sql: string; columns: string[] } {
  const { params } = source;
  const n = `CAST(${params.add(pipe.buckets)} AS BIGINT)`;
  const bound = (epochNs: bigint | undefined, fallback: string): string =>
    epochNs === undefined ? fallback : timeParam({ kind: 'absolute', epochNs }, nowNs, params);
  // Records the miner has not assigned (template_id NULL) have no pattern: they are left out, as top leaves out missing values.
  const matched = `SELECT ${column('template_id')} AS tid, ${column('service')} AS svc, ${column('message')} AS msg, ${column('timestamp')} AS ts`
    + ` FROM ${source.relation} WHERE ${joinAnd([source.where, `${column('template_id')} IS NOT NULL`])}`;
  // One row: the bounds the query gives, the matched records' own first or last time for an open end.
  const open = span.lowerNs === undefined || span.upperNs === undefined;
  const spanSql = `SELECT ${bound(span.lowerNs, 'min(ts)')} AS lo, ${bound(span.upperNs, 'max(ts)')} AS hi${open ? ' FROM matched' : ''}`;
  const grouped = 'SELECT tid, count(*) AS n, any_value(svc) AS svc, any_value(msg) AS msg, min(ts) AS "first", max(ts) AS "last",'
    + ` histogram(${bucketIndexSql('ts', 'lo', 'hi', n)}) AS h FROM matched, span GROUP BY tid`;
  const outputs: Output[] = [
    { name: 'template_id', sql: 'g.tid', time: false },
    // Without a templates row (the miner has not saved it yet) one matching message stands for the template.
    { name: 'template', sql: 'coalesce(t."template", g.msg)', time: false },
    { name: 'service', sql: 'coalesce(t."service", g.svc)', time: false },
    { name: 'count', sql: 'g.n', time: false },
    { name: 'first', sql: 'g."first"', time: true },
    { name: 'last', sql: 'g."last"', time: true },
    { name: 'sparkline', sql: sparklineSql('g.h', n), time: false },
  ];
  const inner = outputs.map((o, i) => `${o.sql} AS ${ident(`c${i}`)}`).join(', ');
  const placed = (ref: NameRef): string => {
    const i = outputs.findIndex((o) => o.name === ref.name);
    if (i < 0) fail(`no column "${ref.name}" in the patterns output; its columns are ${outputs.map((o) => o.name).join(', ')}`, ref.pos);
    return ident(`c${i}`);
  };
  const order = plan.sort?.keys.map((key) => `${placed(key)} ${key.desc ? 'DESC' : 'ASC'} NULLS LAST`) ?? ['"c3" DESC', '"c0" ASC'];
  const shown = plan.fields?.names ?? outputs.map((o) => ({ name: o.name, pos: pipe.pos }));
  const select = shown.map((ref) => {
    const col = placed(ref);
    const time = outputs.find((o) => o.name === ref.name)?.time === true;
    return `${time ? timeText(col) : col} AS ${ident(ref.name)}`;
  });
  // Not materialized: the span and the groups each scan the relation, rather than buffering every matched message.
  const sql = `WITH matched AS NOT MATERIALIZED (${matched}), span AS (${spanSql}), g AS (${grouped})`
    + ` SELECT ${select.join(', ')} FROM (SELECT ${inner} FROM g LEFT JOIN ${TEMPLATES_TABLE} AS t ON t."template_id" = g.tid) AS patterns`
    + ` ORDER BY ${order.join(', ')} LIMIT ${params.add(limit)}`;
  return { sql, columns: shown.map((ref) => ref.name) };
}

/** The time bounds a query puts on `timestamp` at its top level (ANDed terms only); tighter of query and API bounds. */
export function querySpan(filter: Filter, nowNs: bigint, start: bigint | undefined, end: bigint | undefined): TimeSpan {
  const lowers: bigint[] = start === undefined ? [] : [start];
  const uppers: bigint[] = end === undefined ? [] : [end];
  const visit = (f: Filter): void => {
    if (f.kind === 'and') f.items.forEach(visit);
    if (f.kind !== 'time' || f.column !== 'timestamp') return;
    const at = (p: NonNullable<typeof f.lower>['value']): bigint => (p.kind === 'absolute' ? p.epochNs : nowNs - p.ns);
    if (f.lower !== undefined) lowers.push(at(f.lower.value));
    if (f.upper !== undefined) uppers.push(at(f.upper.value));
  };
  visit(filter);
  const span: TimeSpan = {};
  if (lowers.length > 0) span.lowerNs = lowers.reduce((a, b) => (b > a ? b : a));
  if (uppers.length > 0) span.upperNs = uppers.reduce((a, b) => (b < a ? b : a));
  return span;
}
