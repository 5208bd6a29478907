// The OTLP/HTTP logs source: POST /v1/logs with protobuf or JSON ExportLogsServiceRequest bodies (gzip or not), answered
// per the OTLP specification (200 with partialSuccess, 400 with google.rpc.Status, 429/503 with Retry-After).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import { bodyReservation, classifyError, decodeContentEncoding, mediaType, rawBodies } from '../http-body.js';
import { protoType } from '../proto-files.js';
import { registerSourceType } from '../registry.js';
import type { Source, SourceContext, SourceIngestResult } from '../source.js';
import { LOGS_SERVICE_PROTO, OTLP_JSON, OTLP_PROTOBUF } from './decode.js';

const PROTOBUF_TYPES = new Set(['application/x-protobuf', 'application/protobuf']);
const RESPONSE_TYPE = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse';

/** gRPC status codes for the google.rpc.Status body, by HTTP status. */
function grpcCode(status: number): number {
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 503) return 14; // UNAVAILABLE
  if (status >= 500) return 13; // INTERNAL
  return 3; // INVALID_ARGUMENT
}

export interface OtlpOptions { name: string; path: string; service?: string }

/** The message of a partial success: how many records were refused and why (the first reasons, with their errors). */
export function partialMessage(r: SourceIngestResult): string {
  const reasons = Object.entries(r.reasons).map(([k, n]) => `${k} (${n})`).join(', ');
  const first = r.itemErrors[0];
  const example = first ? `; first: log record ${first.index}: ${first.error}` : '';
  return `${r.rejected} log record(s) rejected and kept in logsift's dead-letter store: ${reasons}${example}`;
}

export class OtlpSource implements Source {
  readonly type = 'otlp';
  readonly name: string;
  private requests = 0;

  constructor(private readonly o: OtlpOptions) {
    this.name = o.name;
  }

  status(): Record<string, unknown> {
    return { path: this.o.path, requests: this.requests };
  }

  routes(app: FastifyInstance, ctx: SourceContext): void {
    rawBodies(app, ctx.limits);
    const gate = bodyReservation(ctx, ctx.limits);
    app.setErrorHandler((err: FastifyError | Error, req, reply) => this.fail(err, req, reply, ctx));
    app.post(this.o.path, { config: { scope: 'ingest' }, ...gate.hooks }, async (req, reply) => {
      const type = mediaType(req);
      const proto = PROTOBUF_TYPES.has(type);
      if (!proto && type !== 'application/json') {
        throw new HttpError(415, 'http_unsupported_media_type', `content-type "${type || '(none)'}" is not supported; OTLP/HTTP uses application/x-protobuf or application/json`);
      }
      const raw = req.body;
      const body = Buffer.isBuffer(raw) ? await decodeContentEncoding(req, raw, ctx.limits.maxDecompressedBytes) : Buffer.alloc(0);
      if (Buffer.isBuffer(raw)) gate.shrink(req, raw, body);
      this.requests++;
      const r = await ctx.ingest({ format: proto ? OTLP_PROTOBUF : OTLP_JSON, body, ...(this.o.service ? { service: this.o.service } : {}) });
      if (r.decodeError !== undefined) {
        const kept = r.rejected > 0 ? 'the body was kept in the dead-letter store' : 'the body is over normalize.maxDeadLetterBytes and was not kept';
        throw new HttpError(400, 'http_bad_request', `cannot decode the OTLP logs request: ${r.decodeError}; ${kept}`);
      }
      const partial = r.rejected > 0 ? { rejectedLogRecords: r.rejected, errorMessage: partialMessage(r) } : undefined;
      if (proto) {
        const t = protoType(LOGS_SERVICE_PROTO, RESPONSE_TYPE);
        const bytes = t.encode(t.create(partial ? { partialSuccess: partial } : {})).finish();
        return reply.code(200).type('application/x-protobuf').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      return reply.code(200).type('application/json').send(partial ? { partialSuccess: partial } : {});
    });
  }

  /** Every error as a google.rpc.Status in the request's encoding; 429 and 503 say when to retry. */
  private fail(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply, ctx: SourceContext): FastifyReply {
    const { status, message, retryAfter } = classifyError(err, req, ctx, 'OTLP request');
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    const statusBody = { code: grpcCode(status), message };
    if (PROTOBUF_TYPES.has(mediaType(req))) {
      const t = protoType('google/rpc/status.proto', 'google.rpc.Status');
      const bytes = t.encode(t.create(statusBody)).finish();
      return reply.code(status).type('application/x-protobuf').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    return reply.code(status).type('application/json').send(statusBody);
  }
}

registerSourceType({
  type: 'otlp',
  onByDefault: true,
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', pattern: '^/[A-Za-z0-9_./-]*$', default: '/v1/logs' },
      service: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
  create: (o) => new OtlpSource({ name: o.name, path: o.path as string, ...(typeof o.service === 'string' ? { service: o.service } : {}) }),
});
