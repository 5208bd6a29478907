// The detection runtime: event-time windows per service closed by a watermark, detectors run on each closed window,
// findings deduplicated into anomalies (a continuing problem updates one anomaly) and resolved when they stop.
import { createHash } from 'node:crypto';
import type { Anomaly } from '../model/anomaly.js';
import type { Validator } from '../model/schemas.js';
import type { DetectContext, Detector, DetectRecord, Finding, SessionStats, WindowStats } from './detector.js';

export interface RuntimeOptions {
  /** Window length: the unit of detection (and the bound on detection delay, plus the lateness). */
  windowMs: number;
  /** How far behind the newest event time a record may arrive and still count; later ones are counted as late. */
  allowedLatenessMs: number;
  /** An open anomaly with no finding for this many windows is resolved. */
  resolveAfterWindows: number;
  /** Services with open windows; past it the least recently seen service's windows are dropped (counted). */
  maxServices: number;
  /** Record ids kept per template and window as samples. */
  samplesPerTemplate: number;
  /** Empty windows reported to detectors per service and advance at most (a service gone for days is not walked). */
  maxEmptyWindows: number;
  /**
   * Each service's windows close on its own watermark (its newest event time minus the lateness), so one sender's
   * batches arriving after another's do not make its records late; a service that has gone quiet follows the newest
   * event time of all services, this much behind (and the idle clock).
   */
  silenceGraceMs: number;
  /** A session with no record for this long (event time, past the watermark) has ended. */
  sessionTimeoutMs: number;
  /** Sessions open at once; past it the least recently active one is dropped unscored (counted). */
  maxOpenSessions: number;
  /** Template ids kept in order per session (its counts keep counting past it). */
  maxSessionEvents: number;
  /** Sessions end at a configured end pattern (detect.sessions.endPattern). */
  sessionsHaveEnd: boolean;
}

export const defaultRuntimeOptions: RuntimeOptions = {
  windowMs: 60_000, allowedLatenessMs: 10_000, resolveAfterWindows: 5, maxServices: 10_000, samplesPerTemplate: 3, maxEmptyWindows: 60, silenceGraceMs: 120_000,
  sessionTimeoutMs: 300_000, maxOpenSessions: 50_000, maxSessionEvents: 1000, sessionsHaveEnd: false,
};

/**
 * An open session, kept small (most sessions are a few records): the template ids and record ids in arrival order
 * (up to maxSessionEvents), counts only past that, and services only when more than one logged in it.
 */
interface OpenSession { startMs: number; lastMs: number; count: number; errors: number; sequence: string[]; ids: string[]; overflow?: Map<string, number>; service: string; services?: Map<string, number>; ended: boolean }

type SavedSession = { startMs: number; lastMs: number; count: number; errors: number; sequence: string[]; ids: string[]; overflow?: [string, number][]; service: string; services?: [string, number][]; ended: boolean };

interface Auth { failures: number; users: Set<string>; samples: string[] }
interface Acc { count: number; errors: number; templates: Map<string, number>; templateErrors: Map<string, number>; samples: Map<string, string[]>; auth: Map<string, Auth>; durations: number[]; durationCount: number }
/** Durations kept per service window; past it each new one replaces a slot in turn (an even, deterministic sample). */
const MAX_DURATIONS = 1000;
/** Client addresses and users tracked per service window (a flood of spoofed addresses cannot grow it further). */
const MAX_AUTH_KEYS = 10_000;
/** `heardAt`: the newest event time of all services when this one last logged (how long it has been quiet). */
interface ServiceWindows { open: Map<number, Acc>; closedUntil: number; maxTs: number; heardAt: number }
interface OpenAnomaly { anomaly: Anomaly; lastEndMs: number }

export interface RuntimeSnapshot {
  version: 1;
  maxTs: number | null;
  closedUntil: number | null;
  stats: RuntimeStats;
  services: { name: string; closedUntil: number | null; maxTs: number | null; heardAt: number | null;
    open: { start: number; count: number; errors: number; templates: [string, number][]; templateErrors: [string, number][]; samples: [string, string[]][]; auth?: [string, { failures: number; users: string[]; samples: string[] }][]; durations?: number[]; durationCount?: number }[] }[];
  anomalies: { key: string; anomaly: Anomaly; lastEndMs: number }[];
  sessions?: [string, SavedSession][];
  detectors: Record<string, unknown>;
}

