// The mergeable partial result of a batch analysis: what one chunk (or a merged run of chunks) contributes.
import type { MinerSnapshot } from '../patterns/miner.js';

/** What the detection runtime keeps for one service's window (its snapshot format), so detection runs on merged windows. */
export interface WindowAcc {
  start: number;
  count: number;
  errors: number;
  templates: [string, number][];
  templateErrors: [string, number][];
  samples: [string, string[]][];
  auth: [string, { failures: number; users: string[]; samples: string[] }][];
  durations: number[];
  durationCount: number;
}

/** Counts by key (IP addresses, users): exact while `truncated` is false; past the cap, the lowest counts are dropped. */
export interface KeyCounts { entries: [string, number][]; truncated: boolean; droppedCount: number }

/**
 * A partial must be plain JSON (no undefined, no Map): it crosses worker threads and Dask/Ray processes, and the same
 * partials must merge to the same bytes whichever way they travelled. Keys from log content live in entry arrays,
 * never as object keys (a service named __proto__ stays data).
 */
export interface AnalysisPartial {
  version: 1;
  windowMs: number;
  bucketMs: number;
  /** Chunks merged into this partial. */
  chunks: number;
  /** Non-blank lines read (text) or rows read (Parquet). */
  lines: number;
  /** Normalized records inside the time and service filters (what every aggregate counts). */
  records: number;
  /** Normalized records outside the --from/--to/--service filters. */
  filtered: number;
  /** Lines that could not be normalized, by reason code. */
  rejected: [string, number][];
  minTs: number | null;
  maxTs: number | null;
  /** Records per service and level. */
  services: [string, [string, number][]][];
  /** Time buckets: [start ms, records, records at ERROR or FATAL]. */
  buckets: [number, number, number][];
  ips: KeyCounts;
  users: KeyCounts;
  /** The template miner's state (without its cache): every template with its count. */
  miner: MinerSnapshot;
  /** Per service, its detection windows and its newest event time. */
  windows: { service: string; maxTs: number; open: WindowAcc[] }[];
}

export interface PartialLimits {
  /** Distinct keys (IPs, users) kept per partial. */
  maxKeys: number;
  /** Sample record ids per template and window (the runtime's samplesPerTemplate). */
  samples: number;
}

/** Durations kept per window, as the detection runtime keeps them. */
export const MAX_DURATIONS = 1000;
/** Client addresses per window, and users per address, as the detection runtime keeps them. */
export const MAX_AUTH_KEYS = 10_000;

export function emptyPartial(windowMs: number, bucketMs: number): AnalysisPartial {
  return {
    version: 1, windowMs, bucketMs, chunks: 0, lines: 0, records: 0, filtered: 0, rejected: [], minTs: null, maxTs: null,
    services: [], buckets: [], ips: { entries: [], truncated: false, droppedCount: 0 }, users: { entries: [], truncated: false, droppedCount: 0 },
    miner: { version: 1, seq: 0, services: [], stats: { evicted: 0, servicesDropped: 0, cacheClears: 0 }, templates: [] },
    windows: [],
  };
}

/** Sums [key, n] lists: keys in first-seen order (a's, then b's new ones). */
export function sumEntries<K>(a: readonly [K, number][], b: readonly [K, number][]): [K, number][] {
  const m = new Map<K, number>(a);
  for (const [k, n] of b) m.set(k, (m.get(k) ?? 0) + n);
  return [...m];
}

/**
 * Keeps the `max` largest counts (ties by key, so the cut does not depend on arrival order), in first-seen order;
 * the rest are dropped and counted.
 */
export function capKeys(entries: [string, number][], max: number, prior: { truncated: boolean; droppedCount: number }): KeyCounts {
  if (entries.length <= max) return { entries, truncated: prior.truncated, droppedCount: prior.droppedCount };
  const keep = new Set([...entries].sort(byCountThenKey).slice(0, max).map(([k]) => k));
  let dropped = prior.droppedCount;
  const kept: [string, number][] = [];
  for (const e of entries) if (keep.has(e[0])) kept.push(e); else dropped += e[1];
  return { entries: kept, truncated: true, droppedCount: dropped };
}

export const byCountThenKey = (x: [string, number], y: [string, number]): number => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);

/** An even, deterministic sample of `n` items (every k-th by position), or all when there are not more. */
export function evenSample<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.floor((i * xs.length) / n)] as T);
  return out;
}
