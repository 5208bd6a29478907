// The `elasticsearch` source: Elasticsearch's bulk API on the main HTTP port (at the root and under a prefix), so
// Filebeat, Logstash, Vector, Fluent Bit and the Elasticsearch clients can ship logs to logsift unchanged.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyReservation, decodeContentEncoding, mediaType, rawBodies } from '../http-body.js';
import { registerSourceType } from '../registry.js';
import type { Source, SourceContext } from '../source.js';
import { HttpError, LogsiftError } from '../../errors.js';
import { BULK_FORMAT, type BulkDecoded, type BulkHeader } from './bulk-decoder.js';
import { bulkResponse, errorBody, EsError, filterPath, type ClusterFacts } from './responses.js';
import { registerSetupRoutes } from './setup-routes.js';

export interface ElasticsearchOptions {
  name: string;
  pathPrefix: string;
  mountAtRoot: boolean;
  indexToService: Record<string, string>;
  stripIndexSuffix: boolean;
  version: string;
  clusterName: string;
  maxSetupObjects: number;
  maxBodyBytes: number | null;
  maxDecompressedBytes: number;
}

/** Bulk bodies: NDJSON under its names, and the vendored types the Elasticsearch clients 8/9 send; none is taken too. */
const BULK_TYPES = new Set(['', 'application/x-ndjson', 'application/json', 'application/vnd.elasticsearch+x-ndjson', 'application/vnd.elasticsearch+json']);

/** Elasticsearch's error type for an error thrown by shared code (body limits, overload, auth, the write path). */
function esTypeOf(status: number): string {
  if (status === 429) return 'es_rejected_execution_exception';
  if (status === 401 || status === 403) return 'security_exception';
  if (status === 404) return 'resource_not_found_exception';
  if (status === 503) return 'unavailable_shards_exception';
  if (status === 413) return 'content_too_long_exception';
  return 'illegal_argument_exception';
}

function sendError(reply: FastifyReply, status: number, type: string, reason: string, retryAfter?: number): FastifyReply {
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.code(status).send(errorBody(type, reason, status));
}

function installEsErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof EsError) return sendError(reply, err.statusCode, err.type, err.message, err.retryAfterSeconds);
    if (err instanceof HttpError) return sendError(reply, err.statusCode, esTypeOf(err.statusCode), err.message, err.retryAfterSeconds);
    if (err instanceof LogsiftError && (err.code === 'wal_failed' || err.code === 'storage_failed')) {
      req.log.error({ err }, 'write path failed');
      return sendError(reply, 503, esTypeOf(503), err.message, 5);
    }
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(reply, status, esTypeOf(status), err.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'exception', 'internal error; see the logsift server log');
  });
  // The official clients refuse a 2xx answer without this header.
  app.addHook('onSend', async (_req, reply, payload) => { void reply.header('x-elastic-product', 'Elasticsearch'); return payload; });
}

interface BulkRoute { Params: { index?: string }; Querystring: { filter_path?: string } }

