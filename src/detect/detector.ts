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
  snapshot(): unknown;
  restore(state: unknown): void;
}
