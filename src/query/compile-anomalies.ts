// `| anomalies`: the detectors' stored anomalies (src/store/anomalies.ts) whose window overlaps the query's time range,
// instead of records. The filter may only name services and the time; the pipe's options pick type, severity, status, score.
import { bug } from '../errors.js';
import { ANOMALY_FIELDS, SEVERITIES } from '../model/anomaly.js';
import { ANOMALIES_TABLE } from '../store/anomalies.js';
import type { AnomaliesPipe, Bound, Filter, NameRef, TimePoint } from './ast.js';
import { joinAnd } from './compile-filter.js';
import { fail } from './cursor.js';
import type { Plan } from './plan.js';
import { ident, timeParam, timeText, type Params } from './sql.js';

export interface AnomaliesContext {
  params: Params;
  nowNs: bigint;
  /** The API's bounds on the query: start inclusive, end exclusive (nanoseconds since the epoch). */
  startNs: bigint | undefined;
  endNs: bigint | undefined;
}

/** Output columns: every field of an anomaly, in the model's order; times as RFC 3339 text, evidence as JSON. */
export const ANOMALY_COLUMNS: readonly string[] = ANOMALY_FIELDS;
const TIME_COLUMNS = new Set(['detected_at', 'window_start', 'window_end']);

/** Severities from least to most severe, as a SQL list literal (constants from the model, never user text). */
const SEVERITY_LIST = `[${SEVERITIES.map((s) => `'${s}'`).join(', ')}]`;

/** The message for a filter `| anomalies` cannot apply: what it accepts, and where type, severity and status go. */
const ACCEPTS = '| anomalies accepts only service: filters (service:api, service:api*, service:in(a, b), -service:x, with AND, OR and NOT)'
  + ' and top-level time filters (_time:, since:, until:); type, severity, status and score go after the pipe:'
  + ' | anomalies type volume_spike severity high status open min_score 3';

const col = (name: (typeof ANOMALY_FIELDS)[number]): string => `a.${ident(name)}`;

export function compileAnomalies(pipe: AnomaliesPipe, filter: Filter, plan: Plan, ctx: AnomaliesContext, limit: number): { sql: string; columns: string[] } {
  const { params } = ctx;
  const where = [...topLevel(filter, pipe.pos, ctx)];
  // The API's [start, end) overlaps the window [window_start, window_end) as in GET /api/v1/anomalies.
  const at = (epochNs: bigint) => timeParam({ kind: 'absolute', epochNs }, ctx.nowNs, params);
  if (ctx.startNs !== undefined) where.push(`${col('window_end')} > ${at(ctx.startNs)}`);
  if (ctx.endNs !== undefined) where.push(`${col('window_start')} < ${at(ctx.endNs)}`);
  const among = (name: 'anomaly_type' | 'severity' | 'status', values: readonly string[]) => {
    if (values.length > 0) where.push(`${col(name)} IN (${values.map((v) => params.add(v)).join(', ')})`);
  };
  among('anomaly_type', pipe.types);
  among('severity', pipe.severities);
  among('status', pipe.statuses);
  if (pipe.minScore !== undefined) where.push(`${col('score')} >= CAST(${params.add(pipe.minScore)} AS DOUBLE)`);

  const known = (ref: NameRef): (typeof ANOMALY_FIELDS)[number] => ANOMALY_FIELDS.find((name) => name === ref.name)
    ?? fail(`no column "${ref.name}" in the anomalies output; its columns are ${ANOMALY_COLUMNS.join(', ')}`, ref.pos);
  // Qualified with `a.`: the output's times are text, and RFC 3339 text with fractions does not sort as time.
  const orderTerm = (ref: NameRef, desc: boolean): string => {
    const name = known(ref);
    const expr = name === 'severity' ? `list_position(${SEVERITY_LIST}, ${col(name)})` : col(name);
    return `${expr} ${desc ? 'DESC' : 'ASC'} NULLS LAST`;
  };
  const order = plan.sort?.keys.map((key) => orderTerm(key, key.desc)) ?? [`${col('window_start')} DESC`, `${col('anomaly_id')} ASC`];
  const shown = plan.fields?.names ?? ANOMALY_COLUMNS.map((name) => ({ name, pos: pipe.pos }));
  const seen = new Set<string>();
  const select = shown.map((ref) => {
    const name = known(ref);
    if (seen.has(name)) fail(`"${name}" is listed twice in fields`, ref.pos);
    seen.add(name);
    return `${TIME_COLUMNS.has(name) ? timeText(col(name)) : col(name)} AS ${ident(name)}`;
  });
  const sql = `SELECT ${select.join(', ')} FROM ${ANOMALIES_TABLE} AS a WHERE ${joinAnd(where)} ORDER BY ${order.join(', ')} LIMIT ${params.add(limit)}`;
  return { sql, columns: shown.map((ref) => ref.name) };
}

