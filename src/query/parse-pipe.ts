// The pipes after `|`: stats, histogram, top, sort, limit (head), fields, patterns and anomalies.
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES } from '../model/anomaly.js';
import type { Aggregate, AnomaliesPipe, FieldRef, NameRef, Pipe, SortKey } from './ast.js';
import { Cursor, describe, fail } from './cursor.js';
import { parseDuration } from './duration.js';
import { FIELD_NAME, resolveField } from './fields.js';
import type { Token } from './lexer.js';
import { DEFAULT_SPARKLINE_BUCKETS, MAX_SPARKLINE_BUCKETS } from './sparkline.js';

const PIPES = ['stats', 'histogram', 'top', 'sort', 'limit', 'head', 'fields', 'patterns', 'anomalies'] as const;
const ANOMALY_OPTIONS = ['type', 'severity', 'min_severity', 'status', 'min_score'] as const;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SIMPLE_AGGREGATES = ['count_distinct', 'min', 'max', 'avg', 'sum'] as const;
const QUANTILE = /^p(\d{1,2}(?:\.\d+)?)$/;
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MIN_BUCKET_NS = 1_000_000n;
const MAX_BUCKET_NS = 366n * 86_400_000_000_000n;
const DEFAULT_TOP = 10;

export function parsePipe(cursor: Cursor): Pipe {
  const token = cursor.peek();
  if (token.kind !== 'word' || !(PIPES as readonly string[]).includes(token.text)) {
    fail(`expected a pipe (${PIPES.join(', ')}) after "|", found ${describe(token)}`, token.pos);
  }
  cursor.next();
  switch (token.text as (typeof PIPES)[number]) {
    case 'stats': return parseStats(cursor, token.pos);
    case 'histogram': return parseHistogram(cursor, token.pos);
    case 'top': return parseTop(cursor, token.pos);
    case 'sort': return parseSort(cursor, token.pos);
    case 'limit':
    case 'head': return { kind: 'limit', pos: token.pos, n: readCount(cursor, `a row count after "${token.text}"`) };
    case 'fields': return { kind: 'fields', pos: token.pos, names: commaList(cursor, () => readName(cursor)) };
    case 'patterns': return parsePatterns(cursor, token.pos);
    case 'anomalies': return parseAnomalies(cursor, token.pos);
  }
}

/**
 * `anomalies [type T, ...] [severity S, ... | min_severity S] [status S, ...] [min_score N]`: options in any order, each
 * at most once; values are those of src/model/anomaly.ts (any case), so an unknown one is an error listing the valid ones.
 */
function parseAnomalies(cursor: Cursor, pos: number): Pipe {
  const pipe: AnomaliesPipe = { kind: 'anomalies', pos, types: [], severities: [], statuses: [], minScore: undefined };
  const seen = new Set<string>();
  for (let token = cursor.peek(); token.kind === 'word'; token = cursor.peek()) {
    const option = token.text;
    if (!(ANOMALY_OPTIONS as readonly string[]).includes(option)) fail(`unknown anomalies option "${option}": use ${ANOMALY_OPTIONS.join(', ')}`, token.pos);
    if (seen.has(option)) {
      const list = option.startsWith('min_') ? '' : `; give several values as one list: ${option} ${option === 'type' ? 'volume_spike, volume_drop' : option === 'severity' ? 'high, critical' : 'open, acknowledged'}`;
      fail(`"${option}" is given twice in anomalies${list}`, token.pos);
    }
    if ((option === 'severity' && seen.has('min_severity')) || (option === 'min_severity' && seen.has('severity'))) {
      fail('anomalies takes either severity (a list) or min_severity (that severity and above), not both', token.pos);
    }
    seen.add(option);
    cursor.next();
    switch (option as (typeof ANOMALY_OPTIONS)[number]) {
      case 'type': pipe.types = commaList(cursor, () => readChoice(cursor, option, 'anomaly type', 'anomaly types', ANOMALY_TYPES)); break;
      case 'severity': pipe.severities = commaList(cursor, () => readChoice(cursor, option, 'severity', 'severities', SEVERITIES)); break;
      case 'min_severity': pipe.severities = SEVERITIES.slice(SEVERITIES.indexOf(readChoice(cursor, option, 'severity', 'severities', SEVERITIES))); break;
      case 'status': pipe.statuses = commaList(cursor, () => readChoice(cursor, option, 'status', 'statuses', ANOMALY_STATUSES)); break;
      case 'min_score': pipe.minScore = readNumber(cursor, option); break;
    }
  }
  return pipe;
}

