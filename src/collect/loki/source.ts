// The Loki push source: POST /loki/api/v1/push with JSON (gzip or not) or snappy-compressed protobuf bodies, answered
// as Loki does (204; 400 with a text message; 429 with Retry-After).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import { bodyReservation, classifyError, decodeContentEncoding, mediaType, rawBodies } from '../http-body.js';
import { registerSourceType } from '../registry.js';
import type { Source, SourceContext } from '../source.js';
import { LOKI_JSON, LOKI_PROTOBUF, snappyLength } from './decode.js';
import { defaultMapping, type LokiMapping } from './map.js';

export interface LokiOptions { name: string; path: string; service?: string; labels: LokiMapping }

export class LokiSource implements Source {
  readonly type = 'loki';
  readonly name: string;
  private requests = 0;

  constructor(private readonly o: LokiOptions) {
    this.name = o.name;
  }

  status(): Record<string, unknown> {
    return { path: this.o.path, requests: this.requests };
  }

  routes(app: FastifyInstance, ctx: SourceContext): void {
    rawBodies(app, ctx.limits);
    const gate = bodyReservation(ctx, ctx.limits);
    app.setErrorHandler((err: FastifyError | Error, req, reply) => fail(err, req, reply, ctx));
    app.post(this.o.path, { config: { scope: 'ingest' }, ...gate.hooks }, async (req, reply) => {
      const type = mediaType(req);
      const proto = type === 'application/x-protobuf' || type === 'application/protobuf';
      // Loki reads a body without a content type as JSON too.
      if (!proto && type !== 'application/json' && type !== '') {
        throw new HttpError(415, 'http_unsupported_media_type', `content-type "${type}" is not supported; Loki push uses application/json or application/x-protobuf (snappy)`);
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let body = raw;
      let release: (() => void) | undefined;
      if (proto) {
        // The snappy block names its size: refuse what is over the limit, and hold that memory until it is stored.
        const size = snappyLength(raw);
        if (size < 0) throw new HttpError(400, 'http_bad_request', 'the body is not snappy-compressed (a Loki protobuf push is a snappy block)');
        if (size > ctx.limits.maxDecompressedBytes) {
          throw new HttpError(413, 'http_payload_too_large', `the decompressed body would be ${size} bytes, over server.maxDecompressedBytes (${ctx.limits.maxDecompressedBytes}); send smaller batches`);
        }
        const why = ctx.overloaded(size);
        if (why) throw new HttpError(429, 'http_overloaded', `the write path is behind (${why}); retry after ${ctx.retryAfterSeconds}s`, ctx.retryAfterSeconds);
        release = ctx.reserve(size);
      } else {
        body = await decodeContentEncoding(req, raw, ctx.limits.maxDecompressedBytes);
        gate.shrink(req, raw, body);
      }
      try {
        this.requests++;
        const r = await ctx.ingest({
          format: proto ? LOKI_PROTOBUF : LOKI_JSON, body, decoderOptions: { labels: this.o.labels },
          ...(this.o.service ? { service: this.o.service } : {}),
        });
        if (r.decodeError !== undefined) {
          const kept = r.rejected > 0 ? 'the body was kept in the dead-letter store' : 'the body is over normalize.maxDeadLetterBytes and was not kept';
          throw new HttpError(400, 'http_bad_request', `cannot decode the Loki push request: ${r.decodeError}; ${kept}`);
        }
        if (r.rejected > 0) {
          // As Loki does: the valid entries are stored, the answer is a 400 that names the rest (clients do not retry it).
          const reasons = Object.entries(r.reasons).map(([k, n]) => `${k} (${n})`).join(', ');
          const first = r.itemErrors[0];
          throw new HttpError(400, 'http_bad_request', `${r.accepted} entries stored, ${r.rejected} rejected and kept in the dead-letter store: ${reasons}${first ? `; first: entry ${first.index}: ${first.error}` : ''}`);
        }
        return reply.code(204).send();
      } finally {
        release?.();
      }
    });
  }
}

/** Errors as Loki writes them: a text body; 429 and 503 say when to retry. */
function fail(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply, ctx: SourceContext): FastifyReply {
  const { status, message, retryAfter } = classifyError(err, req, ctx, 'Loki push');
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

const labelList = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' }, maxItems: 32 };

registerSourceType({
  type: 'loki',
  onByDefault: true,
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', pattern: '^/[A-Za-z0-9_./-]*$', default: '/loki/api/v1/push' },
      service: { type: 'string', minLength: 1, maxLength: 256 },
      labels: {
        type: 'object', additionalProperties: false, default: {},
        properties: { service: labelList, level: labelList, host: labelList },
      },
    },
  },
  create: (o) => {
    const l = (o.labels ?? {}) as Partial<LokiMapping>;
    const labels: LokiMapping = { service: l.service ?? [...defaultMapping.service], level: l.level ?? [...defaultMapping.level], host: l.host ?? [...defaultMapping.host] };
    return new LokiSource({ name: o.name, path: o.path as string, labels, ...(typeof o.service === 'string' ? { service: o.service } : {}) });
  },
});
