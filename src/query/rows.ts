// Turns a DuckDB result into plain JSON-ready objects, and runs a compiled query on a connection.
import type { DuckDBConnection } from '@duckdb/node-api';
import { rowsToObjects, type JsonValue } from '../store/rows.js';

export { rowsToObjects, type JsonValue };
import type { CompiledQuery, ResultKind } from './compile.js';

export interface QueryResult {
  kind: ResultKind;
  columns: string[];
  rows: Record<string, JsonValue>[];
}

export async function executeQuery(connection: DuckDBConnection, compiled: CompiledQuery): Promise<QueryResult> {
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params);
  return { kind: compiled.kind, columns: compiled.columns, rows: rowsToObjects(reader) };
}
