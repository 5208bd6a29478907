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

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
function levelAtLeast(level: string, min: string): string {
  return LEVEL_ORDER.indexOf(level) >= LEVEL_ORDER.indexOf(min) ? level : min;
}

export async function buildServer(engine: Engine): Promise<FastifyInstance> {
  const app = fastify({
    // Per-request lines are info level: the HTTP log starts at warn, request latency goes to /metrics instead.
    loggerInstance: engine.log.child({ component: 'http' }, { level: levelAtLeast(engine.log.level, 'warn') }) as FastifyBaseLogger,
    bodyLimit: engine.config.server.maxBodyBytes,
    // A client that stops sending mid-body must not hold its ingest reservation (and a socket) forever.
    requestTimeout: engine.config.server.requestTimeoutMs,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  installErrorHandler(app);
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
  return app;
}
