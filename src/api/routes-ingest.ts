// POST /api/v1/logs: NDJSON, JSON (array or object) and text/plain bodies, gzip or not; acknowledged after the WAL fsync.
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { Engine } from '../pipeline.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Content types the ingest endpoint takes; anything else is a 415. */
const LINE_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain']);

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function decodeBody(req: FastifyRequest, body: Buffer, maxBytes: number): Promise<Buffer> {
  const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (enc === 'identity' || enc === '') return body;
  const opts = { maxOutputLength: maxBytes };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzipAsync(body, opts);
    if (enc === 'deflate') return await inflateAsync(body, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new HttpError(413, 'http_payload_too_large', `the decompressed body is over server.maxDecompressedBytes (${maxBytes} bytes); send smaller batches`);
    }
    throw new HttpError(400, 'http_bad_request', `cannot decompress the ${enc} body: ${(err as Error).message}`);
  }
  throw new HttpError(415, 'http_unsupported_media_type', `content-encoding "${enc}" is not supported; use gzip, deflate or none`);
}

export function registerIngestRoutes(app: FastifyInstance, engine: Engine): void {
  // An encapsulated scope: ingest takes every body as raw bytes (it decompresses and parses itself), other routes keep JSON parsing.
  void app.register(async (scope) => ingestScope(scope, engine));
}

function ingestScope(app: FastifyInstance, engine: Engine): void {
  const { server } = engine.config;
  const inflight = new WeakMap<FastifyRequest, number>();
  const release = (req: FastifyRequest) => {
    const n = inflight.get(req);
    if (n === undefined) return;
    inflight.delete(req);
    engine.inflightBytes -= n;
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: server.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.post<{ Querystring: { service?: string } }>('/api/v1/logs', {
    onRequest: async (req) => {
      // Reserve the body's size before reading it, so that many concurrent large requests cannot together
      // hold more than server.maxPendingBytes in memory; a body without a length reserves the maximum.
      const declared = Number(req.headers['content-length']);
      const sent = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, server.maxBodyBytes) : server.maxBodyBytes;
      // A compressed body may inflate up to maxDecompressedBytes: reserve that before inflating, shrink it after.
      const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
      const bytes = enc === 'identity' || enc === '' ? sent : sent + server.maxDecompressedBytes;
      const why = engine.overloaded(bytes);
      if (why) {
        engine.metrics.overloaded.inc({ reason: why });
        throw new HttpError(429, 'http_overloaded', `the write path is behind (${why}); retry after ${server.retryAfterSeconds}s`, server.retryAfterSeconds);
      }
      inflight.set(req, bytes);
      engine.inflightBytes += bytes;
    },
    onResponse: async (req) => release(req),
    onRequestAbort: async (req) => release(req),
  }, async (req) => {
    const type = mediaType(req);
    if (type !== 'application/json' && !LINE_TYPES.has(type)) {
      throw new HttpError(415, 'http_unsupported_media_type',
        `content-type "${type || '(none)'}" is not supported; use application/x-ndjson, application/json or text/plain`);
    }
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) throw new HttpError(400, 'http_bad_request', 'the request has no body');
    const body = await decodeBody(req, raw, server.maxDecompressedBytes);
    // Inflated: the reservation shrinks to what the body really holds (it never grows after the body was read, so a
    // client that went away in the meantime cannot leave a reservation behind).
    const held = inflight.get(req);
    if (held !== undefined && body !== raw && held > raw.length + body.length) {
      inflight.set(req, raw.length + body.length);
      engine.inflightBytes -= held - (raw.length + body.length);
    }
    const service = typeof req.query.service === 'string' && req.query.service.length > 0 ? req.query.service : undefined;
    const ctx = { receivedAt: engine.now(), source: 'http', ...(service ? { service } : {}) };
    const summary = await engine.ingest(type === 'application/json' ? 'json' : 'lines', body, ctx);
    if (summary.jsonError !== undefined) {
      const kept = summary.rejected > 0
        ? 'the body was kept in the dead-letter store (reason unparseable)'
        : `nothing from it was stored (the body is over normalize.maxDeadLetterBytes, ${engine.config.normalize.maxDeadLetterBytes} bytes, so it was not kept in the dead-letter store)`;
      throw new HttpError(400, 'http_bad_request', `cannot parse JSON body: ${summary.jsonError}; ${kept}`);
    }
    return { accepted: summary.accepted, rejected: summary.rejected, skipped: summary.skipped, rejected_by_reason: summary.reasons };
  });
}