export interface RuntimeStats { late: number; windowsClosed: number; servicesDropped: number; anomaliesOpened: number; sessionsEnded?: number; sessionsDropped?: number; sessionsUnfinished?: number; anomaliesInvalid?: number }

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The runtime must see records in the order the write path assigns LSNs and be driven only by event time (records)
 * or by `advanceTo` (a processing-time clock when the stream is idle), so a replay of the same records gives the same
 * anomalies. Every anomaly it returns has been checked against schemas/anomaly_schema.yaml.
 */
export class DetectionRuntime {
  private readonly services = new Map<string, ServiceWindows>();
  private readonly openAnomalies = new Map<string, OpenAnomaly>();
  /** Open sessions in order of last activity (a record moves its session to the end). */
  private readonly sessions = new Map<string, OpenSession>();
  private readonly wantsSessions: boolean;
  private readonly peekers: readonly Detector[];
  /** Open windows that got a record a peek may judge differently (an auth failure, a template new to the window). */
  private readonly dirty = new Map<Acc, { service: string; start: number }>();
  /** Sessions whose end pattern was seen since the last advance. */
  private endedKeys: string[] = [];
  private maxTs = -Infinity;
  /** Windows ending at or before this are closed. */
  private closedUntil = -Infinity;
  readonly stats: Required<RuntimeStats> = { late: 0, windowsClosed: 0, servicesDropped: 0, anomaliesOpened: 0, sessionsEnded: 0, sessionsDropped: 0, sessionsUnfinished: 0, anomaliesInvalid: 0 };
  readonly opts: RuntimeOptions;

  constructor(
    private readonly detectors: readonly Detector[],
    private readonly ctx: DetectContext,
    private readonly validator: Validator<Anomaly>,
    opts: Partial<RuntimeOptions> = {},
  ) {
    this.opts = { ...defaultRuntimeOptions, ...opts };
    this.wantsSessions = detectors.some((d) => d.observeSession !== undefined);
    this.peekers = detectors.filter((d) => d.peek !== undefined);
  }

  /** Adds one record to its service's window. A record older than its service's closed windows is counted late. */
  observe(r: DetectRecord): void {
    const { windowMs } = this.opts;
    const start = Math.floor(r.tsMs / windowMs) * windowMs;
    let svc = this.services.get(r.service);
    if (!svc) {
      if (this.services.size >= this.opts.maxServices) this.dropOldestService();
      svc = { open: new Map(), closedUntil: -Infinity, maxTs: -Infinity, heardAt: -Infinity }; // no empty windows before its first record
      this.services.set(r.service, svc);
    }
    if (start + windowMs <= svc.closedUntil) { this.stats.late++; return; }
    let acc = svc.open.get(start);
    if (!acc) { acc = { count: 0, errors: 0, templates: new Map(), templateErrors: new Map(), samples: new Map(), auth: new Map(), durations: [], durationCount: 0 }; svc.open.set(start, acc); }
    acc.count++;
    const before = acc.templates.get(r.templateId);
    acc.templates.set(r.templateId, (before ?? 0) + 1);
    if (this.peekers.length > 0 && (before === undefined || r.authFailure === true)) this.dirty.set(acc, { service: r.service, start });
    if (r.level === 'ERROR' || r.level === 'FATAL') {
      acc.errors++;
      acc.templateErrors.set(r.templateId, (acc.templateErrors.get(r.templateId) ?? 0) + 1);
    }
    if (r.id !== undefined) {
      const s = acc.samples.get(r.templateId);
      if (!s) acc.samples.set(r.templateId, [r.id]);
      else if (s.length < this.opts.samplesPerTemplate) s.push(r.id);
    }
    if (r.durationMs !== undefined && Number.isFinite(r.durationMs)) {
      if (acc.durations.length < MAX_DURATIONS) acc.durations.push(r.durationMs);
      else acc.durations[(acc.durationCount * 7919) % MAX_DURATIONS] = r.durationMs;
      acc.durationCount++;
    }
    if (r.authFailure) {
      const ip = r.ip ?? '';
      let a = acc.auth.get(ip);
      if (!a && acc.auth.size < MAX_AUTH_KEYS) { a = { failures: 0, users: new Set(), samples: [] }; acc.auth.set(ip, a); }
      if (a) {
        a.failures++;
        if (r.user && a.users.size < MAX_AUTH_KEYS) a.users.add(r.user);
        if (r.id !== undefined && a.samples.length < this.opts.samplesPerTemplate) a.samples.push(r.id);
      }
    }
    if (r.tsMs > this.maxTs) this.maxTs = r.tsMs;
    if (r.tsMs > svc.maxTs) svc.maxTs = r.tsMs;
    svc.heardAt = this.maxTs;
    if (r.sessionKey !== undefined && r.sessionKey !== '' && this.wantsSessions) this.observeSessionRecord(r);
  }

