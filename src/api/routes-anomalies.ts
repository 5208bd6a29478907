// GET /api/v1/anomalies: what the detectors found, newest first, filtered by service, type, severity, status and time.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES } from '../model/anomaly.js';
import type { Engine } from '../pipeline.js';
import { listAnomalies } from '../store/anomalies.js';

interface AnomaliesQuery { service?: string; type?: string; severity?: string; status?: string; from?: string; to?: string; limit?: string }

function oneOf(name: string, v: string | undefined, allowed: readonly string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v)) throw new HttpError(400, 'http_bad_request', `parameter "${name}" must be one of ${allowed.join(', ')}`);
  return v;
}

function instant(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new HttpError(400, 'http_bad_request', `parameter "${name}" must be an RFC 3339 time`);
  return d.toISOString();
}

export function registerAnomalyRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: AnomaliesQuery }>('/api/v1/anomalies', async (req) => {
    const q = req.query;
    for (const [k, v] of Object.entries(q)) if (typeof v !== 'string') throw new HttpError(400, 'http_bad_request', `parameter "${k}" must be given once`);
    const max = engine.config.query.maxLimit;
    const limit = q.limit === undefined || q.limit === '' ? engine.config.query.defaultLimit : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new HttpError(400, 'http_bad_request', `parameter "limit" must be an integer from 1 to ${max} (query.maxLimit)`);
    if (q.service !== undefined && q.service.length > 256) throw new HttpError(400, 'http_bad_request', 'parameter "service" is longer than 256 characters');
    await engine.detect?.flush();
    const rows = await listAnomalies(engine.store, {
      ...(q.service ? { service: q.service } : {}),
      ...(oneOf('type', q.type, ANOMALY_TYPES) ? { type: q.type } : {}),
      ...(oneOf('severity', q.severity, SEVERITIES) ? { severity: q.severity } : {}),
      ...(oneOf('status', q.status, ANOMALY_STATUSES) ? { status: q.status } : {}),
      ...(instant('from', q.from) ? { from: instant('from', q.from) as string } : {}),
      ...(instant('to', q.to) ? { to: instant('to', q.to) as string } : {}),
      limit,
    });
    return { anomalies: rows, detection: engine.detect ? engine.detect.runtime.stats : null };
  });
}
