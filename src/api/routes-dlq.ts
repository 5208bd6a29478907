// Dead-letter endpoints: counts by reason, entries verbatim (base64 and, when UTF-8, as a JSON string), replay.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { countDeadLetters, getDeadLetter, listDeadLetters } from '../store/dead-letters.js';
import type { Engine } from '../pipeline.js';

interface DlqQuery { reason?: string; source?: string; limit?: string; offset?: string; all?: string }

function intParam(name: string, v: string | undefined, def: number, max: number): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new HttpError(400, 'http_bad_request', `parameter "${name}" must be an integer from 0 to ${max}`);
  return n;
}

export function registerDlqRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: DlqQuery }>('/api/v1/dlq', async (req) => {
    await engine.flush();
    const q = req.query;
    const includeReplayed = q.all === 'true' || q.all === '1';
    const entries = await listDeadLetters(engine.store, {
      limit: intParam('limit', q.limit, 50, 1000), offset: intParam('offset', q.offset, 0, 1e9), includeReplayed,
      ...(q.reason ? { reason: q.reason } : {}), ...(q.source ? { source: q.source } : {}),
    });
    return { counts: await countDeadLetters(engine.store, includeReplayed), entries };
  });

  app.get<{ Params: { id: string } }>('/api/v1/dlq/:id', async (req) => {
    await engine.flush();
    const e = await getDeadLetter(engine.store, req.params.id);
    if (!e) throw new HttpError(404, 'http_not_found', `no dead letter with id "${req.params.id.slice(0, 64)}"`);
    return e;
  });

  app.post<{ Body: { ids?: unknown; reason?: unknown; limit?: unknown } | undefined }>('/api/v1/dlq/replay', async (req) => {
    const b = req.body ?? {};
    const ids = Array.isArray(b.ids) ? b.ids.filter((x): x is string => typeof x === 'string') : undefined;
    const reason = typeof b.reason === 'string' ? b.reason : undefined;
    const limit = typeof b.limit === 'number' && Number.isInteger(b.limit) && b.limit > 0 ? Math.min(b.limit, 100_000) : 10_000;
    const r = await engine.replayDeadLetters({ limit, ...(ids ? { ids } : {}), ...(reason ? { reason } : {}) });
    await engine.flush();
    return r;
  });
}
