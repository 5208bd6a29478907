// session_anomaly: an ended session (records sharing a block, request or trace id) scored against the sessions learned
// as normal: templates no normal session had, broken count invariants mined from normal sessions ("every open has a
// close": count(a) = k * count(b)), counts above any normal session's, and template transitions no normal session made.
import type { Detector, DetectContext, Finding, SessionStats } from './detector.js';
import type { Severity } from '../model/anomaly.js';
import { quote } from './describe.js';

export interface SessionOptions {
  /** Sessions learned before any is scored. */
  warmupSessions: number;
  /**
   * Sessions a pair of templates must have appeared in before an invariant between them is trusted (and a template
   * before its transitions are). With no violation in n sessions, the violation rate is below 3/n at 95 % (the rule
   * of three): 300 bounds it near 1 %.
   */
  minSupport: number;
  /**
   * Sessions a template must have been in before "more than in any normal session" counts: a normal session exceeds
   * the largest of n normal counts with chance 1/(n + 1).
   */
  countSupport: number;
  /**
   * An unseen template is reported only while templates are rarely new: the Good-Turing estimate of the chance that
   * the next session has an unseen template (templates seen in exactly one learned session / sessions learned) must be
   * below this. Heterogeneous sessions (many kinds of traces) keep it high, so a template new to them is not news.
   */
  maxNovelty: number;
  /** Share of the sessions holding a or b in which count(a) = k * count(b) must hold for it to be an invariant. */
  invariantConfidence: number;
  /** Largest k of count(a) = k * count(b) looked for. */
  maxRatio: number;
  /** Templates the model tracks (counts, pairs, transitions); templates past it are not judged (counted). */
  maxTemplates: number;
  /** Transitions remembered (past it, unseen transitions are not judged). */
  maxTransitions: number;
  /** Judge the order of templates (a transition no normal session made) as well as their counts. */
  checkTransitions: boolean;
  /**
   * A template no normal session had that keeps coming is a change of normal (a new release), not an anomaly: once it
   * was in `adoptAfterSessions` scored sessions and in at least `adoptShare` of the sessions scored since it first came,
   * it is learned (its sessions are then judged on invariants and counts).
   */
  adoptAfterSessions: number;
  adoptShare: number;
}

export const defaultSessionOptions: SessionOptions = {
  warmupSessions: 200, minSupport: 300, countSupport: 1000, maxNovelty: 0.002, invariantConfidence: 0.99, maxRatio: 4, maxTemplates: 256, maxTransitions: 65_536,
  checkTransitions: false, adoptAfterSessions: 100, adoptShare: 0.5,
};

/** An invariant count(a) = k * count(b), held in `share` of `n` sessions with either. */
interface Invariant { a: string; b: string; k: number; share: number; n: number }

type Violation =
  | { kind: 'unseen'; t: string; n: number }
  | { kind: 'invariant'; inv: Invariant; ca: number; cb: number }
  | { kind: 'count'; t: string; n: number; max: number }
  | { kind: 'transition'; from: string; to: string };

const WEIGHT = { unseen: 3, invariant: 2, count: 1, transition: 1 } as const;

interface State {
  learned: number;
  seen: [string, number][];
  maxCount: [string, number][];
  pairs: [string, number[]][];
  transitions: string[];
  candidates: [string, [number, number]][];
  untracked: number;
  scored: number;
}

const SEP = '\u0001';

