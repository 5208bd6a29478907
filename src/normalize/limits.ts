// The cheap checks that bound work per record: line bytes, field count, nesting depth and mapped-field sizes.
import { reject, type Rejection } from './result.js';

/** Most characters of each mapped string field (the schema's maxLength). */
export const fieldMaxChars = {
  service: 256,
  host: 256,
  user_id: 256,
  trace_id: 128,
  span_id: 128,
} as const;

export type LimitedField = keyof typeof fieldMaxChars;

/**
 * The UTF-8 byte length of `s` when it is over `maxBytes`, else -1. Counts bytes only when the
 * UTF-16 length cannot decide (each code unit is 1..3 UTF-8 bytes).
 */
export function bytesOver(s: string, maxBytes: number): number {
  if (s.length * 3 <= maxBytes) return -1;
  if (s.length > maxBytes) return Buffer.byteLength(s, 'utf8');
  const n = Buffer.byteLength(s, 'utf8');
  return n > maxBytes ? n : -1;
}

export function lineTooLong(bytes: number, maxBytes: number, what = 'line'): Rejection {
  return reject('line_too_long', `the ${what} is ${bytes} bytes, over normalize.maxLineBytes (${maxBytes}); raise it or split the ${what}`);
}

interface ShapeWalk { fields: number; readonly maxFields: number; readonly maxDepth: number; deepest: number }

/** False as soon as the walk is over a limit; recursion stops one level past maxDepth. */
function walk(v: object, depth: number, st: ShapeWalk): boolean {
  if (depth > st.maxDepth) { st.deepest = depth; return false; }
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item === 'object' && item !== null && !walk(item as object, depth + 1, st)) return false;
    }
    return true;
  }
  for (const key in v) {
    if (++st.fields > st.maxFields) return false;
    const item = (v as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && !walk(item, depth + 1, st)) return false;
  }
  return true;
}

/**
 * Rejects an object with more than maxFields keys (counted over every nested object, array elements
 * themselves are not fields) or nesting deeper than maxDepth (the object itself is depth 1).
 * Stops at the first limit passed, so hostile input costs at most maxFields keys (plus array elements,
 * which the line size bounds).
 */
export function checkShape(obj: object, maxFields: number, maxDepth: number): Rejection | null {
  const st: ShapeWalk = { fields: 0, maxFields, maxDepth, deepest: 0 };
  if (walk(obj, 1, st)) return null;
  if (st.deepest > 0) return reject('too_deep', `the record nests deeper than normalize.maxDepth (${maxDepth}); flatten it or raise the limit`);
  return reject('too_many_fields', `the record has more than normalize.maxFields (${maxFields}) fields, counting nested keys; drop fields or raise the limit`);
}

/** invalid_field when a mapped string is over its size limit, else null. */
export function checkFieldSize(field: LimitedField, value: string): Rejection | null {
  const max = fieldMaxChars[field];
  if (value.length <= max) return null;
  return reject('invalid_field', `field ${field} is ${value.length} characters, over its limit of ${max}`);
}