  /**
   * Adds a whole window of one service at once, as if its records had been observed (batch analysis merges windows
   * counted in chunks): `w` in the snapshot's window form, `lastTsMs` its newest event time. Windows of a service must
   * come in event-time order; one whose service's windows are already closed is counted late, record by record.
   */
  observeWindow(service: string, w: RuntimeSnapshot['services'][number]['open'][number], lastTsMs: number): void {
    let svc = this.services.get(service);
    if (!svc) {
      if (this.services.size >= this.opts.maxServices) this.dropOldestService();
      svc = { open: new Map(), closedUntil: -Infinity, maxTs: -Infinity, heardAt: -Infinity };
      this.services.set(service, svc);
    }
    if (w.start + this.opts.windowMs <= svc.closedUntil) { this.stats.late += w.count; return; }
    if (svc.open.has(w.start)) throw new Error(`BUG: window ${w.start} of ${service} observed twice`);
    svc.open.set(w.start, {
      count: w.count, errors: w.errors, templates: new Map(w.templates), templateErrors: new Map(w.templateErrors), samples: new Map(w.samples),
      auth: new Map((w.auth ?? []).map(([ip, x]) => [ip, { failures: x.failures, users: new Set(x.users), samples: x.samples }])), durations: w.durations ?? [], durationCount: w.durationCount ?? 0,
    });
    if (lastTsMs > this.maxTs) this.maxTs = lastTsMs;
    if (lastTsMs > svc.maxTs) svc.maxTs = lastTsMs;
    svc.heardAt = this.maxTs;
  }

  private observeSessionRecord(r: DetectRecord): void {
    const key = r.sessionKey as string;
    let s = this.sessions.get(key);
    if (s) this.sessions.delete(key);
    else {
      if (this.sessions.size >= this.opts.maxOpenSessions) {
        const oldest = this.sessions.keys().next();
        if (oldest.done !== true) { this.sessions.delete(oldest.value); this.stats.sessionsDropped++; }
      }
      s = { startMs: r.tsMs, lastMs: r.tsMs, count: 0, errors: 0, sequence: [], ids: [], service: r.service, ended: false };
    }
    this.sessions.set(key, s);
    s.count++;
    if (r.tsMs < s.startMs) s.startMs = r.tsMs;
    if (r.tsMs > s.lastMs) s.lastMs = r.tsMs;
    if (r.level === 'ERROR' || r.level === 'FATAL') s.errors++;
    if (s.sequence.length < this.opts.maxSessionEvents) { s.sequence.push(r.templateId); s.ids.push(r.id ?? ''); }
    else (s.overflow ??= new Map()).set(r.templateId, (s.overflow.get(r.templateId) ?? 0) + 1);
    if (r.service !== s.service || s.services) {
      if (!s.services) s.services = new Map([[s.service, s.count - 1]]);
      s.services.set(r.service, (s.services.get(r.service) ?? 0) + 1);
    }
    if (r.sessionEnd === true && !s.ended) { s.ended = true; this.endedKeys.push(key); }
  }

