// GET /api/v1/patterns: a service's templates with their count in a range, how much it moved, and a sparkline.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import type { Engine } from '../pipeline.js';
import { parseDuration } from '../query/duration.js';
import { compilePatternReport, PATTERN_SORTS, type PatternSort } from '../query/pattern-report.js';
import { DEFAULT_SPARKLINE_BUCKETS, MAX_SPARKLINE_BUCKETS } from '../query/sparkline.js';
import { dateToEpochNs, formatEpochNs, parseTime } from '../query/time.js';

/** As fastify parses it: a parameter given twice arrives as an array, whatever the type says. */
interface PatternsQuery { service?: string; from?: string; to?: string; sort?: string; limit?: string; buckets?: string }

/** The range when `from` is left out. */
const DEFAULT_RANGE_NS = 3_600_000_000_000n;
/** Longest service name accepted (as in the query language, values are bound, never spliced; this only bounds the work). */
const MAX_SERVICE_CHARS = 256;

const bad = (message: string) => new HttpError(400, 'http_bad_request', message);

/** `now`, `now-1h`, a duration meaning that long before now (`1h`), or RFC 3339 / a date. */
function parseInstant(name: string, v: string | undefined, nowNs: bigint): bigint | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'now') return nowNs;
  const ago = parseDuration(v.startsWith('now-') ? v.slice(4) : v);
  if (ago !== undefined) return nowNs - ago;
  const t = parseTime(v);
  if (t === undefined) throw bad(`parameter "${name}" must be RFC 3339 (2024-01-31T10:00:00Z), a duration before now (1h, now-30m) or now; got "${v.slice(0, 64)}"`);
  return t.epochNs;
}

function intParam(name: string, v: string | undefined, def: number, max: number, why: string): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) throw bad(`parameter "${name}" must be an integer from 1 to ${max} (${why})`);
  return n;
}

export interface PatternsRequest { service?: string; fromNs: bigint; toNs: bigint; sort: PatternSort; limit: number; buckets: number }

/** Validates the query string; every error names the parameter. */
export function parsePatternsQuery(q: PatternsQuery, nowNs: bigint, maxLimit: number, defaultLimit: number): PatternsRequest {
  for (const [name, v] of Object.entries(q)) if (typeof v !== 'string') throw bad(`parameter "${name}" must be given once`);
  const toNs = parseInstant('to', q.to, nowNs) ?? nowNs;
  const fromNs = parseInstant('from', q.from, nowNs) ?? toNs - DEFAULT_RANGE_NS;
  if (fromNs >= toNs) throw bad('parameter "from" must be before "to"');
  if (formatEpochNs(fromNs - (toNs - fromNs)) === undefined || formatEpochNs(toNs) === undefined) {
    throw bad('parameters "from" and "to" must keep the range and the one before it within the years 0000-9999');
  }
  const sort = q.sort === undefined || q.sort === '' ? 'change' : q.sort;
  if (!(PATTERN_SORTS as readonly string[]).includes(sort)) throw bad(`parameter "sort" must be one of ${PATTERN_SORTS.join(', ')}; got "${sort.slice(0, 64)}"`);
  if (q.service !== undefined && q.service.length > MAX_SERVICE_CHARS) throw bad(`parameter "service" is over ${MAX_SERVICE_CHARS} characters`);
  return {
    ...(q.service !== undefined && q.service !== '' ? { service: q.service } : {}),
    fromNs, toNs, sort: sort as PatternSort,
    limit: intParam('limit', q.limit, Math.min(defaultLimit, maxLimit), maxLimit, 'query.maxLimit'),
    buckets: intParam('buckets', q.buckets, DEFAULT_SPARKLINE_BUCKETS, MAX_SPARKLINE_BUCKETS, 'the sparkline maximum'),
  };
}

export function registerPatternRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: PatternsQuery }>('/api/v1/patterns', async (req) => {
    const { query } = engine.config;
    const p = parsePatternsQuery(req.query, dateToEpochNs(engine.now()), query.maxLimit, query.defaultLimit);
    const t0 = performance.now();
    const { sql, params } = compilePatternReport({ relation: engine.relation(), ...p });
    await engine.patterns.syncTemplates(); // the report joins the templates table: make it current first
    const templates = await engine.store.query(sql, params);
    const span = p.toNs - p.fromNs;
    return {
      service: p.service ?? null,
      from: formatEpochNs(p.fromNs), to: formatEpochNs(p.toNs), previous_from: formatEpochNs(p.fromNs - span),
      sort: p.sort, buckets: p.buckets, bucket_seconds: Number(span / BigInt(p.buckets)) / 1e9,
      templates, took_ms: Math.round((performance.now() - t0) * 10) / 10,
    };
  });
}
