// POST /api/v1/logs: NDJSON, JSON (array or object) and text/plain bodies, gzip or not; acknowledged after the WAL fsync.
import type { FastifyInstance } from 'fastify';
import { bodyReservation, decodeContentEncoding, mediaType, rawBodies } from '../collect/http-body.js';
import { TEXT_RECORDS, TEXT_RECORDS_MEDIA_TYPE } from '../collect/text-records.js';
import { HttpError } from '../errors.js';
import type { Engine } from '../pipeline.js';

/** Content types the ingest endpoint takes; anything else is a 415. */
const LINE_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain']);

export function registerIngestRoutes(app: FastifyInstance, engine: Engine): void {
  // An encapsulated scope: ingest takes every body as raw bytes (it decompresses and parses itself), other routes keep JSON parsing.
  void app.register(async (scope) => ingestScope(scope, engine));
}

function ingestScope(app: FastifyInstance, engine: Engine): void {
  const { server } = engine.config;
  const ctx = engine.sourceContext({ name: 'http', type: 'http' });
  rawBodies(app, server);
  // Each body reserves its size before it is read, so that many concurrent large requests cannot together hold more
  // than server.maxPendingBytes in memory.
  const gate = bodyReservation(ctx, server);

  app.post<{ Querystring: { service?: string } }>('/api/v1/logs', {
    config: { scope: 'ingest' },
    ...gate.hooks,
  }, async (req) => {
    const type = mediaType(req);
    if (type !== 'application/json' && type !== TEXT_RECORDS_MEDIA_TYPE && !LINE_TYPES.has(type)) {
      throw new HttpError(415, 'http_unsupported_media_type',
        `content-type "${type || '(none)'}" is not supported; use application/x-ndjson, application/json or text/plain`);
    }
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) throw new HttpError(400, 'http_bad_request', 'the request has no body');
    const body = await decodeContentEncoding(req, raw, server.maxDecompressedBytes);
    // Inflated: the reservation shrinks to what the body really holds.
    gate.shrink(req, raw, body);
    const service = typeof req.query.service === 'string' && req.query.service.length > 0 ? req.query.service : undefined;
    const ctx = { receivedAt: engine.now(), source: 'http', ...(service ? { service } : {}) };
    // Text records: multi-line records framed by `logsift ingest --multiline-start` (collect/text-records.ts).
    const kind = type === 'application/json' ? 'json' : type === TEXT_RECORDS_MEDIA_TYPE ? TEXT_RECORDS : 'lines';
    const summary = await engine.ingest(kind, body, ctx);
    if (summary.jsonError !== undefined) {
      const kept = summary.rejected > 0
        ? 'the body was kept in the dead-letter store (reason unparseable)'
        : `nothing from it was stored (the body is over normalize.maxDeadLetterBytes, ${engine.config.normalize.maxDeadLetterBytes} bytes, so it was not kept in the dead-letter store)`;
      throw new HttpError(400, 'http_bad_request', `cannot ${kind === 'json' ? 'parse JSON body' : 'decode the text records body'}: ${summary.jsonError}; ${kept}`);
    }
    return { accepted: summary.accepted, rejected: summary.rejected, skipped: summary.skipped, rejected_by_reason: summary.reasons };
  });
}
