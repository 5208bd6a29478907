// The one merge of two partial results, and the tree merge whose shape depends only on chunk indices.
import { TemplateMiner, compareTimestamps, templateText, type MinerOptions, type MinerSnapshot } from '../patterns/miner.js';
import { MAX_AUTH_KEYS, MAX_DURATIONS, capKeys, evenSample, sumEntries, type AnalysisPartial, type PartialLimits, type WindowAcc } from './partial.js';

/**
 * Merges `b` (later chunks) into `a` (earlier chunks). It must be deterministic: the same two partials give the same
 * partial, byte for byte once serialized. Every count is summed exactly; `b`'s templates are re-filed into `a`'s
 * with the engine's miner (in `b`'s creation order), and `b`'s windows are re-keyed to the templates they joined.
 */
export function mergePartials(a: AnalysisPartial, b: AnalysisPartial, minerOpts: Partial<MinerOptions>, limits: PartialLimits): AnalysisPartial {
  if (a.windowMs !== b.windowMs || a.bucketMs !== b.bucketMs) {
    throw new Error(`BUG: cannot merge partials made with different windows (${a.windowMs}/${b.windowMs} ms) or buckets (${a.bucketMs}/${b.bucketMs} ms)`);
  }
  const { miner, idMap } = mergeTemplates(a.miner, b.miner, minerOpts);
  const minOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const maxOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  const services = new Map(a.services.map(([s, levels]) => [s, levels] as [string, [string, number][]]));
  for (const [s, levels] of b.services) services.set(s, sumEntries(services.get(s) ?? [], levels));
  const buckets = new Map(a.buckets.map(([t, n, e]) => [t, [n, e]] as [number, [number, number]]));
  for (const [t, n, e] of b.buckets) { const x = buckets.get(t); buckets.set(t, x ? [x[0] + n, x[1] + e] : [n, e]); }
  return {
    version: 1, windowMs: a.windowMs, bucketMs: a.bucketMs,
    chunks: a.chunks + b.chunks, lines: a.lines + b.lines, records: a.records + b.records, filtered: a.filtered + b.filtered,
    rejected: sumEntries(a.rejected, b.rejected),
    minTs: minOf(a.minTs, b.minTs), maxTs: maxOf(a.maxTs, b.maxTs),
    services: [...services],
    buckets: [...buckets].map(([t, [n, e]]): [number, number, number] => [t, n, e]),
    ips: capKeys(sumEntries(a.ips.entries, b.ips.entries), limits.maxKeys, { truncated: a.ips.truncated || b.ips.truncated, droppedCount: a.ips.droppedCount + b.ips.droppedCount }),
    users: capKeys(sumEntries(a.users.entries, b.users.entries), limits.maxKeys, { truncated: a.users.truncated || b.users.truncated, droppedCount: a.users.droppedCount + b.users.droppedCount }),
    miner,
    windows: mergeWindows(a.windows, b.windows, idMap, limits),
  };
}

/**
 * `b`'s templates re-filed into a miner restored from `a`'s: each of `b`'s template texts is mined as one message
 * (joining a similar template of `a`, widening it as needed, or starting a new one), then given `b`'s count, times and
 * examples. Returns the merged state and where each of `b`'s template ids went.
 */
export function mergeTemplates(a: MinerSnapshot, b: MinerSnapshot, minerOpts: Partial<MinerOptions>): { miner: MinerSnapshot; idMap: Map<string, string> } {
  const examples = minerOpts.examples ?? 3;
  // No cache (a template text must be matched, not looked up by shape) and no examples taken from the texts.
  const miner = TemplateMiner.restore({ ...a, cache: [] }, { ...minerOpts, examples: 0, cacheEntries: 0 });
  const idMap = new Map<string, string>();
  for (const bt of [...b.templates].sort((x, y) => x.seq - y.seq)) {
    const t = miner.add(bt.service, templateText(bt));
    // A template new to `a` is `b`'s as it was: masking a template text again is not always idempotent (http://<*>).
    if (t.count === 1) t.tokens = [...bt.tokens];
    t.count += bt.count - 1;
    if (bt.firstSeen && (!t.firstSeen || compareTimestamps(bt.firstSeen, t.firstSeen) < 0)) t.firstSeen = bt.firstSeen;
    if (bt.lastSeen && (!t.lastSeen || compareTimestamps(bt.lastSeen, t.lastSeen) > 0)) t.lastSeen = bt.lastSeen;
    for (const e of bt.examples) if (t.examples.length < examples && !t.examples.includes(e)) t.examples.push(e);
    idMap.set(bt.id, t.id);
  }
  const snap = miner.snapshot();
  // Evictions and drops of both sides add up; the merge's own are in the restored miner's stats already.
  snap.stats = { evicted: snap.stats.evicted + b.stats.evicted, servicesDropped: snap.stats.servicesDropped + b.stats.servicesDropped, cacheClears: 0 };
  delete snap.cache;
  return { miner: snap, idMap };
}

