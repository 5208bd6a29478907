// Builds the HTTP server: fastify with the engine's routes, error mapping and request metrics.
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Engine } from '../pipeline.js';
import { installErrorHandler } from './errors.js';
import { registerIngestRoutes } from './routes-ingest.js';
import { registerQueryRoutes } from './routes-query.js';
import { registerDlqRoutes } from './routes-dlq.js';
import { registerOpsRoutes } from './routes-ops.js';

export async function buildServer(engine: Engine): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: engine.log.child({ component: 'http' }) as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: engine.config.server.maxBodyBytes,
    // A client that stops sending mid-body must not hold its ingest reservation (and a socket) forever.
    requestTimeout: engine.config.server.requestTimeoutMs,
    maxParamLength: 200,
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
  return app;
}
