// The Detector interface: what a detector sees (closed event-time windows of one service) and what it reports.
import type { AnomalyEvidence, AnomalyType, Severity } from '../model/anomaly.js';

/** One record as detectors see it (taken from the write path, after the template miner). */
export interface DetectRecord {
  /** Event time, ms since the epoch. */
  tsMs: number;
  service: string;
  level: string;
  templateId: string;
  /** Record id, when known (the LSN-derived id); used as sample evidence. */
  id?: string;
  /** The record is a failed authentication (a failed login, an HTTP 401 ...), and the client address and user. */
  authFailure?: boolean;
  ip?: string;
  user?: string;
  /** The record's duration in ms (metadata duration_ms and similar), when it has one. */
  durationMs?: number;
  /** The session the record belongs to (detect.sessions key), and whether it is the session's last record. */
  sessionKey?: string;
  sessionEnd?: boolean;
}

/** Failed authentications of one client address in a window. */
export interface AuthFailures { failures: number; users: ReadonlySet<string>; samples: readonly string[] }

/** What one service logged in one closed window [startMs, endMs). */
export interface WindowStats {
  service: string;
  startMs: number;
  endMs: number;
  count: number;
  /** Records at ERROR or FATAL. */
  errors: number;
  /** Records per template id. */
  templates: ReadonlyMap<string, number>;
  /** Records at ERROR or FATAL per template id (only templates that had one). */
  templateErrors: ReadonlyMap<string, number>;
  /** A few record ids per template (first seen in the window), for evidence. */
  samples: ReadonlyMap<string, readonly string[]>;
  /** Failed authentications by client address ('' when the record named none). */
  auth: ReadonlyMap<string, AuthFailures>;
  /** Durations (ms) of the window's records that had one: all of them up to 1,000, then an even sample. */
  durations: readonly number[];
  /** How many records had a duration (may exceed durations.length). */
  durationCount: number;
}

/** One ended session (records sharing a session key): what session detectors score. */
export interface SessionStats {
  key: string;
  /** The service with the most of its records (the first to log on a tie), and records per service. */
  service: string;
  services: ReadonlyMap<string, number>;
  /** Event times of its first and last records. */
  startMs: number;
  lastMs: number;
  count: number;
  errors: number;
  /** Records per template id. */
  templates: ReadonlyMap<string, number>;
  /** Template ids in the order the records arrived (at most detect.sessions.maxEvents; `count` says how many). */
  sequence: readonly string[];
  /** The first record id of each template, for evidence. */
  firstIds: ReadonlyMap<string, string>;
  /** What ended it: inactivity, its end pattern, or the end of a replay. */
  endedBy: 'timeout' | 'end_pattern' | 'finish';
}

/** What detectors may ask the engine while they observe: read-only, deterministic. */
export interface DetectContext {
  /** The template's text (variables written <*>), when the miner knows it. */
  templateText(id: string): string | undefined;
}

/** A finding before the runtime turns it into an anomaly (id, times, status, dedup). */
export interface Finding {
  type: AnomalyType;
  service: string;
  severity: Severity;
  /** What makes two findings the same ongoing problem besides type and service (e.g. the template id); '' if none. */
  key: string;
  score: number;
  confidence: number;
  description: string;
  evidence: AnomalyEvidence;
}

/**
 * A detector must be deterministic: the same windows in the same order give the same findings. It must keep bounded
 * state per service (and a bounded number of services), and its state must survive `snapshot`/`restore`.
 * It is forbidden to read the clock: time is the windows' event time.
 */
export interface Detector {
  readonly type: string;
  /** Called once per closed window of each service that logged in it, in window order. */
  observe(w: WindowStats, ctx: DetectContext): Finding[];
  /** Called when a service that logged before logged nothing in a closed window (silence and drop detectors care). */
  observeEmpty?(service: string, startMs: number, endMs: number, ctx: DetectContext): Finding[];
  /**
   * Judges a window still open (optional): a finding is raised at once instead of when the window closes (a brute
   * force past its threshold, a template never seen before). It must not change the detector's state, and the same
   * finding from `observe` when the window closes extends the anomaly raised here.
   */
  peek?(w: WindowStats, ctx: DetectContext): Finding[];
  /** Called once per ended session, in the order sessions end (session detectors). */
  observeSession?(s: SessionStats, ctx: DetectContext): Finding[];
  snapshot(): unknown;
  restore(state: unknown): void;
}