  /**
   * Ends the sessions whose end pattern was seen, those quiet since before `watermark - sessionTimeoutMs`, or all.
   * Sessions are kept in order of their last record's arrival, so the scan stops at the first one still active.
   */
  private endSessions(watermark: number, all: boolean, changed: Map<string, Anomaly>): void {
    if (this.sessions.size === 0) return;
    const limit = watermark - this.opts.sessionTimeoutMs;
    const ending: [string, OpenSession][] = [];
    for (const key of this.endedKeys) { const s = this.sessions.get(key); if (s?.ended === true) ending.push([key, s]); }
    this.endedKeys = [];
    for (const [key, s] of this.sessions) {
      if (!all && s.lastMs >= limit) break;
      if (!s.ended) ending.push([key, s]);
    }
    for (const [key, s] of ending) {
      this.sessions.delete(key);
      // At the end of a replay, a session that has an end pattern to reach, has not reached it and was still active
      // may simply continue past the file: not judged. Without an end pattern, the end of the file ends sessions.
      if (all && this.opts.sessionsHaveEnd && !s.ended && s.lastMs >= limit) { this.stats.sessionsUnfinished++; continue; }
      this.stats.sessionsEnded++;
      let service = s.service;
      if (s.services) { let most = -1; for (const [name, n] of s.services) if (n > most) { most = n; service = name; } }
      const templates = new Map<string, number>(), firstIds = new Map<string, string>();
      s.sequence.forEach((t, i) => {
        templates.set(t, (templates.get(t) ?? 0) + 1);
        const id = s.ids[i];
        if (id && !firstIds.has(t)) firstIds.set(t, id);
      });
      for (const [t, n] of s.overflow ?? []) templates.set(t, (templates.get(t) ?? 0) + n);
      const stats: SessionStats = {
        key, service, services: s.services ?? new Map([[s.service, s.count]]), startMs: s.startMs, lastMs: s.lastMs, count: s.count, errors: s.errors, templates,
        sequence: s.sequence, firstIds, endedBy: s.ended ? 'end_pattern' : all ? 'finish' : 'timeout',
      };
      const findings = this.detectors.flatMap((d) => d.observeSession?.(stats, this.ctx) ?? []);
      // Raised when the session ended: at the watermark that ended it (its last record, for an end pattern).
      if (findings.length > 0) this.emit(findings, s.startMs, s.lastMs + 1, changed, s.ended ? s.lastMs : all ? s.lastMs : Math.max(s.lastMs, watermark));
    }
  }

  /** Closes the windows the watermarks have passed; returns changed anomalies. */
  advance(): Anomaly[] {
    const closed = this.closeUntil(this.maxTs - this.opts.allowedLatenessMs - this.opts.silenceGraceMs, 'quiet');
    return this.dirty.size === 0 ? closed : [...new Map([...closed, ...this.peekOpen()].map((a) => [a.anomaly_id, a])).values()];
  }

  /** Runs the peeking detectors on open windows that changed since the last advance: findings are raised at once. */
  private peekOpen(): Anomaly[] {
    const changed = new Map<string, Anomaly>();
    const { windowMs } = this.opts;
    for (const [acc, { service, start }] of this.dirty) {
      const svc = this.services.get(service);
      if (!svc || svc.open.get(start) !== acc) continue; // closed meanwhile: judged in full
      const w: WindowStats = { service, startMs: start, endMs: start + windowMs, ...acc };
      const findings = this.peekers.flatMap((d) => d.peek?.(w, this.ctx) ?? []);
      if (findings.length > 0) this.emit(findings, start, start + windowMs, changed, Math.min(start + windowMs, Math.max(start, svc.maxTs)));
    }
    this.dirty.clear();
    return [...changed.values()];
  }

  /** Moves every watermark to `ms` at least (a processing-time clock while the whole stream is idle). */
  advanceTo(ms: number): Anomaly[] {
    return this.closeUntil(Math.max(ms, this.maxTs - this.opts.allowedLatenessMs - this.opts.silenceGraceMs), 'every');
  }

  /** Closes every window and ends every session (end of a replay). */
  finish(): Anomaly[] {
    return this.closeUntil(Math.floor(this.maxTs / this.opts.windowMs) * this.opts.windowMs + this.opts.windowMs, 'every', true);
  }

