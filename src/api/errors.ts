// Maps every error to a JSON body {error: {code, message}} and an HTTP status; never leaks a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError, LogsiftError, QueryError, type ErrorCode } from '../errors.js';

export interface ErrorBody { error: { code: ErrorCode | string; message: string } }

const fastifyCodes: Record<string, { status: number; code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'http_payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'http_unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'http_bad_request' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'http_bad_request' },
  FST_ERR_VALIDATION: { status: 400, code: 'http_bad_request' },
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof HttpError) {
      if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    if (err instanceof QueryError) return reply.code(400).send({ error: { code: err.code, message: err.message, position: err.position } });
    if (err instanceof LogsiftError && err.code === 'validation_failed') return reply.code(400).send({ error: { code: err.code, message: err.message } });
    if (err instanceof LogsiftError && (err.code === 'wal_failed' || err.code === 'storage_failed')) {
      // Not acknowledged: the client keeps the data and may retry; the operator sees why in the log and /readyz.
      req.log.error({ err }, 'write path failed');
      return reply.code(503).header('retry-after', '5').send({ error: { code: err.code, message: err.message } });
    }
    const fe = err as FastifyError;
    const mapped = fe.code ? fastifyCodes[fe.code] : undefined;
    if (mapped) return reply.code(mapped.status).send({ error: { code: mapped.code, message: fe.message } });
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ error: { code: 'http_bad_request', message: fe.message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log' } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'http_not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));
}
