// One intake job (decode, normalize, validate, serialize): the same code runs in a worker thread or inline.
import { Intake, type TimeWindow } from './intake.js';
import { serializeBatch, type SerializedBatch } from './serialize.js';
import type { NormalizeOptions } from '../normalize/index.js';
import { schemaValidators } from '../model/schemas.js';
import { sessionKeyExtractor, type SessionKeyConfig } from '../detect/session-key.js';
import { DecodeError, decoderFor } from '../collect/decoders.js';
import '../collect/decoders-all.js';

/** `sessions`: when session detection is on, each record's session key is found here (off the main thread). */
export interface IntakeSettings { normalize: NormalizeOptions; maxDeadLetterBytes: number; window: TimeWindow; sessions?: SessionKeyConfig; durationFields?: string[] }

/** `kind`: `lines`, `json` or the name of a protocol decoder (collect/decoders.ts). */
export interface IntakeJob { kind: string; body: Uint8Array; receivedAtMs: number; source: string; service?: string; decoderOptions?: unknown }

/**
 * A serialized batch (with, for decoded bodies, the items found, each rejected item and what the decoder reports
 * back), or for a body that does not parse or decode, why (the caller dead-letters the body).
 */
export type IntakeOutcome =
  | { ok: true; batch: SerializedBatch; items?: number; itemErrors?: { index: number; reason: string; error: string }[]; decoded?: unknown }
  | { ok: false; jsonError: string };

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
    } else if (job.kind === 'lines') {
      result = intake.lines(body, ctx);
    } else {
      const decode = decoderFor(job.kind);
      if (!decode) return { ok: false, jsonError: `BUG: no decoder named ${job.kind}` };
      let d;
      try { d = decode(body, { normalize: settings.normalize, receivedAt, ...(job.decoderOptions !== undefined ? { options: job.decoderOptions } : {}) }); } catch (err) {
        if (err instanceof DecodeError || err instanceof RangeError || err instanceof TypeError || err instanceof SyntaxError) return { ok: false, jsonError: (err as Error).message };
        throw err;
      }
      const items = 'texts' in d ? d.texts.length : d.values.length;
      result = 'texts' in d ? intake.texts(d.texts, ctx) : intake.objects(d.values, ctx, true);
      const batch = serializeBatch(result, job.source, receivedAt, settings.maxDeadLetterBytes, body.length, job.service, sessionKeyOf, settings.durationFields);
      return { ok: true, batch, items, itemErrors: result.itemErrors ?? [], ...(d.decoded !== undefined ? { decoded: d.decoded } : {}) };
    }
    return { ok: true, batch: serializeBatch(result, job.source, receivedAt, settings.maxDeadLetterBytes, body.length, job.service, sessionKeyOf, settings.durationFields) };
  };
}
