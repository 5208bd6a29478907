// JSON lines and already-parsed JSON objects: parse, bound the shape, then map fields by alias.
import { errorMessage } from '../errors.js';
import { mapFields, type MapContext } from './field-map.js';
import { checkShape } from './limits.js';
import { reject, type Parsed } from './result.js';

export interface ShapeLimits { readonly maxFields: number; readonly maxDepth: number }

/** Maps a parsed JSON value; anything but a plain object is not_an_object. */
export function parseJsonValue(value: unknown, mc: MapContext, limits: ShapeLimits): Parsed {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return reject('not_an_object', `a log record must be a JSON object, got ${what}`);
  }
  const problem = checkShape(value, limits.maxFields, limits.maxDepth);
  if (problem !== null) return problem;
  return mapFields(value as Record<string, unknown>, mc, 'json', null);
}

/** Parses one JSON line (it starts with `{`). JSON.parse never evaluates code and stores `__proto__` as data. */
export function parseJsonLine(line: string, mc: MapContext, limits: ShapeLimits): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return reject('unparseable', `cannot parse JSON line: ${errorMessage(err)}`);
  }
  return parseJsonValue(value, mc, limits);
}
