// Builds the HTTP server: fastify with the engine's routes, error mapping and request metrics.
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Engine } from '../pipeline.js';
import { installErrorHandler } from './errors.js';
import { registerIngestRoutes } from './routes-ingest.js';
import { registerQueryRoutes } from './routes-query.js';
import { registerDlqRoutes } from './routes-dlq.js';
import { registerOpsRoutes } from './routes-ops.js';
import { registerPatternRoutes } from './routes-patterns.js';
import { registerAnomalyRoutes } from './routes-anomalies.js';
import { registerAlertRoutes } from './routes-alerts.js';
import { registerUiRoutes } from './routes-ui.js';
import { ensureTemplatesTable } from '../store/templates.js';
import { readFileSync } from 'node:fs';
import { installAuth, KeyRing } from './auth.js';
import { ConfigError } from '../errors.js';
import type { Config } from '../config.js';

/** The HTTPS options of server.tls, or undefined for plain HTTP; an unreadable file stops the start naming its key. */
export function tlsOptions(tls: Config['server']['tls']): { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; rejectUnauthorized: boolean } | undefined {
  if (tls.certFile === null && tls.keyFile === null) return undefined;
  if (tls.certFile === null || tls.keyFile === null) throw new ConfigError('server.tls', 'give both certFile and keyFile (PEM) to serve HTTPS');
  const read = (key: string, path: string) => {
    try { return readFileSync(path); } catch (err) { throw new ConfigError(`server.tls.${key}`, `cannot read ${path}: ${(err as Error).message}`); }
  };
  if (tls.requestClientCert && tls.caFile === null) throw new ConfigError('server.tls.caFile', 'requestClientCert needs the CA that signs client certificates');
  return {
    cert: read('certFile', tls.certFile), key: read('keyFile', tls.keyFile),
    ...(tls.caFile !== null ? { ca: read('caFile', tls.caFile) } : {}),
    requestCert: tls.requestClientCert, rejectUnauthorized: tls.requestClientCert,
  };
}

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
function levelAtLeast(level: string, min: string): string {
  return LEVEL_ORDER.indexOf(level) >= LEVEL_ORDER.indexOf(min) ? level : min;
}

export async function buildServer(engine: Engine): Promise<FastifyInstance> {
  const ring = KeyRing.from(engine.config.auth);
  const https = tlsOptions(engine.config.server.tls);
  const host = engine.config.server.host;
  if (!ring.enabled && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    engine.log.warn({ host }, 'no API key is configured (auth.keys) and the server listens beyond loopback: anyone who reaches it can read and write logs');
  }
  const app = fastify({
    ...(https ? { https } : {}),
    // Per-request lines are info level: the HTTP log starts at warn, request latency goes to /metrics instead.
    loggerInstance: engine.log.child({ component: 'http' }, { level: levelAtLeast(engine.log.level, 'warn') }) as FastifyBaseLogger,
    bodyLimit: engine.config.server.maxBodyBytes,
    // A client that stops sending mid-body must not hold its ingest reservation (and a socket) forever.
    requestTimeout: engine.config.server.requestTimeoutMs,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  installErrorHandler(app);
  installAuth(app, ring, engine.config.auth.publicMetrics, engine.metrics);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    engine.metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  registerOpsRoutes(app, engine);
  registerIngestRoutes(app, engine);
  registerQueryRoutes(app, engine);
  registerDlqRoutes(app, engine);
  // `| patterns` and /api/v1/patterns join the miner's templates table: it must exist even before the miner saves any.
  await ensureTemplatesTable(engine.store);
  registerPatternRoutes(app, engine);
  registerAnomalyRoutes(app, engine);
  registerAlertRoutes(app, engine);
  registerUiRoutes(app, engine);
  // Sources spoken over HTTP (OTLP, Elasticsearch bulk, Loki push ...) add their routes, each in its own scope.
  for (const src of engine.sources) {
    const routes = src.routes?.bind(src);
    if (routes) void app.register(async (scope) => routes(scope, engine.sourceContext(src)));
  }
  return app;
}