export function createSessionDetector(opts: Partial<SessionOptions> = {}): Detector {
  const o = { ...defaultSessionOptions, ...opts };
  const K = o.maxRatio;
  let learned = 0;
  /** Template -> normal sessions that had it. */
  const seen = new Map<string, number>();
  const maxCount = new Map<string, number>();
  /**
   * `a SEP b` (a < b) of templates that were in one session together -> [sessions with both, then for k = 1..K:
   * sessions with count(a) = k*count(b), then with count(b) = k*count(a)]. Sessions with a or b are
   * seen(a) + seen(b) - both (an invariant fails in a session with only one of them), so only sessions' own pairs
   * are visited: the cost of learning a session is the square of its distinct templates, not templates x model.
   */
  const pairs = new Map<string, Int32Array>();
  const transitions = new Set<string>();
  /** Unseen templates -> [scored sessions that had them, sessions scored before the first of them] (for adoption). */
  const candidates = new Map<string, [number, number]>();
  let untracked = 0;
  /** Sessions scored (after the warm-up). */
  let scored = 0;
  let invariants = new Map<string, Invariant[]>();
  let minedAt = -1;

  function learn(s: SessionStats): void {
    learned++;
    for (const [t, c] of s.templates) {
      if (!seen.has(t) && seen.size >= o.maxTemplates) { untracked++; continue; }
      seen.set(t, (seen.get(t) ?? 0) + 1);
      if (c > (maxCount.get(t) ?? 0)) maxCount.set(t, c);
    }
    const present = [...s.templates.keys()].filter((t) => seen.has(t)).sort();
    for (let i = 0; i < present.length; i++) {
      const x = present[i] as string, cx = s.templates.get(x) as number;
      for (let j = i + 1; j < present.length; j++) {
        const y = present[j] as string, cy = s.templates.get(y) as number;
        const key = x + SEP + y;
        let p = pairs.get(key);
        if (!p) { p = new Int32Array(1 + 2 * K); pairs.set(key, p); }
        p[0] = (p[0] ?? 0) + 1;
        for (let k = 1; k <= K; k++) {
          if (cx === k * cy) p[k] = (p[k] ?? 0) + 1;
          if (cy === k * cx) p[K + k] = (p[K + k] ?? 0) + 1;
        }
      }
    }
    for (let i = 1; i < s.sequence.length && transitions.size < o.maxTransitions; i++) transitions.add(s.sequence[i - 1] + SEP + s.sequence[i]);
  }

  /** The invariants the learned sessions support, indexed by both templates (mined again as learning goes on). */
  function mine(): void {
    minedAt = learned;
    invariants = new Map();
    const add = (t: string, inv: Invariant) => { const l = invariants.get(t); if (l) l.push(inv); else invariants.set(t, [inv]); };
    for (const [key, p] of pairs) {
      const [x = '', y = ''] = key.split(SEP);
      const n = (seen.get(x) ?? 0) + (seen.get(y) ?? 0) - (p[0] ?? 0);
      if (n < o.minSupport) continue;
      for (let k = 1; k <= K; k++) {
        const xy = (p[k] ?? 0) / n, yx = (p[K + k] ?? 0) / n;
        // count(x) = k * count(y); for k = 1 both directions are the same invariant.
        if (xy >= o.invariantConfidence) { const inv = { a: x, b: y, k, share: xy, n }; add(x, inv); add(y, inv); }
        if (k > 1 && yx >= o.invariantConfidence) { const inv = { a: y, b: x, k, share: yx, n }; add(x, inv); add(y, inv); }
      }
    }
  }

  function violations(s: SessionStats): Violation[] {
    const out: Violation[] = [];
    const checked = new Set<Invariant>();
    let singletons = 0;
    for (const n of seen.values()) if (n === 1) singletons++;
    const novelty = singletons / Math.max(1, learned);
    for (const [t, n] of s.templates) {
      const support = seen.get(t);
      if (support === undefined) {
        if (seen.size < o.maxTemplates && novelty < o.maxNovelty) out.push({ kind: 'unseen', t, n });
        continue;
      }
      if (support >= o.countSupport && n > (maxCount.get(t) ?? 0)) out.push({ kind: 'count', t, n, max: maxCount.get(t) ?? 0 });
      for (const inv of invariants.get(t) ?? []) {
        if (checked.has(inv)) continue;
        checked.add(inv);
        const ca = s.templates.get(inv.a) ?? 0, cb = s.templates.get(inv.b) ?? 0;
        if (ca !== inv.k * cb) out.push({ kind: 'invariant', inv, ca, cb });
      }
    }
    if (o.checkTransitions && transitions.size < o.maxTransitions) {
      const reported = new Set<string>();
      for (let i = 1; i < s.sequence.length; i++) {
        const from = s.sequence[i - 1] as string, to = s.sequence[i] as string;
        const key = from + SEP + to;
        if (transitions.has(key) || reported.has(key)) continue;
        if ((seen.get(from) ?? 0) < o.minSupport || (seen.get(to) ?? 0) < o.minSupport) continue;
        reported.add(key);
        out.push({ kind: 'transition', from, to });
      }
    }
    return out;
  }

  function describe(s: SessionStats, vs: Violation[], ctx: DetectContext): string {
    const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;
    const reasons = vs.slice(0, 3).map((v) => {
      switch (v.kind) {
        case 'unseen': return `it logged ${quote(ctx, v.t)} ${times(v.n)}, which no normal session did`;
        case 'invariant': {
          const rel = v.inv.k === 1 ? 'as often as' : `${v.inv.k} times as often as`;
          return `${quote(ctx, v.inv.a)} appeared ${times(v.ca)} and ${quote(ctx, v.inv.b)} ${times(v.cb)}, but in ${(v.inv.share * 100).toFixed(1)}% of ${v.inv.n} normal sessions the first appears ${rel} the second`;
        }
        case 'count': return `${quote(ctx, v.t)} appeared ${times(v.n)}, more than in any normal session (at most ${v.max})`;
        case 'transition': return `${quote(ctx, v.to)} came right after ${quote(ctx, v.from)}, which no normal session shows`;
      }
    });
    const more = vs.length > 3 ? `; and ${vs.length - 3} more finding${vs.length - 3 === 1 ? '' : 's'}` : '';
    const span = Math.round((s.lastMs - s.startMs) / 1000);
    return `Session ${s.key} of ${s.service} (${s.count} records over ${span} s from ${new Date(s.startMs).toISOString()}${s.errors > 0 ? `, ${s.errors} errors` : ''}) is unlike the ${learned} normal sessions learned: ${reasons.join('; ')}${more}. Look at the records of this session.`;
  }

  function observeSession(s: SessionStats, ctx: DetectContext): Finding[] {
    if (learned < o.warmupSessions) { learn(s); return []; }
    if (minedAt < 0 || learned - minedAt >= Math.max(1, Math.floor(minedAt / 10))) mine();
    scored++;
    const vs = violations(s);
    if (vs.length === 0) { learn(s); return []; }
    let adopted = false;
    for (const v of vs) {
      if (v.kind !== 'unseen') continue;
      const c = candidates.get(v.t) ?? [0, scored - 1];
      c[0]++;
      if (c[0] >= o.adoptAfterSessions && c[0] / (scored - c[1]) >= o.adoptShare) { candidates.delete(v.t); adopted = true; }
      else if (candidates.size < o.maxTemplates || candidates.has(v.t)) candidates.set(v.t, c);
    }
    // A template that keeps coming is the new normal: this session is learned (with it) and not reported.
    if (adopted && vs.every((v) => v.kind === 'unseen')) { learn(s); return []; }
    vs.sort((a, b) => WEIGHT[b.kind] - WEIGHT[a.kind]);
    const score = vs.reduce((sum, v) => sum + WEIGHT[v.kind], 0);
    const hasUnseen = vs.some((v) => v.kind === 'unseen');
    const severity: Severity = s.errors > 0 || (hasUnseen && score >= 5) ? 'high' : vs.every((v) => v.kind === 'transition') ? 'low' : 'medium';
    const involved = [...new Set(vs.flatMap((v) => v.kind === 'invariant' ? [v.inv.a, v.inv.b] : v.kind === 'transition' ? [v.from, v.to] : [v.t]))];
    const samples = [...new Set(involved.map((t) => s.firstIds.get(t)).filter((x): x is string => x !== undefined))].slice(0, 5);
    const invShare = Math.max(0, ...vs.map((v) => (v.kind === 'invariant' ? v.inv.share : 0)));
    return [{
      type: 'session_anomaly', service: s.service, key: s.key, severity, score,
      confidence: Math.min(0.99, Math.max(invShare, learned / (learned + o.minSupport))),
      description: describe(s, vs, ctx),
      evidence: {
        session_key: s.key,
        baseline: { normal_sessions: learned },
        observed: { records: s.count, errors: s.errors, templates: Object.fromEntries(s.templates), ended_by: s.endedBy },
        findings: vs.slice(0, 20).map((v) => v.kind === 'invariant' ? { kind: v.kind, a: v.inv.a, b: v.inv.b, k: v.inv.k, count_a: v.ca, count_b: v.cb, held_in: v.inv.share } : v),
        template_ids: involved.slice(0, 20),
        sample_record_ids: samples,
      },
    }];
  }

  return {
    type: 'session',
    observe: () => [],
    observeSession,
    snapshot: (): State => ({
      learned, seen: [...seen], maxCount: [...maxCount], pairs: [...pairs].map(([k, p]) => [k, [...p]]), transitions: [...transitions], candidates: [...candidates], untracked, scored,
    }),
    restore: (state) => {
      const st = state as State;
      learned = st.learned; untracked = st.untracked; scored = st.scored;
      seen.clear(); for (const [k, v] of st.seen) seen.set(k, v);
      maxCount.clear(); for (const [k, v] of st.maxCount) maxCount.set(k, v);
      pairs.clear(); for (const [k, p] of st.pairs) if (p.length === 1 + 2 * K) pairs.set(k, Int32Array.from(p));
      transitions.clear(); for (const t of st.transitions) transitions.add(t);
      candidates.clear(); for (const [k, v] of st.candidates) candidates.set(k, [v[0], v[1]]);
      minedAt = -1;
    },
  };
}
