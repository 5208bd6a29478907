// The silence store: time-bounded matchers that mute alerts; bounded, pruned, and persisted by the caller via snapshots.
import { randomUUID } from 'node:crypto';
import { ValidationError, errorMessage } from '../errors.js';
import type { Labels } from './model.js';
import { matcherFromSpec, matchesAll, parseMatcher, type Matcher, type MatcherSpec } from './matchers.js';

export type SilenceState = 'pending' | 'active' | 'expired';

/** What a client sends to create a silence (Alertmanager's API shape). Times are RFC 3339. */
export interface SilenceInput {
  /** Strings such as `service="api"` or the structured form; all must match. */
  matchers: (string | MatcherSpec)[];
  /** Defaults to now; a time in the past is taken as now. */
  startsAt?: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface Silence {
  id: string;
  matchers: MatcherSpec[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  updatedAt: string;
  state: SilenceState;
}

export interface SilenceStoreOptions {
  /** Most silences kept (any state); when full, the oldest expired one makes room, else create is refused. */
  maxSilences?: number;
  /** Expired silences are kept this long after they end (for the record), then pruned. */
  retentionMs?: number;
  /** Id generator; tests pass a deterministic one. */
  newId?: () => string;
}

export const defaultSilenceOptions = { maxSilences: 1000, retentionMs: 5 * 86_400_000 } as const;
export const maxMatchersPerSilence = 64;
const maxCreatedByChars = 256;
const maxCommentChars = 4096;

export interface SilencesSnapshot {
  version: 1;
  silences: Omit<Silence, 'state'>[];
}

interface Entry {
  id: string;
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
  updatedAtMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class SilenceStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxSilences: number;
  private readonly retentionMs: number;
  private readonly newId: () => string;
  private rev = 0;

  constructor(opts: SilenceStoreOptions = {}) {
    this.maxSilences = opts.maxSilences ?? defaultSilenceOptions.maxSilences;
    this.retentionMs = opts.retentionMs ?? defaultSilenceOptions.retentionMs;
    this.newId = opts.newId ?? randomUUID;
  }

  /** Changes whenever a silence is created, expired or removed. */
  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Validates and stores a silence; throws ValidationError listing every problem. */
  create(input: unknown, nowMs: number): Silence {
    const problems: string[] = [];
    const e = parseInput(input, nowMs, problems);
    if (!e) throw new ValidationError('cannot create silence', problems);
    this.prune(nowMs);
    if (this.entries.size >= this.maxSilences && !this.dropOldestExpired(nowMs)) {
      throw new ValidationError('cannot create silence', [`the store holds ${this.maxSilences} silences, the limit; expire some or raise the limit`]);
    }
    const entry: Entry = { id: this.newId(), ...e, updatedAtMs: nowMs };
    this.entries.set(entry.id, entry);
    this.rev++;
    return view(entry, nowMs);
  }

  /** Ends a silence now (a pending one also starts now). Undefined for an unknown id; an expired one is returned as is. */
  expire(id: string, nowMs: number): Silence | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (state(e, nowMs) !== 'expired') {
      e.startsAtMs = Math.min(e.startsAtMs, nowMs);
      e.endsAtMs = nowMs;
      e.updatedAtMs = nowMs;
      this.rev++;
    }
    return view(e, nowMs);
  }

  get(id: string, nowMs: number): Silence | undefined {
    const e = this.entries.get(id);
    return e && view(e, nowMs);
  }

  /** Silences, optionally of one state: active first, then pending, then expired; newest start first within each. */
  list(nowMs: number, only?: SilenceState): Silence[] {
    const rank: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };
    return [...this.entries.values()]
      .map((e) => view(e, nowMs))
      .filter((s) => only === undefined || s.state === only)
      .sort((a, b) => rank[a.state] - rank[b.state] || cmp(b.startsAt, a.startsAt) || cmp(a.id, b.id));
  }

  /** Ids of the silences active at `nowMs` that match `labels`, sorted; empty when the alert is not silenced. */
  isSilenced(labels: Labels, nowMs: number): string[] {
    const ids: string[] = [];
    for (const e of this.entries.values()) {
      if (e.startsAtMs <= nowMs && nowMs < e.endsAtMs && matchesAll(e.matchers, labels)) ids.push(e.id);
    }
    return ids.sort();
  }