/** One of `allowed`, ignoring case. */
function readChoice<T extends string>(cursor: Cursor, option: string, what: string, whats: string, allowed: readonly T[]): T {
  const token = cursor.expect('word', `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} after "${option}"`);
  const value = allowed.find((v) => v === token.text.toLowerCase());
  if (value === undefined) fail(`unknown ${what} "${token.text}": ${whats} are ${allowed.join(', ')}`, token.pos);
  return value;
}

function readNumber(cursor: Cursor, option: string): number {
  const token = cursor.expect('word', `a number after "${option}"`);
  const n = Number(token.text);
  if (!NUMBER.test(token.text) || !Number.isFinite(n)) fail(`expected a number after "${option}", found "${token.text}"`, token.pos);
  return n;
}

/** `patterns [buckets N]`: templates with counts and a sparkline of N buckets (1 to MAX_SPARKLINE_BUCKETS). */
function parsePatterns(cursor: Cursor, pos: number): Pipe {
  if (!cursor.atWord('buckets')) return { kind: 'patterns', pos, buckets: DEFAULT_SPARKLINE_BUCKETS };
  cursor.next();
  const at = cursor.peek().pos;
  const buckets = readCount(cursor, 'a bucket count after "buckets"');
  if (buckets > MAX_SPARKLINE_BUCKETS) fail(`patterns takes 1 to ${MAX_SPARKLINE_BUCKETS} buckets, found ${buckets}`, at);
  return { kind: 'patterns', pos, buckets };
}

/** `stats agg [as name], ... [by (field, ...)]`; `by` may also come first, as in LogsQL. */
function parseStats(cursor: Cursor, pos: number): Pipe {
  const byFirst = cursor.atWord('by') ? readBy(cursor) : undefined;
  const aggregates = commaList(cursor, () => readAggregate(cursor));
  const by = byFirst ?? (cursor.atWord('by') ? readBy(cursor) : []);
  return { kind: 'stats', pos, aggregates, by };
}

function readAggregate(cursor: Cursor): Aggregate {
  const fn = cursor.expect('word', 'an aggregate such as count(), count_distinct(f), min(f), max(f), avg(f), sum(f) or p95(f)');
  cursor.expect('lparen', `"(" after "${fn.text}"`);
  const field = cursor.peek().kind === 'word' ? readField(cursor) : undefined;
  cursor.expect('rparen', field === undefined ? 'a field or ")"' : `")" to close "${fn.text}("`);
  const aggregate = makeAggregate(fn, field);
  if (!cursor.atWord('as')) return aggregate;
  cursor.next();
  const alias = cursor.expect('word', 'a column name after "as"');
  if (!OUTPUT_NAME.test(alias.text)) fail(`invalid column name "${alias.text}": use letters, digits and "_"`, alias.pos);
  return { ...aggregate, name: alias.text };
}