type Windows = AnalysisPartial['windows'];

function mergeWindows(a: Windows, b: Windows, idMap: ReadonlyMap<string, string>, limits: PartialLimits): Windows {
  const byService = new Map(a.map((s) => [s.service, { service: s.service, maxTs: s.maxTs, open: new Map(s.open.map((w) => [w.start, w])) }]));
  for (const s of b) {
    let into = byService.get(s.service);
    if (!into) { into = { service: s.service, maxTs: s.maxTs, open: new Map() }; byService.set(s.service, into); }
    into.maxTs = Math.max(into.maxTs, s.maxTs);
    for (const w of s.open) {
      const re = rekey(w, idMap, limits);
      const x = into.open.get(w.start);
      into.open.set(w.start, x ? mergeWindow(x, re, limits) : re);
    }
  }
  return [...byService.values()].map((s) => ({ service: s.service, maxTs: s.maxTs, open: [...s.open.values()].sort((x, y) => x.start - y.start) }));
}

/** A window of `b` with its template ids mapped to the merged ones (two templates may have joined one). */
function rekey(w: WindowAcc, idMap: ReadonlyMap<string, string>, limits: PartialLimits): WindowAcc {
  const id = (t: string) => idMap.get(t) ?? t;
  const samples = new Map<string, string[]>();
  for (const [t, ids] of w.samples) { const k = id(t); samples.set(k, [...(samples.get(k) ?? []), ...ids].slice(0, limits.samples)); }
  return {
    ...w,
    templates: sumEntries([], w.templates.map(([t, n]): [string, number] => [id(t), n])),
    templateErrors: sumEntries([], w.templateErrors.map(([t, n]): [string, number] => [id(t), n])),
    samples: [...samples],
  };
}

function mergeWindow(x: WindowAcc, y: WindowAcc, limits: PartialLimits): WindowAcc {
  const samples = new Map(x.samples);
  for (const [t, ids] of y.samples) samples.set(t, [...(samples.get(t) ?? []), ...ids].slice(0, limits.samples));
  const auth = new Map(x.auth);
  for (const [ip, v] of y.auth) {
    const cur = auth.get(ip);
    if (!cur) { if (auth.size < MAX_AUTH_KEYS) auth.set(ip, v); continue; }
    const users = [...cur.users];
    for (const u of v.users) if (users.length < MAX_AUTH_KEYS && !users.includes(u)) users.push(u);
    auth.set(ip, { failures: cur.failures + v.failures, users, samples: [...cur.samples, ...v.samples].slice(0, limits.samples) });
  }
  return {
    start: x.start, count: x.count + y.count, errors: x.errors + y.errors,
    templates: sumEntries(x.templates, y.templates), templateErrors: sumEntries(x.templateErrors, y.templateErrors),
    samples: [...samples], auth: [...auth],
    durations: evenSample([...x.durations, ...y.durations], MAX_DURATIONS), durationCount: x.durationCount + y.durationCount,
  };
}

/**
 * Merges a list in a fixed binary tree: level by level, items 2i and 2i+1 are merged (an odd last one goes up as is).
 * The shape depends only on the list's length, never on which chunk finished first; the Python drivers build the same tree.
 */
export function treeMerge<T>(items: readonly T[], merge: (a: T, b: T) => T, empty: () => T): T {
  if (items.length === 0) return empty();
  let level = [...items];
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? merge(level[i] as T, level[i + 1] as T) : (level[i] as T));
    level = next;
  }
  return level[0] as T;
}
