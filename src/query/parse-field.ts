// `field:value` filters: what a value means for each kind of field (level, text, string, number, metadata, time).
import { LEVELS, type Level } from '../model/log-record.js';
import type { Filter } from './ast.js';
import { Cursor, fail } from './cursor.js';
import { fieldType, resolveField, type Field } from './fields.js';
import type { ComparisonOp, Token } from './lexer.js';
import { readFieldValue, valuePos, type FieldValue, type ValueText } from './parse-value.js';
import { sinceUntilFilter, timeFilter } from './parse-time.js';

const LEVEL_ALIASES: Readonly<Record<string, Level>> = { WARNING: 'WARN', ERR: 'ERROR', CRITICAL: 'FATAL' };
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses the value after a `field` token into a filter; `field` is the token holding `name:`. */
export function parseFieldFilter(cursor: Cursor, token: Token): Filter {
  const value = readFieldValue(cursor, token);
  const name = token.text;
  if (name === 'since' || name === 'until') return sinceUntilFilter(name, value);
  const field = resolveField(name);
  if (typeof field === 'string') return fail(field, token.pos);
  if (value.kind === 'exists') return { kind: 'exists', field };
  switch (fieldType(field)) {
    case 'time':
      return timeFilter(field.kind === 'column' && field.column === 'received_at' ? 'received_at' : 'timestamp', name, value);
    case 'level':
      return levelFilter(field, value);
    case 'text':
      return textFilter(value, name);
    case 'number':
      return numberFilter(field, value, name);
    case 'metadata':
      return metadataFilter(field, value, name);
    case 'json':
      return fail(`${name} is an object: name a key inside it, e.g. metadata.region:eu or metadata.region:*`, token.pos);
    case 'string':
      return stringFilter(field, value, name);
  }
}

function stringFilter(field: Field, value: FieldValue, name: string): Filter {
  switch (value.kind) {
    case 'exact': return { kind: 'equals', field, value: value.value.text };
    case 'prefix': return { kind: 'prefix', field, prefix: value.value.text };
    case 'list': return { kind: 'in', field, values: value.items.map((item) => item.text) };
    case 'compare':
      if (value.op === '=') return { kind: 'equals', field, value: value.value.text };
      return notComparable(name, value.value.pos);
    default: return notComparable(name, valuePos(value));
  }
}

/** `message:x` is full-text search, the same as the bare word `x`. */
function textFilter(value: FieldValue, name: string): Filter {
  switch (value.kind) {
    case 'exact':
    case 'prefix':
      return { kind: 'text', text: value.value.text };
    case 'list':
      return { kind: 'or', items: value.items.map((item) => ({ kind: 'text', text: item.text })) };
    default:
      return notComparable(name, valuePos(value));
  }
}

function metadataFilter(field: Field, value: FieldValue, name: string): Filter {
  switch (value.kind) {
    case 'exact': return { kind: 'equals', field, value: value.value.text };
    case 'prefix': return { kind: 'prefix', field, prefix: value.value.text };
    case 'list': return { kind: 'in', field, values: value.items.map((item) => item.text) };
    case 'compare':
      // `=` compares numerically when it can, so `status:=500` also matches a stored 500.0.
      if (value.op === '=' && !NUMBER.test(value.value.text)) return { kind: 'equals', field, value: value.value.text };
      return numberFilter(field, value, name);
    default: return numberFilter(field, value, name);
  }
}

function numberFilter(field: Field, value: FieldValue, name: string): Filter {
  switch (value.kind) {
    case 'exact': {
      const n = readNumber(value.value);
      return { kind: 'number', field, lower: { value: n, inclusive: true }, upper: { value: n, inclusive: true } };
    }
    case 'list':
      return { kind: 'or', items: value.items.map((item) => numberFilter(field, { kind: 'exact', value: item }, name)) };
    case 'compare':
      return compareNumber(field, value.op, readNumber(value.value));
    case 'range':
      return {
        kind: 'number', field,
        lower: { value: readNumber(value.lower), inclusive: value.lowerInclusive },
        upper: { value: readNumber(value.upper), inclusive: value.upperInclusive },
      };
    default:
      return fail(`${name} is a number: a prefix "*" does not apply; use a comparison like ${name}:>=100`, valuePos(value));
  }
}

function compareNumber(field: Field, op: ComparisonOp, n: number): Filter {
  switch (op) {
    case '>': return { kind: 'number', field, lower: { value: n, inclusive: false } };
    case '>=': return { kind: 'number', field, lower: { value: n, inclusive: true } };
    case '<': return { kind: 'number', field, upper: { value: n, inclusive: false } };
    case '<=': return { kind: 'number', field, upper: { value: n, inclusive: true } };
    case '=': return { kind: 'number', field, lower: { value: n, inclusive: true }, upper: { value: n, inclusive: true } };
  }
}

/** Levels ignore case; `level:>=warn` means WARN, ERROR and FATAL; `level:e*` means the levels starting with E. */
function levelFilter(field: Field, value: FieldValue): Filter {
  const rank = (v: ValueText): number => LEVELS.indexOf(readLevel(v));
  const pick = (keep: (i: number) => boolean): Filter => ({ kind: 'in', field, values: LEVELS.filter((_, i) => keep(i)) });
  switch (value.kind) {
    case 'exact': return { kind: 'equals', field, value: readLevel(value.value) };
    case 'list': return { kind: 'in', field, values: value.items.map(readLevel) };
    case 'prefix': {
      const prefix = value.value.text.toUpperCase();
      const levels = LEVELS.filter((level) => level.startsWith(prefix));
      if (levels.length === 0) fail(`no level starts with "${value.value.text}": levels are ${levelList()}`, value.value.pos);
      return { kind: 'in', field, values: levels };
    }
    case 'compare': {
      const r = rank(value.value);
      const keep = { '>': (i: number) => i > r, '>=': (i: number) => i >= r, '<': (i: number) => i < r, '<=': (i: number) => i <= r, '=': (i: number) => i === r };
      return pick(keep[value.op]);
    }
    case 'range': {
      const lo = rank(value.lower), hi = rank(value.upper);
      return pick((i) => (value.lowerInclusive ? i >= lo : i > lo) && (value.upperInclusive ? i <= hi : i < hi));
    }
    case 'exists': return { kind: 'exists', field };
  }
}

function readLevel(value: ValueText): Level {
  const upper = value.text.toUpperCase();
  const level = LEVELS.find((l) => l === upper) ?? LEVEL_ALIASES[upper];
  if (level === undefined) fail(`unknown level "${value.text}": levels are ${levelList()}`, value.pos);
  return level;
}

function levelList(): string {
  return LEVELS.map((level) => level.toLowerCase()).join(', ');
}

function readNumber(value: ValueText): number {
  const n = Number(value.text);
  if (!NUMBER.test(value.text) || !Number.isFinite(n)) fail(`expected a number, found "${value.text}"`, value.pos);
  return n;
}

function notComparable(name: string, pos: number): never {
  return fail(`${name} is text: comparisons and ranges work on numbers (lsn, metadata fields) and times (_time, received_at)`, pos);
}