function makeAggregate(fn: Token, field: FieldRef | undefined): Aggregate {
  const pos = fn.pos;
  const suffix = field === undefined ? '' : `_${field.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const name = `${fn.text.replace('.', '_')}${suffix}`;
  if (fn.text === 'count') return field === undefined ? { fn: 'count', name, pos } : { fn: 'count', field, name, pos };
  const known = (SIMPLE_AGGREGATES as readonly string[]).includes(fn.text) || QUANTILE.test(fn.text);
  if (!known) {
    fail(`unknown aggregate "${fn.text}": use count, count_distinct, min, max, avg, sum or a percentile like p50, p95, p99`, pos);
  }
  if (field === undefined) fail(`${fn.text}() needs a field, e.g. ${fn.text}(metadata.duration_ms)`, pos);
  const quantile = QUANTILE.exec(fn.text);
  if (quantile !== null) return { fn: 'quantile', q: Number(quantile[1]) / 100, field, name, pos };
  return { fn: fn.text as (typeof SIMPLE_AGGREGATES)[number], field, name, pos };
}

/** `histogram 5m [by field]`: counts per time bucket. */
function parseHistogram(cursor: Cursor, pos: number): Pipe {
  const width = cursor.expect('word', 'a bucket width like 1m or 1h after "histogram"');
  const bucketNs = parseDuration(width.text);
  if (bucketNs === undefined) fail(`expected a bucket width like 30s, 1m or 1h, found "${width.text}"`, width.pos);
  if (bucketNs < MIN_BUCKET_NS || bucketNs > MAX_BUCKET_NS || bucketNs % 1000n !== 0n) {
    fail('the bucket width must be between 1ms and 366d, in whole microseconds', width.pos);
  }
  let by: FieldRef | undefined;
  if (cursor.atWord('by')) {
    const fields = readBy(cursor);
    if (fields.length !== 1) fail('histogram groups by one field at most, e.g. histogram 1m by level', pos);
    by = fields[0];
  }
  return { kind: 'histogram', pos, bucketNs, by };
}

/** `top [N] [by] field, ...`: the N most frequent values with their counts. */
function parseTop(cursor: Cursor, pos: number): Pipe {
  const first = cursor.peek();
  const n = first.kind === 'word' && /^\d+$/.test(first.text) ? readCount(cursor, 'a count') : DEFAULT_TOP;
  const by = cursor.atWord('by') ? readBy(cursor) : readFieldList(cursor);
  return { kind: 'top', pos, n, by };
}

/** `sort [by] name [asc|desc], ...` */
function parseSort(cursor: Cursor, pos: number): Pipe {
  if (cursor.atWord('by')) cursor.next();
  const keys = commaList(cursor, (): SortKey => {
    const name = readName(cursor);
    const desc = cursor.atWord('desc');
    if (desc || cursor.atWord('asc')) cursor.next();
    return { ...name, desc };
  });
  return { kind: 'sort', pos, keys };
}

/** `by (a, b)` or `by a, b` */
function readBy(cursor: Cursor): FieldRef[] {
  cursor.next();
  if (cursor.peek().kind !== 'lparen') return readFieldList(cursor);
  const open = cursor.next();
  const fields = readFieldList(cursor);
  const close = cursor.peek();
  if (close.kind !== 'rparen') fail(`expected "," or ")" to close "(" opened at character ${open.pos + 1}, found ${describe(close)}`, close.pos);
  cursor.next();
  return fields;
}

function readFieldList(cursor: Cursor): FieldRef[] {
  return commaList(cursor, () => readField(cursor));
}

function readField(cursor: Cursor): FieldRef {
  const name = readName(cursor);
  const field = resolveField(name.name);
  if (typeof field === 'string') fail(field, name.pos);
  return { ...name, field };
}

function readName(cursor: Cursor): NameRef {
  const token = cursor.expect('word', 'a field name');
  if (!FIELD_NAME.test(token.text)) fail(`invalid field name "${token.text}": use letters, digits, "_", "." and "-"`, token.pos);
  return { name: token.text, pos: token.pos };
}

function readCount(cursor: Cursor, what: string): number {
  const token = cursor.expect('word', what);
  const n = Number(token.text);
  if (!/^\d+$/.test(token.text) || !Number.isSafeInteger(n) || n < 1) fail(`expected a whole number of at least 1, found "${token.text}"`, token.pos);
  return n;
}

function commaList<T>(cursor: Cursor, read: () => T): T[] {
  const items = [read()];
  while (cursor.peek().kind === 'comma') {
    cursor.next();
    items.push(read());
  }
  return items;
}
