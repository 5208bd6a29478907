// Accumulates one chunk's records into a partial result with the engine's miner and detection inputs.
import { TemplateMiner, templateText, type MinerOptions } from '../patterns/miner.js';
import { AuthFailureClassifier, attributionOf } from '../detect/auth-failure.js';
import { durationOf } from '../intake/serialize.js';
import { MAX_AUTH_KEYS, MAX_DURATIONS, capKeys, type AnalysisPartial, type PartialLimits, type WindowAcc } from './partial.js';

/** A normalized record as the analysis reads it (from a text line or a lake row). */
export interface AnalyzedRecord {
  tsMs: number;
  /** RFC 3339 text of the timestamp (template first and last seen). */
  timestamp: string;
  service: string;
  level: string;
  message: string;
  ip: string;
  user: string;
  metadata: Record<string, unknown> | undefined;
  /** Where the record is (path@byte offset, or its stored id): sample evidence. */
  id: string;
}

export interface BuilderOptions extends PartialLimits {
  windowMs: number;
  bucketMs: number;
  miner: Partial<MinerOptions>;
  latencyFields: readonly string[];
  /** Records outside [fromMs, toMs) or of other services are counted as filtered, not analysed. */
  fromMs: number | null;
  toMs: number | null;
  services: readonly string[];
}

interface MutableWindow { count: number; errors: number; templates: Map<string, number>; templateErrors: Map<string, number>; samples: Map<string, string[]>; auth: Map<string, { failures: number; users: Set<string>; samples: string[] }>; durations: number[]; durationCount: number }

export class PartialBuilder {
  private readonly miner: TemplateMiner;
  private readonly auth = new AuthFailureClassifier();
  private lines = 0;
  private records = 0;
  private filtered = 0;
  private readonly rejected = new Map<string, number>();
  private minTs: number | null = null;
  private maxTs: number | null = null;
  private readonly services = new Map<string, Map<string, number>>();
  private readonly buckets = new Map<number, [number, number]>();
  private readonly ips = new Map<string, number>();
  private readonly users = new Map<string, number>();
  private readonly windows = new Map<string, { maxTs: number; open: Map<number, MutableWindow> }>();
  private readonly serviceFilter: ReadonlySet<string> | null;

  constructor(private readonly opts: BuilderOptions) {
    this.miner = new TemplateMiner(opts.miner);
    this.serviceFilter = opts.services.length > 0 ? new Set(opts.services) : null;
  }

  line(): void { this.lines++; }

