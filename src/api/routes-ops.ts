// Operations endpoints: liveness, readiness, Prometheus metrics, status and partition maintenance.
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../pipeline.js';
import { countDeadLetters } from '../store/dead-letters.js';

/** The template miner: what it holds, what it evicted, how often its cache spared the masking. */
function patternStatus(engine: Engine) {
  const s = engine.patterns.miner.stats;
  const lookups = s.cacheHits + s.cacheMisses;
  return {
    services: s.services, templates: s.templates, evicted: s.evicted, services_dropped: s.servicesDropped,
    cache_hit_ratio: lookups === 0 ? null : Math.round((s.cacheHits / lookups) * 1000) / 1000,
  };
}

export async function engineStatus(engine: Engine) {
  const counts = await engine.store.query('SELECT count(*) AS n, min(timestamp) AS oldest, max(timestamp) AS newest FROM logs');
  const parts = engine.partFiles();
  return {
    applied_lsn: engine.store.appliedLsn,
    hot_records: Number(counts[0]?.n ?? 0),
    store_bytes: await engine.store.dbBytes(),
    parts: parts.length,
    parts_bytes: parts.reduce((n, p) => n + p.bytes, 0),
    write_path: engine.writePath.health(),
    dead_letters: await countDeadLetters(engine.store),
    patterns: patternStatus(engine),
    sources: engine.sourcesStatus(),
  };
}

export function registerOpsRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' } }, async (_req, reply) => {
    const h = engine.writePath.health();
    if (!h.ok) return reply.code(503).header('retry-after', '5').send({ status: 'not_ready', ...h });
    return { status: 'ready', ...h };
  });
  app.get('/metrics', async (_req, reply) => {
    engine.metrics.storeBytes.set(await engine.store.dbBytes());
    return reply.type(engine.metrics.registry.contentType).send(await engine.metrics.registry.metrics());
  });
  app.get('/api/v1/status', async () => engineStatus(engine));
  app.get('/api/v1/sources', async () => ({ sources: engine.sourcesStatus() }));
  app.post('/api/v1/admin/maintain', async () => engine.maintain());
  // Makes every acknowledged record queryable now instead of at the next load interval.
  app.post('/api/v1/admin/flush', async () => { await engine.flush(); return { applied_lsn: engine.store.appliedLsn }; });
}
