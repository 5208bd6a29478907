// Alerting's API: alerts and their groups, deliveries (the outbox's status and history), rules, and silences.
import type { FastifyInstance } from 'fastify';
import { ConfigError, HttpError } from '../errors.js';
import type { Engine } from '../pipeline.js';
import type { AlertStage } from '../alert/stage.js';
import type { DeliveryState } from '../alert/outbox.js';

const STATES: DeliveryState[] = ['pending', 'delivered', 'failed'];

function stage(engine: Engine): AlertStage {
  if (!engine.alerts) throw new HttpError(404, 'http_not_found', 'alerting is off: configure alerting.receivers (and alerting.rules) to turn it on');
  return engine.alerts;
}

function limitOf(v: string | undefined, max: number): number {
  if (v === undefined || v === '') return 100;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'http_bad_request', `parameter "limit" must be an integer from 1 to ${max}`);
  return n;
}

export function registerAlertRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/api/v1/alerts', async () => {
    const s = stage(engine);
    await s.flush();
    const now = engine.now().getTime();
    return { alerts: s.dispatcher.alerts(now), groups: s.dispatcher.groups(now) };
  });

  app.get<{ Querystring: { receiver?: string; state?: string; limit?: string } }>('/api/v1/alerts/deliveries', async (req) => {
    const s = stage(engine);
    await s.flush();
    const { receiver, state, limit } = req.query;
    if (state !== undefined && !STATES.includes(state as DeliveryState)) throw new HttpError(400, 'http_bad_request', `parameter "state" must be one of ${STATES.join(', ')}`);
    return {
      deliveries: s.outbox.list({ ...(receiver ? { receiver } : {}), ...(state ? { state: state as DeliveryState } : {}), limit: limitOf(limit, 1000) }),
      pending: s.outbox.pendingCount(),
    };
  });

  app.get('/api/v1/alerts/rules', async () => ({ rules: stage(engine).listRules() }));

  // Rules added here are validated like the config's, saved in <dataDir>/alerts/rules.json and used at once.
  app.post<{ Body: { kind?: unknown; rule?: unknown } }>('/api/v1/alerts/rules', async (req, reply) => {
    const s = stage(engine);
    const body = req.body ?? {};
    if (body.kind !== 'anomaly' && body.kind !== 'query') throw new HttpError(400, 'http_bad_request', 'the body is {"kind": "anomaly" | "query", "rule": {...}}');
    try {
      await s.addRule(body.kind, body.rule);
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(400, 'config_invalid', err.message);
      throw err;
    }
    return reply.code(201).send({ rules: s.listRules() });
  });

  app.delete<{ Params: { name: string } }>('/api/v1/alerts/rules/:name', async (req) => {
    const s = stage(engine);
    let removed: boolean;
    try { removed = await s.removeRule(req.params.name); } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(409, 'config_invalid', err.message);
      throw err;
    }
    if (!removed) throw new HttpError(404, 'http_not_found', `no rule named ${req.params.name} was added through the API`);
    return { rules: s.listRules() };
  });

  app.get<{ Querystring: { state?: string } }>('/api/v1/silences', async (req) => {
    const s = stage(engine);
    const only = req.query.state;
    if (only !== undefined && !['pending', 'active', 'expired'].includes(only)) throw new HttpError(400, 'http_bad_request', 'parameter "state" must be one of pending, active, expired');
    return { silences: s.silences.list(engine.now().getTime(), only as 'pending' | 'active' | 'expired' | undefined) };
  });

  app.post('/api/v1/silences', async (req, reply) => {
    const s = stage(engine);
    const created = await s.createSilence(req.body);
    return reply.code(201).send({ silence: created });
  });

  app.delete<{ Params: { id: string } }>('/api/v1/silences/:id', async (req) => {
    const s = stage(engine);
    const expired = await s.expireSilence(req.params.id);
    if (!expired) throw new HttpError(404, 'http_not_found', `no silence with id ${req.params.id}`);
    return { silence: expired };
  });
}