  /**
   * Each service closes the windows its own watermark passed. `floor` applies on top to services that have been quiet
   * for silenceGraceMs of the others' event time ('quiet'), or to every service ('every': idle clock, end of replay).
   */
  private closeUntil(floor: number, to: 'quiet' | 'every', endAllSessions = false): Anomaly[] {
    const { windowMs, allowedLatenessMs, silenceGraceMs } = this.opts;
    const align = (ms: number) => Math.floor(ms / windowMs) * windowMs;
    const changed = new Map<string, Anomaly>();
    for (const [service, svc] of this.services) {
      const quiet = to === 'every' || this.maxTs - svc.heardAt > silenceGraceMs;
      const until = align(Math.max(quiet ? floor : -Infinity, svc.maxTs - allowedLatenessMs));
      if (!(until > svc.closedUntil)) continue;
      const starts = [...svc.open.keys()].filter((s) => s + windowMs <= until).sort((a, b) => a - b);
      // Empty windows between what was closed and what is closing now (only for services that logged before).
      let next = svc.closedUntil === -Infinity ? (starts[0] ?? until) : svc.closedUntil;
      if (until - next > this.opts.maxEmptyWindows * windowMs) next = until - this.opts.maxEmptyWindows * windowMs;
      for (const start of starts) {
        for (; next < start; next += windowMs) this.emit(this.runEmpty(service, next, next + windowMs), next, next + windowMs, changed);
        const acc = svc.open.get(start) as Acc;
        svc.open.delete(start);
        this.emit(this.run({ service, startMs: start, endMs: start + windowMs, ...acc }), start, start + windowMs, changed);
        next = start + windowMs;
      }
      if (svc.closedUntil !== -Infinity || starts.length > 0) for (; next < until; next += windowMs) this.emit(this.runEmpty(service, next, next + windowMs), next, next + windowMs, changed);
      svc.closedUntil = until;
    }
    const globalUntil = align(floor);
    if (globalUntil > this.closedUntil) this.closedUntil = globalUntil;
    this.endSessions(Math.max(floor, this.maxTs - allowedLatenessMs), endAllSessions, changed);
    this.resolveStale(this.closedUntil, changed);
    return [...changed.values()];
  }

  private run(w: WindowStats): Finding[] {
    this.stats.windowsClosed++;
    return this.detectors.flatMap((d) => d.observe(w, this.ctx));
  }

  private runEmpty(service: string, start: number, end: number): Finding[] {
    return this.detectors.flatMap((d) => d.observeEmpty?.(service, start, end, this.ctx) ?? []);
  }

  /** Turns findings into anomalies: a finding right after an open anomaly of the same kind extends it. */
  private emit(findings: Finding[], startMs: number, endMs: number, changed: Map<string, Anomaly>, detectedMs = endMs): void {
    for (const raw of findings) {
      // A statistic can come out infinite (a rate against a baseline of zero) or NaN: the score and confidence are
      // clamped to finite numbers so that such a finding is still reported, and never fails the schema.
      const f = { ...raw, score: finiteScore(raw.score), confidence: Number.isFinite(raw.confidence) ? Math.min(1, Math.max(0, raw.confidence)) : 0.5 };
      const key = `${f.type}\u0001${f.service}\u0001${f.key}`;
      const open = this.openAnomalies.get(key);
      if (open && open.lastEndMs >= startMs - this.opts.windowMs) {
        const a = open.anomaly;
        const higher = f.score > a.score;
        open.anomaly = {
          // detected_at stays when it was first raised; the window grows.
          ...a, window_end: iso(endMs),
          score: Math.max(a.score, f.score), confidence: Math.max(a.confidence, f.confidence),
          severity: rank(f.severity) > rank(a.severity) ? f.severity : a.severity,
          // The strongest window's sentence and evidence describe the problem; the span says how long it lasted.
          description: higher ? f.description : a.description, evidence: higher ? f.evidence : a.evidence,
        };
        open.lastEndMs = endMs;
        if (!this.check(open.anomaly)) { open.anomaly = a; continue; }
        changed.set(key, open.anomaly);
        continue;
      }
      const anomaly: Anomaly = {
        anomaly_id: createHash('sha256').update(`${key}\u0001${startMs}`).digest('hex').slice(0, 16),
        detected_at: iso(detectedMs), window_start: iso(startMs), window_end: iso(endMs),
        anomaly_type: f.type, severity: f.severity, service: f.service, description: f.description,
        score: Math.max(0, f.score), confidence: f.confidence, evidence: f.evidence, status: 'open',
      };
      if (!this.check(anomaly)) continue;
      this.openAnomalies.set(key, { anomaly, lastEndMs: endMs });
      this.stats.anomaliesOpened++;
      changed.set(key, anomaly);
    }
  }

  private resolveStale(until: number, changed: Map<string, Anomaly>): void {
    const limit = until - this.opts.resolveAfterWindows * this.opts.windowMs;
    for (const [key, open] of this.openAnomalies) {
      if (open.lastEndMs > limit) continue;
      const resolved: Anomaly = { ...open.anomaly, status: 'resolved' };
      this.openAnomalies.delete(key);
      changed.set(key, resolved);
    }
  }

