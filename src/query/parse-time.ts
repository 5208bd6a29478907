// Time filters: `_time:15m`, `_time:2024-01-31`, `_time:>=now-1h`, `_time:[a, b)`, `since:` and `until:`.
import type { Bound, Filter, TimeColumn, TimePoint } from './ast.js';
import { fail } from './cursor.js';
import { parseDuration } from './duration.js';
import type { ComparisonOp } from './lexer.js';
import { valuePos, type FieldValue, type ValueText } from './parse-value.js';
import { parseTime } from './time.js';

const DAY_NS = 86_400_000_000_000n;
const NOW: TimePoint = { kind: 'ago', ns: 0n };
const EXPECTED_POINT = 'a time like 2024-01-31, 2024-01-31T10:00:00Z, now or now-1h';

/** An instant as written; a bare date stands for its whole UTC day, so it carries the day's end too. */
interface Point {
  start: TimePoint;
  end: TimePoint | undefined;
}

export function timeFilter(column: TimeColumn, name: string, value: FieldValue): Filter {
  switch (value.kind) {
    case 'exists':
      return { kind: 'exists', field: { kind: 'column', column } };
    case 'exact':
      return exactTime(column, name, value.value);
    case 'compare':
      return compareTime(column, value.op, readPoint(value.value));
    case 'range': {
      const lower = lowerBound(readPoint(value.lower), value.lowerInclusive);
      const upper = upperBound(readPoint(value.upper), value.upperInclusive);
      return { kind: 'time', column, lower, upper };
    }
    default:
      return fail(`${name} takes a duration like 15m, a date, a comparison like >=2024-01-31T10:00:00Z or a range [a, b)`, valuePos(value));
  }
}

/** `since:X` keeps records at or after X; `until:X` keeps records before X (a bare date: before that day starts). */
export function sinceUntilFilter(name: 'since' | 'until', value: FieldValue): Filter {
  if (value.kind !== 'exact') {
    return fail(`${name} takes one time: a duration like 1h (meaning now-1h) or ${EXPECTED_POINT}`, valuePos(value));
  }
  const ns = parseDuration(value.value.text);
  const point: Point = ns !== undefined ? { start: { kind: 'ago', ns }, end: undefined } : readPoint(value.value);
  if (name === 'since') return { kind: 'time', column: 'timestamp', lower: lowerBound(point, true) };
  return { kind: 'time', column: 'timestamp', upper: upperBound(point, false) };
}

function exactTime(column: TimeColumn, name: string, value: ValueText): Filter {
  const ns = parseDuration(value.text);
  if (ns !== undefined) return { kind: 'time', column, lower: { value: { kind: 'ago', ns }, inclusive: true }, upper: { value: NOW, inclusive: true } };
  const time = parseTime(value.text);
  if (time?.dateOnly !== true) {
    fail(`${name} takes a duration like 15m, a date like 2024-01-31, a comparison like >=2024-01-31T10:00:00Z or a range [a, b); found "${value.text}"`, value.pos);
  }
  const point = dayPoint(time.epochNs);
  return { kind: 'time', column, lower: lowerBound(point, true), upper: upperBound(point, true) };
}

function compareTime(column: TimeColumn, op: ComparisonOp, point: Point): Filter {
  switch (op) {
    case '>': return { kind: 'time', column, lower: lowerBound(point, false) };
    case '>=': return { kind: 'time', column, lower: lowerBound(point, true) };
    case '<': return { kind: 'time', column, upper: upperBound(point, false) };
    case '<=': return { kind: 'time', column, upper: upperBound(point, true) };
    case '=': return { kind: 'time', column, lower: lowerBound(point, true), upper: upperBound(point, true) };
  }
}

/** `>= day` starts at the day's start, `> day` after the day ends. */
function lowerBound(point: Point, inclusive: boolean): Bound<TimePoint> {
  if (point.end === undefined) return { value: point.start, inclusive };
  return inclusive ? { value: point.start, inclusive: true } : { value: point.end, inclusive: true };
}

/** `<= day` runs to the day's end, `< day` stops where the day starts. */
function upperBound(point: Point, inclusive: boolean): Bound<TimePoint> {
  if (point.end === undefined) return { value: point.start, inclusive };
  return inclusive ? { value: point.end, inclusive: false } : { value: point.start, inclusive: false };
}

function readPoint(value: ValueText): Point {
  if (value.text === 'now') return { start: NOW, end: undefined };
  if (value.text.startsWith('now-')) {
    const ns = parseDuration(value.text.slice(4));
    if (ns === undefined) fail(`expected a duration like 15m or 1h30m after "now-", found "${value.text.slice(4)}"`, value.pos + 4);
    return { start: { kind: 'ago', ns }, end: undefined };
  }
  const time = parseTime(value.text);
  if (time === undefined) {
    const hint = parseDuration(value.text) === undefined ? '' : `; for a time relative to now write now-${value.text}`;
    fail(`expected ${EXPECTED_POINT}, found "${value.text}"${hint}`, value.pos);
  }
  return time.dateOnly ? dayPoint(time.epochNs) : { start: { kind: 'absolute', epochNs: time.epochNs }, end: undefined };
}

function dayPoint(epochNs: bigint): Point {
  return { start: { kind: 'absolute', epochNs }, end: { kind: 'absolute', epochNs: epochNs + DAY_NS } };
}
