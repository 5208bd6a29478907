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
import { LogsiftError } from '../errors.js';

export interface ReplayResult { anomalies: Anomaly[]; lines: number; rejected: number; late: number }

/** A record to replay: normalized fields (from a file line or read back from the store). */
type ReplayRecord = { timestamp: string; service: string; level: string; message: string; ip_address?: string | null; user_id?: string | null; metadata?: Record<string, unknown> | null; [field: string]: unknown };

/** Where replayed records come from: each with the id its evidence names (a line number or a record id) and its raw text. */
type Source = (observe: (rec: ReplayRecord, id: string, raw?: string) => void) => Promise<number>;

/**
 * The engine's miner and detectors over a stream of records, in the order given: after learning from `baseline`
 * (which emits nothing), `input`'s anomalies, each once, as it stands at the end, in the order first raised.
 */
async function replay(cfg: Config, input: Source, baseline?: Source): Promise<{ anomalies: Anomaly[]; count: number; late: number }> {
  const miner = new TemplateMiner(patternsOptions(cfg.patterns));
  const ctx = { templateText: (id: string) => { const t = miner.get(id); return t ? templateText(t) : undefined; } };
  const make = () => new DetectionRuntime(buildDetectors(cfg.detect), ctx, schemaValidators().anomaly, runtimeOptions(cfg.detect));
  // A key regex is matched against the raw line (the contract of --session-key); a key field against the record.
  const keyOf = cfg.detect.detectors.includes('session') ? sessionKeyExtractor(cfg.detect.sessions) : undefined;
  const byRegex = cfg.detect.sessions.keyRegex !== null;
  let runtime = make();
  const auth = new AuthFailureClassifier();
  const feed = async (source: Source, emit: (a: Anomaly[]) => void): Promise<number> => {
    const n = await source((rec, id, raw) => {
      const t = miner.add(rec.service, rec.message, rec.timestamp);
      const authFailure = auth.isFailure(t.id, () => templateText(t), rec.message);
      let ip = rec.ip_address ?? '', user = rec.user_id ?? '';
      if (authFailure && (ip === '' || user === '')) { const a = attributionOf(rec.message); ip ||= a.ip; user ||= a.user; }
      const d = durationOf({ metadata: rec.metadata ?? undefined }, cfg.detect.latencyFields);
      const session = keyOf?.(byRegex && raw !== undefined ? { ...rec, raw } : rec);
      runtime.observe({ tsMs: Date.parse(rec.timestamp), service: rec.service, level: rec.level, templateId: t.id, id, authFailure, ip, user, ...(Number.isNaN(d) ? {} : { durationMs: d }), ...(session && session.key !== '' ? { sessionKey: session.key, sessionEnd: session.end } : {}) });
      emit(runtime.advance());
    });
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
  const count = await feed(input, (list) => {
    for (const a of list) {
      if (!latest.has(a.anomaly_id)) order.push(a.anomaly_id);
      latest.set(a.anomaly_id, a);
    }
  });
  return { anomalies: order.map((id) => latest.get(id) as Anomaly), count, late: runtime.stats.late };
}

/** The contract names the session key `session` (the stored anomaly's `session_key`); both are given. */
const withSession = (e: Anomaly['evidence']) => (e.session_key !== undefined ? { ...e, session: e.session_key } : e);

/**
 * Runs `input` (after learning from `baseline`, which emits nothing) through normalize -> mine -> detect, in file
 * order. Each anomaly is returned once, as it stands at the end, in the order anomalies were first raised;
 * `evidence.lines` gives the 1-based input line numbers of its sample records.
 */
export async function replayFiles(cfg: Config, input: string, baseline?: string, receivedAt = new Date()): Promise<ReplayResult> {
  let rejected = 0;
  const file = (path: string): Source => async (observe) => {
    let n = 0;
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      const r = normalizeLine(line, { receivedAt }, cfg.normalize);
      if (!r.ok) { rejected++; continue; }
      observe(r.record as ReplayRecord, String(n), line);
    }
    return n;
  };
  const r = await replay(cfg, file(input), baseline === undefined ? undefined : file(baseline));
  const anomalies = r.anomalies.map((a) => {
    const { sample_record_ids: samples, ...evidence } = a.evidence;
    return { ...a, evidence: { ...withSession(evidence), lines: (samples ?? []).map(Number) } };
  });
  return { anomalies, lines: r.count, rejected, late: r.late };
}

/** Reads one page of the query API (`q`, `start`, `end` as its parameters); the CLI passes its HTTP client. */
export type QueryPage = (params: URLSearchParams) => Promise<{ rows: Record<string, unknown>[] }>;

export interface StoredRange {
  /** A filter in the query language (no pipes): which stored records to replay. */
  filter: string;
  /** The time range, as the query API takes it (RFC 3339, epoch ms, or relative such as 24h). */
  start: string;
  end?: string;
  /** Records per request. */
  pageSize?: number;
}

/**
 * Replays stored records of a time range (read through a server's query API, oldest first, paged by timestamp) the
 * same way; sample record ids are the stored records' ids. `baseline`, when given, is a range learned from first.
 */
export async function replayStored(cfg: Config, page_: QueryPage, input: StoredRange, baseline?: StoredRange): Promise<{ anomalies: Anomaly[]; records: number; late: number }> {
  const range = (q: StoredRange): Source => async (observe) => {
    const size = q.pageSize ?? 5000;
    let start = q.start, n = 0;
    let lastTs = '', atLastTs = new Set<string>();
    for (;;) {
      const params = new URLSearchParams({ q: `${q.filter.trim() || '*'} | sort by timestamp asc | limit ${size}`, start, ...(q.end !== undefined ? { end: q.end } : {}) });
      const page = await page_(params) as { rows: ReplayRecord[] };
      let fresh = 0;
      for (const row of page.rows) {
        const id = String(row.id);
        if (row.timestamp === lastTs && atLastTs.has(id)) continue;
        if (row.timestamp !== lastTs) { lastTs = row.timestamp; atLastTs = new Set(); }
        atLastTs.add(id);
        fresh++; n++;
        const metadata = typeof row.metadata === 'string' ? JSON.parse(row.metadata) as Record<string, unknown> : row.metadata;
        observe({ ...row, metadata }, id);
      }
      if (page.rows.length < size) break;
      if (fresh === 0) throw new LogsiftError('query_invalid', `more than ${size} stored records share the timestamp ${lastTs}; replay them with a larger page`);
      start = lastTs;
    }
    return n;
  };
  const r = await replay(cfg, range(input), baseline === undefined ? undefined : range(baseline));
  return { anomalies: r.anomalies.map((a) => ({ ...a, evidence: withSession(a.evidence) })), records: r.count, late: r.late };
}
