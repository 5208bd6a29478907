// The query language: parse text, compile to parameterized DuckDB SQL, run it. See docs/query.md.
export type { Filter, Pipe, Query } from './ast.js';
export { compileQuery, type CompiledQuery, type CompileOptions, type ResultKind } from './compile.js';
export { parseDuration } from './duration.js';
export { parseQuery } from './parser.js';
export { executeQuery, rowsToObjects, type JsonValue, type QueryResult } from './rows.js';