function routes(app: FastifyInstance, ctx: SourceContext, o: ElasticsearchOptions, limits: { maxBodyBytes: number; maxDecompressedBytes: number }): void {
  const facts: ClusterFacts = { clusterName: o.clusterName, version: o.version };
  let seq = 0;
  const seqNo = () => seq++;
  const mount = (scope: FastifyInstance) => {
    rawBodies(scope, limits);
    installEsErrors(scope);
    const gate = bodyReservation(ctx, limits, (why) => new EsError(429, 'es_rejected_execution_exception',
      `rejected execution of bulk request: the logsift write path is behind (${why}); retry after ${ctx.retryAfterSeconds}s`, ctx.retryAfterSeconds));
    const bulk = async (req: FastifyRequest<BulkRoute>) => {
      const started = performance.now();
      const type = mediaType(req);
      if (!BULK_TYPES.has(type)) throw new EsError(406, 'illegal_argument_exception', `Content-Type header [${type}] is not supported; send application/x-ndjson`);
      const raw = req.body;
      const body = Buffer.isBuffer(raw) ? await decodeContentEncoding(req, raw, limits.maxDecompressedBytes) : Buffer.alloc(0);
      if (Buffer.isBuffer(raw)) gate.shrink(req, raw, body);
      if (body.toString('latin1').trim().length === 0) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
      const index = req.params.index ?? null;
      if (index !== null && index.startsWith('_')) throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${index}], must not start with '_'`);
      const rules: BulkHeader = { index, map: o.indexToService, strip: o.stripIndexSuffix };
      const r = await ctx.ingest({ format: BULK_FORMAT, body, decoderOptions: rules });
      if (r.decodeError !== undefined) {
        const kept = r.rejected > 0 ? 'the body was kept in the dead-letter store (reason unparseable)' : 'the body is over normalize.maxDeadLetterBytes, so it was not kept in the dead-letter store';
        throw new EsError(400, /UTF-8/.test(r.decodeError) ? 'parse_exception' : 'illegal_argument_exception', `${r.decodeError}; nothing from this request was stored; ${kept}`);
      }
      const decoded = r.decoded as BulkDecoded | undefined;
      if (!decoded) throw new Error('BUG: the bulk decoder returned no actions');
      const res = bulkResponse(decoded, r.itemErrors, performance.now() - started, seqNo);
      const filter = req.query.filter_path;
      return typeof filter === 'string' && filter.length > 0 ? filterPath(res, filter) : res;
    };
    const opts = { config: { scope: 'ingest' }, ...gate.hooks };
    for (const path of ['/_bulk', '/:index/_bulk']) {
      scope.post<BulkRoute>(path, opts, bulk);
      scope.put<BulkRoute>(path, opts, bulk);
    }
    registerSetupRoutes(scope, facts, o.maxSetupObjects);
  };
  if (o.mountAtRoot) void app.register(async (scope) => mount(scope));
  if (o.pathPrefix !== '') {
    void app.register(async (scope) => {
      mount(scope);
      scope.setNotFoundHandler((req, reply) => sendError(reply, 404, 'illegal_argument_exception',
        `logsift speaks the Elasticsearch bulk API only: no handler found for ${req.method} ${req.url.split('?')[0]}`));
    }, { prefix: o.pathPrefix });
  }
}

export function createElasticsearchSource(o: ElasticsearchOptions): Source {
  return {
    name: o.name,
    type: 'elasticsearch',
    routes(app, ctx) {
      // The source context carries no server limits: by default a body may be as large as the server takes (bodyLimit).
      const maxBodyBytes = o.maxBodyBytes ?? app.initialConfig.bodyLimit ?? 16 * 1024 * 1024;
      routes(app, ctx, o, { maxBodyBytes, maxDecompressedBytes: o.maxDecompressedBytes });
    },
    status: () => ({ pathPrefix: o.pathPrefix, mountAtRoot: o.mountAtRoot, version: o.version }),
  };
}

const MIB = 1024 * 1024;

registerSourceType({
  type: 'elasticsearch',
  onByDefault: true,
  schema: {
    type: 'object',
    properties: {
      pathPrefix: { type: 'string', default: '/es', pattern: '^(/[A-Za-z0-9._~-]+)*$' },
      mountAtRoot: { type: 'boolean', default: true },
      indexToService: { type: 'object', default: {}, additionalProperties: { type: 'string', minLength: 1, maxLength: 256 }, maxProperties: 1000 },
      stripIndexSuffix: { type: 'boolean', default: true },
      version: { type: 'string', default: '8.17.0', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
      clusterName: { type: 'string', default: 'logsift', minLength: 1, maxLength: 128 },
      maxSetupObjects: { type: 'integer', minimum: 0, default: 1000 },
      maxBodyBytes: { type: ['integer', 'null'], minimum: 1024, default: null },
      maxDecompressedBytes: { type: 'integer', minimum: 1024, default: 64 * MIB },
    },
  },
  create: (options) => createElasticsearchSource(options as unknown as ElasticsearchOptions),
});
