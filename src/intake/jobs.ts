// One intake job (decode, normalize, validate, serialize): the same code runs in a worker thread or inline.
import { Intake, type TimeWindow } from './intake.js';
import { serializeBatch, type SerializedBatch } from './serialize.js';
import type { NormalizeOptions } from '../normalize/index.js';
import { schemaValidators } from '../model/schemas.js';
import { sessionKeyExtractor, type SessionKeyConfig } from '../detect/session-key.js';

/** `sessions`: when session detection is on, each record's session key is found here (off the main thread). */
export interface IntakeSettings { normalize: NormalizeOptions; maxDeadLetterBytes: number; window: TimeWindow; sessions?: SessionKeyConfig; durationFields?: string[] }

export interface IntakeJob { kind: 'lines' | 'json'; body: Uint8Array; receivedAtMs: number; source: string; service?: string }

/** A serialized batch, or for a JSON body that does not parse, the parse error (the caller dead-letters the body). */
export type IntakeOutcome = { ok: true; batch: SerializedBatch } | { ok: false; jsonError: string };

export function createJobRunner(settings: IntakeSettings): (job: IntakeJob) => IntakeOutcome {
  const intake = new Intake(settings.normalize, schemaValidators().log, settings.window);
  const sessionKeyOf = settings.sessions ? sessionKeyExtractor(settings.sessions) : undefined;
  return (job) => {
    const receivedAt = new Date(job.receivedAtMs);
    const ctx = { receivedAt, source: job.source, ...(job.service ? { service: job.service } : {}) };
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    let result;
    if (job.kind === 'json') {
      let parsed: unknown;
      try { parsed = JSON.parse(body.toString('utf8')); } catch (err) { return { ok: false, jsonError: (err as Error).message }; }
      result = intake.objects(Array.isArray(parsed) ? parsed : [parsed], ctx);
    } else {
      result = intake.lines(body, ctx);
    }
    return { ok: true, batch: serializeBatch(result, job.source, receivedAt, settings.maxDeadLetterBytes, body.length, job.service, sessionKeyOf, settings.durationFields) };
  };
}