/** The conditions of the filter's top-level (ANDed) terms: time filters become window overlaps, the rest service tests. */
function topLevel(filter: Filter, pos: number, ctx: AnomaliesContext): string[] {
  if (filter.kind === 'and') return filter.items.flatMap((item) => topLevel(item, pos, ctx));
  if (filter.kind === 'time' && filter.column === 'timestamp') return overlap(filter.lower, filter.upper, ctx);
  return [serviceSql(filter, pos, ctx.params)];
}

/**
 * An anomaly matches a time filter when its window [window_start, window_end) shares an instant with the filter's
 * range: it ends after the lower bound and starts before (or, for an inclusive bound, at) the upper one.
 */
function overlap(lower: Bound<TimePoint> | undefined, upper: Bound<TimePoint> | undefined, ctx: AnomaliesContext): string[] {
  const parts: string[] = [];
  if (lower !== undefined) parts.push(`${col('window_end')} > ${timeParam(lower.value, ctx.nowNs, ctx.params)}`);
  if (upper !== undefined) parts.push(`${col('window_start')} ${upper.inclusive ? '<=' : '<'} ${timeParam(upper.value, ctx.nowNs, ctx.params)}`);
  return parts;
}

/** A filter over the anomaly's service; anything else is refused with what `| anomalies` accepts. */
function serviceSql(filter: Filter, pos: number, params: Params): string {
  const service = col('service');
  switch (filter.kind) {
    case 'all': return 'TRUE';
    case 'and': return joinAnd(filter.items.map((item) => serviceSql(item, pos, params)));
    case 'or': return `(${filter.items.map((item) => serviceSql(item, pos, params)).join(' OR ')})`;
    case 'not': return `(NOT coalesce(${serviceSql(filter.item, pos, params)}, FALSE))`;
    case 'text': return fail(`a word or phrase ("${filter.text}") does not apply to anomalies; ${ACCEPTS}`, pos);
    case 'time':
      if (filter.column === 'received_at') return fail(`received_at: (when records arrived) does not apply to anomalies; ${ACCEPTS}`, pos);
      return fail(`a time filter under OR or NOT does not apply to anomalies: put _time:, since: and until: at the top level, ANDed with the rest; ${ACCEPTS}`, pos);
    case 'equals':
    case 'prefix':
    case 'in':
    case 'exists':
    case 'number': {
      const { field } = filter;
      const name = field.kind === 'column' ? field.column : `metadata.${field.path.join('.')}`;
      // Every anomaly has a window, as every record has a time.
      if (filter.kind === 'exists' && name === 'timestamp') return 'TRUE';
      if (name === 'level') return fail(`level: does not apply to anomalies; filter by severity after the pipe instead: | anomalies severity high, critical (or min_severity high). ${ACCEPTS}`, pos);
      if (name !== 'service') return fail(`${name}: does not apply to anomalies; ${ACCEPTS}`, pos);
      switch (filter.kind) {
        case 'equals': return `${service} = ${params.add(filter.value)}`;
        case 'prefix': return `starts_with(${service}, ${params.add(filter.prefix)})`;
        case 'in': return `${service} IN (${filter.values.map((v) => params.add(v)).join(', ')})`;
        case 'exists': return `${service} IS NOT NULL`;
        case 'number': return bug('a number filter on service');
      }
    }
  }
}
