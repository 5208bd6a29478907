// What every source spoken over HTTP shares: reserve a body's memory before reading it (429 when the write path is
// behind), take the body as raw bytes, and undo its Content-Encoding within server.maxDecompressedBytes.
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyError, FastifyInstance, FastifyRequest, onRequestHookHandler, onRequestAbortHookHandler, onResponseHookHandler } from 'fastify';
import { HttpError, LogsiftError } from '../errors.js';
import type { SourceContext } from './source.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const brotliAsync = promisify(brotliDecompress);

export interface BodyLimits { maxBodyBytes: number; maxDecompressedBytes: number }

/** The media type of a request, lower case, without parameters ('' when absent). */
export function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Makes a scope take every body as raw bytes (up to maxBodyBytes): the routes decompress and decode themselves. */
export function rawBodies(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes }, (_req, body, done) => done(null, body));
}

/**
 * Route hooks that reserve each body's size (its Content-Length, or the maximum; plus maxDecompressedBytes when it is
 * compressed) before it is read, and refuse the request with 429 + Retry-After when the write path is behind.
 * `shrink(req, raw, inflated)` gives back what a compressed body did not need once it is inflated.
 */
export function bodyReservation(ctx: SourceContext, limits: BodyLimits, overloaded: (why: string) => Error = (why) => new HttpError(429, 'http_overloaded', `the write path is behind (${why}); retry after ${ctx.retryAfterSeconds}s`, ctx.retryAfterSeconds)) {
  const held = new WeakMap<FastifyRequest, { bytes: number; release: () => void }>();
  const release = (req: FastifyRequest) => { held.get(req)?.release(); held.delete(req); };
  const onRequest: onRequestHookHandler = async (req) => {
    const declared = Number(req.headers['content-length']);
    const sent = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, limits.maxBodyBytes) : limits.maxBodyBytes;
    const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    const bytes = enc === 'identity' || enc === '' ? sent : sent + limits.maxDecompressedBytes;
    const why = ctx.overloaded(bytes);
    if (why) throw overloaded(why);
    held.set(req, { bytes, release: ctx.reserve(bytes) });
  };
  const onResponse: onResponseHookHandler = async (req) => release(req);
  const onRequestAbort: onRequestAbortHookHandler = async (req) => release(req);
  const shrink = (req: FastifyRequest, raw: Buffer, body: Buffer) => {
    const h = held.get(req);
    if (!h || body === raw || h.bytes <= raw.length + body.length) return;
    h.release();
    held.set(req, { bytes: raw.length + body.length, release: ctx.reserve(raw.length + body.length) });
  };
  return { hooks: { onRequest, onResponse, onRequestAbort }, shrink };
}

/** Undoes the request's Content-Encoding (gzip, deflate, br), stopping at `maxBytes` (413). */
export async function decodeContentEncoding(req: FastifyRequest, body: Buffer, maxBytes: number): Promise<Buffer> {
  const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (enc === 'identity' || enc === '') return body;
  const opts = { maxOutputLength: maxBytes };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzipAsync(body, opts);
    if (enc === 'deflate') return await inflateAsync(body, opts);
    if (enc === 'br') return await brotliAsync(body, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new HttpError(413, 'http_payload_too_large', `the decompressed body is over server.maxDecompressedBytes (${maxBytes} bytes); send smaller batches`);
    }
    throw new HttpError(400, 'http_bad_request', `cannot decompress the ${enc} body: ${(err as Error).message}`);
  }
  throw new HttpError(415, 'http_unsupported_media_type', `content-encoding "${enc}" is not supported; use gzip, deflate, br or none`);
}

/**
 * The status, message and Retry-After of an error in an HTTP source's route, for the source to write in its protocol's
 * error format: HttpErrors as raised, a failed write path 503 (not acknowledged: the client keeps the data and
 * retries), fastify's body limit 413, other client errors as they are, anything else 500 (logged).
 */
export function classifyError(err: FastifyError | Error, req: FastifyRequest, ctx: SourceContext, what: string): { status: number; message: string; retryAfter?: number } {
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message, ...(err.retryAfterSeconds !== undefined ? { retryAfter: err.retryAfterSeconds } : {}) };
  if (err instanceof LogsiftError && (err.code === 'wal_failed' || err.code === 'storage_failed')) {
    req.log.error({ err }, 'write path failed');
    return { status: 503, message: err.message, retryAfter: Math.max(ctx.retryAfterSeconds, 5) };
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: `${fe.message} (server.maxBodyBytes); send smaller batches` };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, message: fe.message };
  req.log.error({ err }, `${what} failed`);
  return { status: 500, message: 'internal error; see the server log' };
}
