// Replay for backtesting: the engine's normalizer, miner and detectors over files, as the server would run them.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Config } from '../config.js';
import { normalizeLine } from '../normalize/index.js';
import { schemaValidators } from '../model/schemas.js';
import type { Anomaly } from '../model/anomaly.js';
import { TemplateMiner, templateText } from '../patterns/miner.js';
import { patternsOptions } from '../patterns/options.js';
import { buildDetectors, runtimeOptions } from './registry.js';
import { sessionKeyExtractor } from './session-key.js';
import { DetectionRuntime } from './runtime.js';
import { AuthFailureClassifier, attributionOf } from './auth-failure.js';
import { durationOf } from '../intake/serialize.js';

export interface ReplayResult { anomalies: Anomaly[]; lines: number; rejected: number; late: number }

/**
 * Runs `input` (after learning from `baseline`, which emits nothing) through normalize -> mine -> detect, in file
 * order. Each anomaly is returned once, as it stands at the end, in the order anomalies were first raised;
 * `evidence.lines` gives the 1-based input line numbers of its sample records.
 */
export async function replayFiles(cfg: Config, input: string, baseline?: string, receivedAt = new Date()): Promise<ReplayResult> {
  const miner = new TemplateMiner(patternsOptions(cfg.patterns));
  const ctx = { templateText: (id: string) => { const t = miner.get(id); return t ? templateText(t) : undefined; } };
  const make = () => new DetectionRuntime(buildDetectors(cfg.detect), ctx, schemaValidators().anomaly, runtimeOptions(cfg.detect));
  // A key regex is matched against the raw line (the contract of --session-key); a key field against the record.
  const keyOf = cfg.detect.detectors.includes('session') ? sessionKeyExtractor(cfg.detect.sessions) : undefined;
  const byRegex = cfg.detect.sessions.keyRegex !== null;
  let runtime = make();
  let rejected = 0;
  const auth = new AuthFailureClassifier();
  const feed = async (file: string, emit: (a: Anomaly[]) => void): Promise<number> => {
    let n = 0;
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      const r = normalizeLine(line, { receivedAt }, cfg.normalize);
      if (!r.ok) { rejected++; continue; }
      const rec = r.record;
      const t = miner.add(rec.service, rec.message, rec.timestamp);
      const authFailure = auth.isFailure(t.id, () => templateText(t), rec.message);
      let ip = rec.ip_address ?? '', user = rec.user_id ?? '';
      if (authFailure && (ip === '' || user === '')) { const a = attributionOf(rec.message); ip ||= a.ip; user ||= a.user; }
      const d = durationOf(rec, cfg.detect.latencyFields);
      const session = keyOf?.(byRegex ? { ...rec, raw: line } : rec);
      runtime.observe({ tsMs: Date.parse(rec.timestamp), service: rec.service, level: rec.level, templateId: t.id, id: String(n), authFailure, ip, user, ...(Number.isNaN(d) ? {} : { durationMs: d }), ...(session && session.key !== '' ? { sessionKey: session.key, sessionEnd: session.end } : {}) });
      emit(runtime.advance());
    }
    emit(runtime.finish());
    return n;
  };
  if (baseline !== undefined) {
    await feed(baseline, () => undefined);
    // What was learned carries over; the baseline's windows and anomalies do not.
    const learned = runtime.snapshot();
    runtime = make();
    runtime.restore({ ...learned, maxTs: null, closedUntil: null, services: [], anomalies: [], sessions: [], stats: { late: 0, windowsClosed: 0, servicesDropped: 0, anomaliesOpened: 0, sessionsEnded: 0, sessionsDropped: 0, sessionsUnfinished: 0 } });
  }
  const order: string[] = [];
  const latest = new Map<string, Anomaly>();
  const lines = await feed(input, (list) => {
    for (const a of list) {
      if (!latest.has(a.anomaly_id)) order.push(a.anomaly_id);
      latest.set(a.anomaly_id, a);
    }
  });
  const anomalies = order.map((id) => {
    const a = latest.get(id) as Anomaly;
    const { sample_record_ids: samples, ...evidence } = a.evidence;
    // The replay contract names the session key `session` (the stored anomaly's `session_key`); both are given.
    return { ...a, evidence: { ...evidence, ...(evidence.session_key !== undefined ? { session: evidence.session_key } : {}), lines: (samples ?? []).map(Number) } };
  });
  return { anomalies, lines, rejected, late: runtime.stats.late };
}
