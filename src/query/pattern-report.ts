// The patterns report behind GET /api/v1/patterns: per template, its count in a range, in the range before, and a sparkline.
import { bug } from '../errors.js';
import { TEMPLATES_TABLE } from '../store/templates.js';
import { bucketIndexSql, MAX_SPARKLINE_BUCKETS, sparklineSql } from './sparkline.js';
import { column, Params, timeParam, timeText, type ParamValue } from './sql.js';

export const PATTERN_SORTS = ['change', 'newest', 'count'] as const;
export type PatternSort = (typeof PATTERN_SORTS)[number];

export interface PatternReportOptions {
  /** A trusted SQL relation with the store's columns (engine.relation()); never user text. */
  relation: string;
  /** The range [from, to), nanoseconds since the epoch; the previous range is the same length, ending at `from`. */
  fromNs: bigint;
  toNs: bigint;
  buckets: number;
  service?: string;
  sort: PatternSort;
  limit: number;
}

/** Output columns, in order. */
export const PATTERN_REPORT_COLUMNS = ['template_id', 'service', 'template', 'count', 'previous_count', 'change', 'new', 'first_seen', 'last_seen', 'examples', 'sparkline'] as const;

/** Qualified with `r.`: the output's first_seen is text, and RFC 3339 text with fractions does not sort as time. */
const ORDER: Readonly<Record<PatternSort, string>> = {
  change: 'abs(r.change) DESC, r.cur DESC, r.tid',
  newest: 'r.first_seen DESC NULLS LAST, r.cur DESC, r.tid',
  count: 'r.cur DESC, r.tid',
};

/**
 * Compiles the report to one parameterized SELECT. Templates are those with records (template_id set) in the range or
 * the previous one; `change` is (count - previous_count) / max(previous_count, 1); `new` is first_seen inside the range.
 * first_seen/last_seen come from the templates table, widened by the records read; without a row, those records alone.
 */
export function compilePatternReport(o: PatternReportOptions): { sql: string; params: ParamValue[] } {
  if (o.toNs <= o.fromNs) bug('pattern report range is empty');
  if (!Number.isSafeInteger(o.buckets) || o.buckets < 1 || o.buckets > MAX_SPARKLINE_BUCKETS) bug(`pattern report buckets ${o.buckets}`);
  const params = new Params();
  const at = (epochNs: bigint) => timeParam({ kind: 'absolute', epochNs }, 0n, params);
  const prev = at(o.fromNs - (o.toNs - o.fromNs)), from = at(o.fromNs), to = at(o.toNs);
  const n = `CAST(${params.add(o.buckets)} AS BIGINT)`;
  const where = [`${column('template_id')} IS NOT NULL`, `${column('timestamp')} >= ${prev}`, `${column('timestamp')} < ${to}`];
  if (o.service !== undefined) where.push(`${column('service')} = ${params.add(o.service)}`);
  const matched = `SELECT ${column('template_id')} AS tid, ${column('service')} AS svc, ${column('message')} AS msg, ${column('timestamp')} AS ts`
    + ` FROM ${o.relation} WHERE ${where.join(' AND ')}`;
  const grouped = 'SELECT tid, any_value(svc) AS svc, any_value(msg) AS msg,'
    + ` count(*) FILTER (WHERE ts >= ${from}) AS cur, count(*) FILTER (WHERE ts < ${from}) AS prev, min(ts) AS lo, max(ts) AS hi,`
    + ` histogram(${bucketIndexSql('ts', from, to, n)}) FILTER (WHERE ts >= ${from}) AS h FROM matched GROUP BY tid`;
  const joined = 'SELECT g.tid, coalesce(t."service", g.svc) AS service, coalesce(t."template", g.msg) AS template, g.cur, g.prev,'
    + ' CAST(g.cur - g.prev AS DOUBLE) / greatest(g.prev, 1) AS change,'
    + ' least(t.first_seen, g.lo) AS first_seen, greatest(t.last_seen, g.hi) AS last_seen,'
    + ` coalesce(t.examples, [g.msg]) AS examples, ${sparklineSql('g.h', n)} AS sparkline`
    + ` FROM g LEFT JOIN ${TEMPLATES_TABLE} AS t ON t."template_id" = g.tid`;
  const select = ['tid AS "template_id"', 'service AS "service"', 'template AS "template"', 'cur AS "count"', 'prev AS "previous_count"',
    'change AS "change"', `(first_seen >= ${from} AND first_seen < ${to}) AS "new"`, `${timeText('first_seen')} AS "first_seen"`,
    `${timeText('last_seen')} AS "last_seen"`, 'examples AS "examples"', 'sparkline AS "sparkline"'];
  const sql = `WITH matched AS (${matched}), g AS (${grouped}), r AS (${joined})`
    + ` SELECT ${select.join(', ')} FROM r ORDER BY ${ORDER[o.sort]} LIMIT ${params.add(o.limit)}`;
  return { sql, params: params.values };
}