  reject(reason: string): void { this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1); }

  add(r: AnalyzedRecord): void {
    const o = this.opts;
    // A NaN time would become null in JSON and differ between executors: such a record is a rejection, not a count.
    if (!Number.isFinite(r.tsMs)) { this.reject('invalid_timestamp'); return; }
    if ((o.fromMs !== null && r.tsMs < o.fromMs) || (o.toMs !== null && r.tsMs >= o.toMs) || (this.serviceFilter !== null && !this.serviceFilter.has(r.service))) { this.filtered++; return; }
    this.records++;
    if (this.minTs === null || r.tsMs < this.minTs) this.minTs = r.tsMs;
    if (this.maxTs === null || r.tsMs > this.maxTs) this.maxTs = r.tsMs;
    let levels = this.services.get(r.service);
    if (!levels) { levels = new Map(); this.services.set(r.service, levels); }
    levels.set(r.level, (levels.get(r.level) ?? 0) + 1);
    const isError = r.level === 'ERROR' || r.level === 'FATAL';
    const bucket = Math.floor(r.tsMs / o.bucketMs) * o.bucketMs;
    const b = this.buckets.get(bucket);
    if (b) { b[0]++; if (isError) b[1]++; } else this.buckets.set(bucket, [1, isError ? 1 : 0]);

    const t = this.miner.add(r.service, r.message, r.timestamp);
    const authFailure = this.auth.isFailure(t.id, () => templateText(t), r.message);
    let ip = r.ip, user = r.user;
    if (authFailure && (ip === '' || user === '')) { const a = attributionOf(r.message); ip ||= a.ip; user ||= a.user; }
    if (ip !== '') this.ips.set(ip, (this.ips.get(ip) ?? 0) + 1);
    if (user !== '') this.users.set(user, (this.users.get(user) ?? 0) + 1);
    this.observeWindow(r, t.id, isError, authFailure, ip, user);
  }

  /** The same accounting as the detection runtime's `observe`, into this chunk's windows. */
  private observeWindow(r: AnalyzedRecord, templateId: string, isError: boolean, authFailure: boolean, ip: string, user: string): void {
    const o = this.opts;
    let svc = this.windows.get(r.service);
    if (!svc) { svc = { maxTs: r.tsMs, open: new Map() }; this.windows.set(r.service, svc); }
    if (r.tsMs > svc.maxTs) svc.maxTs = r.tsMs;
    const start = Math.floor(r.tsMs / o.windowMs) * o.windowMs;
    let w = svc.open.get(start);
    if (!w) { w = { count: 0, errors: 0, templates: new Map(), templateErrors: new Map(), samples: new Map(), auth: new Map(), durations: [], durationCount: 0 }; svc.open.set(start, w); }
    w.count++;
    w.templates.set(templateId, (w.templates.get(templateId) ?? 0) + 1);
    if (isError) { w.errors++; w.templateErrors.set(templateId, (w.templateErrors.get(templateId) ?? 0) + 1); }
    const s = w.samples.get(templateId);
    if (!s) w.samples.set(templateId, [r.id]); else if (s.length < o.samples) s.push(r.id);
    const d = durationOf({ metadata: r.metadata }, o.latencyFields);
    if (!Number.isNaN(d)) {
      if (w.durations.length < MAX_DURATIONS) w.durations.push(d);
      else w.durations[(w.durationCount * 7919) % MAX_DURATIONS] = d;
      w.durationCount++;
    }
    if (authFailure) {
      let a = w.auth.get(ip);
      if (!a && w.auth.size < MAX_AUTH_KEYS) { a = { failures: 0, users: new Set(), samples: [] }; w.auth.set(ip, a); }
      if (a) {
        a.failures++;
        if (user !== '' && a.users.size < MAX_AUTH_KEYS) a.users.add(user);
        if (a.samples.length < o.samples) a.samples.push(r.id);
      }
    }
  }

  /** The chunk's partial result (plain JSON). */
  finish(): AnalysisPartial {
    const o = this.opts;
    const snap = this.miner.snapshot();
    delete snap.cache;
    snap.stats = { ...snap.stats, cacheClears: 0 };
    const keys = (m: Map<string, number>) => capKeys([...m], o.maxKeys, { truncated: false, droppedCount: 0 });
    return {
      version: 1, windowMs: o.windowMs, bucketMs: o.bucketMs, chunks: 1,
      lines: this.lines, records: this.records, filtered: this.filtered, rejected: [...this.rejected],
      minTs: this.minTs, maxTs: this.maxTs,
      services: [...this.services].map(([s, l]) => [s, [...l]]),
      buckets: [...this.buckets].map(([t, [n, e]]) => [t, n, e]),
      ips: keys(this.ips), users: keys(this.users),
      miner: snap,
      windows: [...this.windows].map(([service, s]) => ({
        service, maxTs: s.maxTs,
        open: [...s.open].sort((x, y) => x[0] - y[0]).map(([start, w]): WindowAcc => ({
          start, count: w.count, errors: w.errors, templates: [...w.templates], templateErrors: [...w.templateErrors], samples: [...w.samples],
          auth: [...w.auth].map(([k, a]) => [k, { failures: a.failures, users: [...a.users], samples: a.samples }]),
          durations: w.durations, durationCount: w.durationCount,
        })),
      })),
    };
  }
}
