// Query AST -> one parameterized DuckDB SELECT over the store's relation (for `| anomalies`, over the anomalies table).
import { bug, QueryError } from '../errors.js';
import type { Query } from './ast.js';
import { compileAggregate } from './compile-aggregate.js';
import { compileAnomalies } from './compile-anomalies.js';
import { compileFilter, joinAnd } from './compile-filter.js';
import { compilePatterns, querySpan } from './compile-patterns.js';
import { compileRows } from './compile-rows.js';
import { planPipes, type Plan } from './plan.js';
import { column, Params, timeParam, type ParamValue, type Source } from './sql.js';
import { dateToEpochNs } from './time.js';

export interface CompileOptions {
  /** A trusted SQL relation with the store's columns (`logs`, `(SELECT ... UNION ALL ...)`); never user text. */
  relation: string;
  /** The instant relative times (`_time:15m`, `now-1h`) count back from. */
  now: Date;
  /** Optional bounds from the API, ANDed with the query: start inclusive, end exclusive. */
  start?: Date;
  end?: Date;
  /** Rows returned by a search or stats without `| limit`. */
  defaultLimit: number;
  /** The largest limit a query may ask for (also caps histogram buckets). */
  maxLimit: number;
}

export type ResultKind = 'rows' | 'stats' | 'histogram' | 'top' | 'patterns' | 'anomalies';

export interface CompiledQuery {
  sql: string;
  params: ParamValue[];
  kind: ResultKind;
  /** Output column names, in order. */
  columns: string[];
  /** The LIMIT applied: a result with exactly this many rows may have been cut short. */
  limit: number;
}

/** Compiles a parsed query. Throws QueryError when pipes are out of order, names are unknown or a limit is too high. */
export function compileQuery(query: Query, opts: CompileOptions): CompiledQuery {
  checkOptions(opts);
  const params = new Params();
  const nowNs = dateToEpochNs(opts.now);
  const plan = planPipes(query.pipes);
  const limit = chooseLimit(plan, opts);
  if (plan.aggregate?.kind === 'anomalies') {
    // Anomalies are not records: the filter is read against the anomalies table, not compiled over the relation.
    const toNs = (d: Date | undefined) => (d === undefined ? undefined : dateToEpochNs(d));
    const ctx = { params, nowNs, startNs: toNs(opts.start), endNs: toNs(opts.end) };
    const { sql, columns } = compileAnomalies(plan.aggregate, query.filter, plan, ctx, limit);
    return { sql, params: params.values, kind: 'anomalies', columns, limit };
  }
  const filter = compileFilter(query.filter, { params, nowNs });
  const bounds: string[] = [];
  if (opts.start !== undefined) bounds.push(`${column('timestamp')} >= ${timeParam({ kind: 'absolute', epochNs: dateToEpochNs(opts.start) }, nowNs, params)}`);
  if (opts.end !== undefined) bounds.push(`${column('timestamp')} < ${timeParam({ kind: 'absolute', epochNs: dateToEpochNs(opts.end) }, nowNs, params)}`);
  const where = joinAnd([filter, ...bounds]);
  const source = { relation: opts.relation, where, params };
  const { sql, columns } = compileBody(query, plan, source, limit, nowNs, opts);
  return { sql, params: params.values, kind: plan.aggregate?.kind ?? 'rows', columns, limit };
}

function compileBody(query: Query, plan: Plan, source: Source, limit: number, nowNs: bigint, opts: CompileOptions): { sql: string; columns: string[] } {
  const pipe = plan.aggregate;
  if (pipe === undefined) return compileRows(plan, source, limit);
  if (pipe.kind === 'anomalies') bug('anomalies are compiled apart from records');
  if (pipe.kind !== 'patterns') return compileAggregate(pipe, plan, source, limit);
  const toNs = (d: Date | undefined) => (d === undefined ? undefined : dateToEpochNs(d));
  const span = querySpan(query.filter, nowNs, toNs(opts.start), toNs(opts.end));
  return compilePatterns(pipe, plan, source, span, nowNs, limit);
}

/** Histograms default to maxLimit (a chart needs every bucket); top to its N; the rest (anomalies too) to defaultLimit. */
function chooseLimit(plan: Plan, opts: CompileOptions): number {
  const top = plan.aggregate?.kind === 'top' ? plan.aggregate : undefined;
  if (top !== undefined && top.n > opts.maxLimit) tooMany('top', top.n, opts.maxLimit, top.pos);
  if (plan.limit !== undefined && plan.limit.n > opts.maxLimit) tooMany('limit', plan.limit.n, opts.maxLimit, plan.limit.pos);
  const fallback = top?.n ?? (plan.aggregate?.kind === 'histogram' ? opts.maxLimit : opts.defaultLimit);
  return Math.min(plan.limit?.n ?? fallback, top?.n ?? Infinity);
}

function tooMany(what: string, n: number, max: number, pos: number): never {
  throw new QueryError(`${what} ${n} is over the maximum of ${max} rows; lower it or narrow the query`, pos);
}

function checkOptions(opts: CompileOptions): void {
  if (opts.relation.trim() === '') bug('compileQuery needs a relation');
  if (!Number.isSafeInteger(opts.defaultLimit) || !Number.isSafeInteger(opts.maxLimit) || opts.defaultLimit < 1 || opts.defaultLimit > opts.maxLimit) {
    bug(`compileQuery limits are inconsistent: defaultLimit ${opts.defaultLimit}, maxLimit ${opts.maxLimit}`);
  }
  for (const [name, date] of [['now', opts.now], ['start', opts.start], ['end', opts.end]] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) bug(`compileQuery got an invalid ${name} date`);
  }
}
