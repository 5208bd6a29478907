// Search, aggregation and tail endpoints: query text is compiled to parameterized SQL by query/, never spliced.
import type { FastifyInstance } from 'fastify';
import { compileQuery, parseQuery } from '../query/index.js';
import { HttpError, QueryError } from '../errors.js';
import type { Engine } from '../pipeline.js';
import { ANOMALIES_TABLE } from '../store/anomalies.js';

interface QueryParams { q?: string; query?: string; start?: string; end?: string; limit?: string | number }

function parseTime(name: string, v: string | undefined): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const d = /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
  if (Number.isNaN(d.getTime())) throw new HttpError(400, 'http_bad_request', `parameter "${name}" must be RFC 3339 or epoch milliseconds, got "${v.slice(0, 64)}"`);
  return d;
}

function parseLimit(v: string | number | undefined, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'http_bad_request', `parameter "limit" must be an integer from 1 to ${max} (query.maxLimit)`);
  return n;
}

/** Runs one query for the API and the CLI; `relation` lets tail narrow the rows first (`tail` says it does). */
export async function runQuery(engine: Engine, p: QueryParams, relation = engine.relation(), tail = false) {
  const text = p.q ?? p.query ?? '';
  const { query } = engine.config;
  if (typeof text !== 'string') throw new HttpError(400, 'http_bad_request', 'parameter "q" must be a string');
  if (text.length > query.maxQueryChars) throw new HttpError(400, 'http_bad_request', `the query is ${text.length} characters, over query.maxQueryChars (${query.maxQueryChars})`);
  const limit = parseLimit(p.limit, query.maxLimit);
  const start = parseTime('start', p.start);
  const end = parseTime('end', p.end);
  const t0 = performance.now();
  const compiled = compileQuery(parseQuery(text), {
    relation, now: engine.now(), defaultLimit: limit ?? query.defaultLimit, maxLimit: query.maxLimit,
    ...(start ? { start } : {}), ...(end ? { end } : {}),
  });
  // `| patterns` joins the templates table: bring it up to the miner's current templates first.
  if (compiled.kind === 'patterns') await engine.patterns.syncTemplates();
  if (compiled.kind === 'anomalies') {
    if (tail) throw new QueryError('tail follows new records, and "| anomalies" returns anomalies, not records: run it with GET /api/v1/query or logsift query');
    // As GET /api/v1/anomalies does: anomalies the detectors have found are stored before they are read.
    await engine.detect?.flush();
    // Without detection the table may never have been created: there are no anomalies then.
    const exists = await engine.store.query('SELECT 1 FROM duckdb_tables() WHERE table_name = $1', [ANOMALIES_TABLE]);
    if (exists.length === 0) return { kind: compiled.kind, columns: compiled.columns, rows: [], took_ms: Math.round((performance.now() - t0) * 10) / 10 };
  }
  const rows = await engine.store.query(compiled.sql, compiled.params);
  return { kind: compiled.kind, columns: compiled.columns, rows, took_ms: Math.round((performance.now() - t0) * 10) / 10 };
}

export function registerQueryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: QueryParams }>('/api/v1/query', async (req) => runQuery(engine, req.query));
  app.post<{ Body: QueryParams }>('/api/v1/query', { config: { scope: 'query' } }, async (req) => {
    if (typeof req.body !== 'object' || req.body === null) throw new HttpError(400, 'http_bad_request', 'the body must be a JSON object like {"q": "service:api level:error"}');
    return runQuery(engine, req.body);
  });

  // Tail: records with an LSN above `after`, oldest first, at most `limit` of them; `next` is the cursor to pass back.
  app.get<{ Querystring: QueryParams & { after?: string } }>('/api/v1/tail', async (req) => {
    const after = req.query.after === undefined || req.query.after === '' ? undefined : Number(req.query.after);
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) throw new HttpError(400, 'http_bad_request', 'parameter "after" must be a non-negative integer cursor');
    // No flush here: records become visible at the store's load interval (wal.flushIntervalMs), as for every reader.
    if (after === undefined) return { rows: [], next: engine.store.appliedLsn };
    const window = Math.min(10_000, engine.config.query.maxLimit);
    const rel = `(SELECT * FROM ${engine.relation()} WHERE lsn > ${after} ORDER BY lsn LIMIT ${window})`;
    const maxRow = await engine.store.query(`SELECT max(lsn) AS m FROM ${rel}`);
    const next = maxRow[0]?.m === null || maxRow[0]?.m === undefined ? after : Number(maxRow[0].m);
    // The relation holds at most one window of records, so a row limit of one window returns every match in it.
    const r = await runQuery(engine, { ...req.query, limit: window }, rel, true);
    r.rows.reverse();
    return { ...r, next };
  });
}