  private check(a: Anomaly): boolean {
    const problems = this.validator.check(a);
    if (!problems) return true;
    // Counted (stats.anomaliesInvalid, in GET /api/v1/anomalies under `detection`), not thrown: a detector's bug must not stop detection, nor
    // the server, from the timer that closes windows. The first few are printed for the bug report.
    this.stats.anomaliesInvalid++;
    if (this.stats.anomaliesInvalid <= 10) console.error(`logsift: BUG: a detector produced an anomaly that does not match schemas/anomaly_schema.yaml (dropped): ${problems.join('; ')}`);
    return false;
  }

  private dropOldestService(): void {
    const first = this.services.keys().next();
    if (first.done === true) return;
    this.services.delete(first.value);
    this.stats.servicesDropped++;
  }

  /**
   * The whole state, JSON-safe (infinities as null): windows, watermarks, open anomalies, counters and every
   * detector's own state, by detector type. `restore` continues exactly from it.
   */
  snapshot(): RuntimeSnapshot {
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      version: 1, maxTs: fin(this.maxTs), closedUntil: fin(this.closedUntil), stats: { ...this.stats },
      services: [...this.services].map(([name, s]) => ({
        name, closedUntil: fin(s.closedUntil), maxTs: fin(s.maxTs), heardAt: fin(s.heardAt),
        open: [...s.open].map(([start, a]) => ({ start, count: a.count, errors: a.errors, templates: [...a.templates], templateErrors: [...a.templateErrors], samples: [...a.samples], auth: [...a.auth].map(([ip, x]): [string, { failures: number; users: string[]; samples: string[] }] => [ip, { failures: x.failures, users: [...x.users], samples: x.samples }]), durations: a.durations, durationCount: a.durationCount })),
      })),
      anomalies: [...this.openAnomalies].map(([key, o]) => ({ key, anomaly: o.anomaly, lastEndMs: o.lastEndMs })),
      sessions: [...this.sessions].map(([key, s]): [string, SavedSession] => [key, { ...s, ...(s.overflow ? { overflow: [...s.overflow] } : {}), ...(s.services ? { services: [...s.services] } : {}) } as SavedSession]),
      detectors: Object.fromEntries(this.detectors.map((d) => [d.type, d.snapshot()])),
    };
  }

  restore(snap: RuntimeSnapshot): void {
    if (snap.version !== 1) throw new Error(`cannot restore the detection state: unknown version ${String(snap.version)}`);
    const inf = (x: number | null) => x ?? -Infinity;
    this.maxTs = inf(snap.maxTs);
    this.closedUntil = inf(snap.closedUntil);
    Object.assign(this.stats, snap.stats);
    this.services.clear();
    for (const s of snap.services) {
      this.services.set(s.name, {
        closedUntil: inf(s.closedUntil), maxTs: inf(s.maxTs), heardAt: inf(s.heardAt),
        open: new Map(s.open.map((a) => [a.start, { count: a.count, errors: a.errors, templates: new Map(a.templates), templateErrors: new Map(a.templateErrors), samples: new Map(a.samples), auth: new Map((a.auth ?? []).map(([ip, x]) => [ip, { failures: x.failures, users: new Set(x.users), samples: x.samples }])), durations: a.durations ?? [], durationCount: a.durationCount ?? 0 }])),
      });
    }
    this.openAnomalies.clear();
    for (const o of snap.anomalies) this.openAnomalies.set(o.key, { anomaly: o.anomaly, lastEndMs: o.lastEndMs });
    this.sessions.clear();
    for (const [key, s] of snap.sessions ?? []) {
      const { overflow, services, ...rest } = s;
      this.sessions.set(key, { ...rest, ...(overflow ? { overflow: new Map(overflow) } : {}), ...(services ? { services: new Map(services) } : {}) });
    }
    this.endedKeys = [...this.sessions].filter(([, s]) => s.ended).map(([key]) => key);
    // A detector turned on since the save starts fresh; one turned off leaves its state unused.
    for (const d of this.detectors) if (snap.detectors[d.type] !== undefined) d.restore(snap.detectors[d.type]);
  }

  /** Sessions not ended yet (for tests and status). */
  get openSessions(): number { return this.sessions.size; }

  /** Windows still open (for tests and status). */
  get openWindows(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.open.size;
    return n;
  }
}

const rank = (s: Anomaly['severity']): number => ['low', 'medium', 'high', 'critical'].indexOf(s);

/** A finding's score as a finite number: NaN is 0, infinity the largest score any detector reports in practice. */
export function finiteScore(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.max(-1e6, Math.min(1e6, x));
}
