// GET /api/v1/tail/stream: live tail as server-sent events, polling the store after the last LSN it sent.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { parseQuery } from '../query/index.js';
import type { Engine } from '../pipeline.js';
import { runQuery } from './routes-query.js';

/** A comment line every so often keeps proxies from closing an idle stream and lets the server notice a gone client. */
const HEARTBEAT_MS = 15_000;

interface TailStreamQuery { q?: string; after?: string }

/**
 * Each open stream polls every `ui.liveTailPollMs` with the same narrowing as GET /api/v1/tail (one window of records
 * above the cursor, compiled by query/ like any query); at most `ui.maxLiveTails` streams are open at once (429 above).
 */
export function registerLiveTailRoute(app: FastifyInstance, engine: Engine): void {
  const open = new Set<() => void>();
  const { maxLiveTails, liveTailPollMs } = engine.config.ui;

  // Open streams would hold the server's close forever: end them first.
  app.addHook('preClose', async () => { for (const end of [...open]) end(); });

  app.get<{ Querystring: TailStreamQuery }>('/api/v1/tail/stream', async (req, reply) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    if (q.length > engine.config.query.maxQueryChars) throw new HttpError(400, 'http_bad_request', `the query is ${q.length} characters, over query.maxQueryChars (${engine.config.query.maxQueryChars})`);
    const ast = parseQuery(q); // a bad query is a 400 before the stream starts
    if (ast.pipes.length > 0) throw new HttpError(400, 'http_bad_request', 'live tail follows records: use a filter without pipes (no stats, histogram, top, patterns or anomalies)');
    const after = req.query.after === undefined || req.query.after === '' ? engine.store.appliedLsn : Number(req.query.after);
    if (!Number.isSafeInteger(after) || after < 0) throw new HttpError(400, 'http_bad_request', 'parameter "after" must be a non-negative integer cursor');
    if (open.size >= maxLiveTails) {
      throw new HttpError(429, 'http_overloaded', `${open.size} live tails are open, the most ui.maxLiveTails allows; close one or raise the limit`, 5);
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    let cursor = after;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const event = (name: string, data: unknown) => { if (!closed) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`); };
    const end = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      open.delete(end);
      res.end();
    };
    open.add(end);
    const heartbeat = setInterval(() => { if (!closed) res.write(': heartbeat\n\n'); }, HEARTBEAT_MS);
    // The response closes when the client goes away (or the socket breaks): stop polling for it.
    res.on('close', end);
    event('ready', { next: cursor, poll_ms: liveTailPollMs });

    const poll = async () => {
      if (closed) return;
      try {
        if (engine.store.appliedLsn > cursor) {
          const window = Math.min(10_000, engine.config.query.maxLimit);
          // `cursor` is an integer we parsed and advanced ourselves; user text only reaches SQL through the compiler.
          const rel = `(SELECT * FROM ${engine.relation()} WHERE lsn > ${cursor} ORDER BY lsn LIMIT ${window})`;
          const maxRow = await engine.store.query(`SELECT max(lsn) AS m FROM ${rel}`);
          const next = maxRow[0]?.m === null || maxRow[0]?.m === undefined ? cursor : Number(maxRow[0].m);
          const r = await runQuery(engine, { q, limit: window }, rel, true);
          r.rows.reverse();
          cursor = next;
          if (r.rows.length > 0) event('rows', { rows: r.rows, next });
        }
      } catch (err) {
        req.log.warn({ err }, 'live tail poll failed');
        event('error', { message: err instanceof Error ? err.message : String(err) });
      }
      if (!closed) timer = setTimeout(() => void poll(), liveTailPollMs);
    };
    timer = setTimeout(() => void poll(), liveTailPollMs);
  });
}