  /** The next time after `nowMs` a silence starts or ends (when what is muted can change), or undefined. */
  nextTransitionMs(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) {
      for (const t of [e.startsAtMs, e.endsAtMs]) if (t > nowMs && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Drops silences that ended more than the retention ago; returns how many. */
  prune(nowMs: number): number {
    let n = 0;
    for (const [id, e] of this.entries) {
      if (e.endsAtMs + this.retentionMs <= nowMs) {
        this.entries.delete(id);
        n++;
      }
    }
    if (n > 0) this.rev++;
    return n;
  }

  snapshot(): SilencesSnapshot {
    return { version: 1, silences: [...this.entries.values()].map((e) => { const { state: _, ...rest } = view(e, 0); return rest; }) };
  }

  /** Replaces the contents with a snapshot; throws ValidationError (naming the entry) for one that is malformed. */
  restore(snapshot: unknown): void {
    const s = snapshot as Partial<SilencesSnapshot> | null;
    if (typeof s !== 'object' || s === null || s.version !== 1 || !Array.isArray(s.silences)) {
      throw new ValidationError('cannot restore silences', ['expected {version: 1, silences: [...]}']);
    }
    const entries: Entry[] = s.silences.map((raw, i) => {
      const r = raw as Partial<Omit<Silence, 'state'>>;
      const problems: string[] = [];
      const startsAtMs = typeof r.startsAt === 'string' ? Date.parse(r.startsAt) : NaN;
      const endsAtMs = typeof r.endsAt === 'string' ? Date.parse(r.endsAt) : NaN;
      const updatedAtMs = typeof r.updatedAt === 'string' ? Date.parse(r.updatedAt) : NaN;
      if (typeof r.id !== 'string' || r.id === '') problems.push('id must be a non-empty string');
      if (Number.isNaN(startsAtMs) || Number.isNaN(endsAtMs) || Number.isNaN(updatedAtMs)) problems.push('startsAt, endsAt and updatedAt must be RFC 3339 times');
      if (typeof r.createdBy !== 'string' || typeof r.comment !== 'string') problems.push('createdBy and comment must be strings');
      const matchers = parseMatchers(r.matchers, problems);
      if (problems.length > 0) throw new ValidationError(`cannot restore silences[${i}]`, problems);
      return { id: r.id!, matchers, startsAtMs, endsAtMs, createdBy: r.createdBy!, comment: r.comment!, updatedAtMs };
    });
    this.entries.clear();
    for (const e of entries) this.entries.set(e.id, e);
    this.rev++;
  }

  private dropOldestExpired(nowMs: number): boolean {
    let oldest: Entry | undefined;
    for (const e of this.entries.values()) if (state(e, nowMs) === 'expired' && (!oldest || e.endsAtMs < oldest.endsAtMs)) oldest = e;
    if (oldest) {
      this.entries.delete(oldest.id);
      this.rev++;
    }
    return oldest !== undefined;
  }
}

function state(e: Entry, nowMs: number): SilenceState {
  return nowMs < e.startsAtMs ? 'pending' : nowMs < e.endsAtMs ? 'active' : 'expired';
}

function view(e: Entry, nowMs: number): Silence {
  return {
    id: e.id, matchers: e.matchers.map((m) => m.toSpec()), startsAt: iso(e.startsAtMs), endsAt: iso(e.endsAtMs),
    createdBy: e.createdBy, comment: e.comment, updatedAt: iso(e.updatedAtMs), state: state(e, nowMs),
  };
}

function parseMatchers(value: unknown, problems: string[]): Matcher[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('matchers must be a non-empty list');
    return [];
  }
  if (value.length > maxMatchersPerSilence) problems.push(`matchers has ${value.length} entries; the limit is ${maxMatchersPerSilence}`);
  const out: Matcher[] = [];
  value.forEach((m, i) => {
    try {
      out.push(typeof m === 'string' ? parseMatcher(m) : matcherFromSpec(m));
    } catch (err) {
      problems.push(`matchers[${i}]: ${errorMessage(err)}`);
    }
  });
  return out;
}

function parseInput(input: unknown, nowMs: number, problems: string[]): Omit<Entry, 'id' | 'updatedAtMs'> | undefined {
  if (typeof input !== 'object' || input === null) {
    problems.push('expected an object {matchers, startsAt?, endsAt, createdBy, comment}');
    return undefined;
  }
  const i = input as Partial<Record<keyof SilenceInput, unknown>>;
  const matchers = parseMatchers(i.matchers, problems);
  // A silence that matches alerts without any of its labels would mute nearly everything (Alertmanager refuses it too).
  if (matchers.length > 0 && matchers.every((m) => m.matchesValue(''))) problems.push('at least one matcher must not match the empty string (e.g. service="api", not service=~".*")');
  const time = (name: 'startsAt' | 'endsAt'): number => {
    const v = i[name];
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) problems.push(`${name} must be an RFC 3339 time such as 2024-05-01T12:00:00Z`);
    return ms;
  };
  const startsAtMs = i.startsAt === undefined ? nowMs : Math.max(time('startsAt'), nowMs);
  const endsAtMs = time('endsAt');
  if (!Number.isNaN(endsAtMs) && !Number.isNaN(startsAtMs) && endsAtMs <= startsAtMs) {
    problems.push(endsAtMs <= nowMs ? 'endsAt is in the past' : 'endsAt must be after startsAt');
  }
  const text = (name: 'createdBy' | 'comment', max: number): string => {
    const v = i[name];
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) problems.push(`${name} must be a non-empty string of at most ${max} characters`);
    return typeof v === 'string' ? v : '';
  };
  const createdBy = text('createdBy', maxCreatedByChars);
  const comment = text('comment', maxCommentChars);
  if (problems.length > 0) return undefined;
  return { matchers, startsAtMs, endsAtMs, createdBy, comment };
}
