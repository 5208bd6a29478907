// Turns a DuckDB result into plain JSON-ready objects: JSON columns parsed, integers as numbers.
import type { DuckDBResultReader } from '@duckdb/node-api';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Row objects keyed by column name: JSON columns parsed, integers as numbers (as strings past 2^53, so no digit is lost).
 * Timestamps must already be text, as compile.ts emits them; a JS Date would drop the nanoseconds.
 */
export function rowsToObjects(reader: DuckDBResultReader): Record<string, JsonValue>[] {
  const names = reader.columnNames();
  const isJson = names.map((_, i) => reader.columnType(i).alias === 'JSON');
  return reader.getRowsJS().map((row) => {
    const out: Record<string, JsonValue> = {};
    names.forEach((name, i) => {
      out[name] = toJson(row[i], isJson[i] === true);
    });
    return out;
  });
}

function toJson(value: unknown, json: boolean): JsonValue {
  if (value === null || value === undefined) return null;
  if (json && typeof value === 'string') return JSON.parse(value) as JsonValue;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toJson(item, false));
  return String(value);
}

