// The online template miner: a Drain-style tree per service (token count, then first token) with bounded state.
import { createHash } from 'node:crypto';
import { WILDCARD, maskMessage, messageTokens, type MaskRule } from './mask.js';
import { covers, generalize } from './token-match.js';

export interface MinerOptions {
  /** Share of a template's constant tokens a message must match to join it (0..1]. */
  similarity: number;
  /** Templates kept per service; past it the rarest are evicted (counted in `stats.evicted`). */
  maxTemplatesPerService: number;
  /** Services kept; past it the least recently seen service's templates are dropped. */
  maxServices: number;
  /** Templates kept over all services; past it the least recently seen services' templates are dropped. */
  maxTemplates: number;
  /** Messages longer than this many tokens are mined on their first maxTokens-1 tokens plus the rest as one. */
  maxTokens: number;
  /** Example messages kept per template. */
  examples: number;
  /** Characters kept per example message. */
  maxExampleChars: number;
  /** Entries of the cache (message shape -> template), saved with the state; cleared when full. */
  cacheEntries: number;
  /** User masking rules, applied before the built-in ones. */
  maskRules: readonly MaskRule[];
}

export const defaultMinerOptions: Readonly<MinerOptions> = Object.freeze({
  similarity: 0.7,
  maxTemplatesPerService: 2000,
  maxServices: 10_000,
  maxTemplates: 100_000,
  maxTokens: 256,
  examples: 3,
  maxExampleChars: 1024,
  cacheEntries: 20_000,
  maskRules: [],
});

export interface Template {
  readonly id: string;
  /** Creation order; breaks ties deterministically. */
  readonly seq: number;
  readonly service: string;
  tokens: string[];
  count: number;
  firstSeen: string;
  lastSeen: string;
  examples: string[];
  /** The routing key it was filed under (its first token at creation, or * when that was variable). */
  readonly route: string;
  /** Internal: the dirty-list generation it was last listed in (not saved). */
  mark?: number;
}

/** The text of a template: its tokens joined by one space, variables written <*>. */
export const templateText = (t: Pick<Template, 'tokens'>): string => t.tokens.join(' ');

/** The id of a new template: a hash of its service and first masked form, so the same input gives the same ids. */
function templateId(service: string, masked: readonly string[], taken: (id: string) => boolean): string {
  for (let salt = 0; ; salt++) {
    const h = createHash('sha256').update(service).update('\0').update(masked.join(' '));
    if (salt > 0) h.update(`\0${salt}`);
    const id = h.digest('hex').slice(0, 16);
    if (!taken(id)) return id;
  }
}

/**
 * A cache entry: the template, and the tokens the message kept verbatim although they hold a digit (ssh2, user1),
 * with their positions: a message with the same shape reuses the entry only when those tokens are the same.
 */
interface CacheEntry { t: Template; at: number[] | undefined; toks: string[] | undefined }

/** A service's templates by route, and its cache. The miner's `services` map is kept in least-recently-used order. */
interface ServiceState { name: string; byRoute: Map<string, Template[]>; count: number; cache: Map<string, CacheEntry> }

export interface MinerStats { services: number; templates: number; evicted: number; servicesDropped: number; cacheClears: number; cacheHits: number; cacheMisses: number }

export interface MinerSnapshot {
  version: 1;
  seq: number;
  /** Service names, least recently used first (the order the service cap drops them in). */
  services?: string[];
  stats: Pick<MinerStats, 'evicted' | 'servicesDropped' | 'cacheClears'>;
  templates: Template[];
  /** The cache: [service, key, template id, positions of kept digit tokens, those tokens]. */
  cache?: [string, string, string, number[] | null, string[] | null][];
}

/**
 * The miner must be deterministic: the same sequence of `add` calls from the same state gives the same templates and
 * ids. Its memory must stay bounded by the options, whatever the input.
 */
export class TemplateMiner {
  private readonly services = new Map<string, ServiceState>();
  private readonly byId = new Map<string, Template>();
  private cacheSize = 0;
  /** Templates changed since the last takeDirty; a template is listed once per generation (its `mark`). */
  private dirty: Template[] = [];
  private generation = 1;
  private lastService: ServiceState | undefined;
  private seq = 0;
  /** Evicted templates kept on the dirty list so their text still reaches the templates table (bounded). */
  private dirtyEvicted = 0;
  readonly stats: MinerStats = { services: 0, templates: 0, evicted: 0, servicesDropped: 0, cacheClears: 0, cacheHits: 0, cacheMisses: 0 };
  readonly opts: MinerOptions;

  constructor(opts: Partial<MinerOptions> = {}) {
    this.opts = { ...defaultMinerOptions, ...opts };
  }

  /** Mines one message: returns the template it now belongs to (created or generalized as needed). */
  add(service: string, message: string, timestamp = ''): Template {
    const svc = this.service(service);
    const t = this.lookup(svc, message);
    t.count++;
    if (timestamp) {
      if (!t.firstSeen || compareTimestamps(timestamp, t.firstSeen) < 0) t.firstSeen = timestamp;
      if (!t.lastSeen || compareTimestamps(timestamp, t.lastSeen) > 0) t.lastSeen = timestamp;
    }
    if (t.examples.length < this.opts.examples) t.examples.push(flat(message.length > this.opts.maxExampleChars ? message.slice(0, this.opts.maxExampleChars) : message));
    if (t.mark !== this.generation) { t.mark = this.generation; this.dirty.push(t); }
    return t;
  }

  /**
   * The template for a message, through the cache when it can. The cache is keyed by the message's shape: every run
   * of letters and digits that holds a digit becomes 0, so messages that differ only in numbers, ids, hashes and
   * addresses share an entry and skip masking. Tokens the masking kept although they hold a digit (ssh2, user1) are
   * checked verbatim before an entry is reused. With user rules set (they may name any text) the message is the key.
   */
  private lookup(svc: ServiceState, message: string): Template {
    const cacheable = message.length <= MAX_CACHED_CHARS && this.opts.cacheEntries > 0;
    const key = !cacheable ? '' : this.opts.maskRules.length > 0 ? message : shapeOf(message);
    const hit = cacheable ? svc.cache.get(key) : undefined;
    if (hit && (hit.at === undefined || this.opts.maskRules.length > 0 || keptTokensMatch(message, hit))) { this.stats.cacheHits++; return hit.t; }
    this.stats.cacheMisses++;
    const { masked } = maskMessage(message, this.opts.maskRules, this.opts.maxTokens);
    const t = this.match(svc, masked) ?? this.create(svc, masked);
    if (cacheable && masked.length < this.opts.maxTokens) {
      let at: number[] | undefined, toks: string[] | undefined;
      for (let i = 0; i < masked.length; i++) {
        const m = masked[i] as string;
        if (HAS_DIGIT.test(m)) { (at ??= []).push(i); (toks ??= []).push(m); }
      }
      if (this.cacheSize >= this.opts.cacheEntries) this.clearCache();
      if (!svc.cache.has(key)) this.cacheSize++;
      svc.cache.set(key, { t, at, toks });
    }
    return t;
  }

  private clearCache(): void {
    for (const s of this.services.values()) s.cache.clear();
    this.cacheSize = 0;
    this.stats.cacheClears++;
  }

  get(id: string): Template | undefined { return this.byId.get(id); }

  /** Every template, in creation order. */
  all(): Template[] { return [...this.byId.values()].sort((a, b) => a.seq - b.seq); }

  /** True when some template changed since the last takeDirty. */
  get changed(): boolean { return this.dirty.length > 0; }

  /** Marks templates as changed again (a save that failed). */
  markDirty(list: readonly Template[]): void {
    for (const t of list) if (this.byId.get(t.id) === t && t.mark !== this.generation) { t.mark = this.generation; this.dirty.push(t); }
  }

  /** Templates changed since the last call (for persisting only what moved). */
  takeDirty(): Template[] {
    const out = this.dirty;
    this.dirty = [];
    this.dirtyEvicted = 0;
    this.generation++;
    return out;
  }

  private service(name: string): ServiceState {
    // Lines of one service come in runs (a batch from one app): the last one is checked first.
    const last = this.lastService;
    if (last !== undefined && last.name === name) return last;
    let s = this.services.get(name);
    if (s) {
      this.services.delete(name); // re-inserted last: the map stays in least-recently-used order
    } else {
      if (this.services.size >= this.opts.maxServices) this.dropLeastRecentService();
      s = { name, byRoute: new Map(), count: 0, cache: new Map() };
    }
    this.services.set(name, s);
    this.stats.services = this.services.size;
    this.lastService = s;
    return s;
  }

  /** The best template of the same length filed under the message's first token or under *, if similar enough. */
  private match(svc: ServiceState, masked: readonly string[]): Template | undefined {
    let best: Template | undefined;
    let bestSim = -1;
    let bestConsts = -1;
    for (const route of routesOf(masked)) {
      const list = svc.byRoute.get(route);
      if (!list) continue;
      for (const t of list) {
        if (t.tokens.length !== masked.length) continue;
        let consts = 0, same = 0, run = 0, phrase = false;
        for (let i = 0; i < masked.length; i++) {
          const tt = t.tokens[i] as string;
          if (tt === WILDCARD) { run = 0; continue; }
          consts++;
          const m = masked[i] as string;
          if (tt === m || covers(tt, m)) { same++; run = 0; }
          else if (HAS_DIGIT.test(tt) && HAS_DIGIT.test(m)) { same += DIGIT_WEIGHT; run = 0; }
          else if (plainWord(tt) && plainWord(m) && ++run >= MAX_WORD_RUN) { phrase = true; break; }
        }
        // Two words in a row that differ are another phrase, hence another event (Connection reset by peer / Link
        // has been severed), not a variable: variables are single tokens far more often.
        if (phrase) continue;
        const sim = consts === 0 ? 1 : same / consts;
        if (sim > bestSim || (sim === bestSim && same > bestConsts)) { best = t; bestSim = sim; bestConsts = same; }
      }
    }
    if (!best || bestSim < this.opts.similarity) return undefined;
    for (let i = 0; i < masked.length; i++) {
      const tt = best.tokens[i] as string;
      const m = masked[i] as string;
      if (tt !== m) best.tokens[i] = generalize(tt, m);
    }
    return best;
  }

  private create(svc: ServiceState, masked: string[]): Template {
    const id = templateId(svc.name, masked, (x) => this.byId.has(x));
    const t: Template = { id, seq: ++this.seq, service: svc.name, tokens: masked.map(flat), count: 0, firstSeen: '', lastSeen: '', examples: [], route: routeOf(masked) };
    this.file(svc, t);
    if (svc.count > this.opts.maxTemplatesPerService) this.evict(svc, t);
    while (this.byId.size > this.opts.maxTemplates && this.services.size > 1) this.dropLeastRecentService();
    return t;
  }

  private file(svc: ServiceState, t: Template): void {
    let list = svc.byRoute.get(t.route);
    if (!list) { list = []; svc.byRoute.set(t.route, list); }
    list.push(t);
    svc.count++;
    this.byId.set(t.id, t);
    this.stats.templates = this.byId.size;
  }

  /** Evicts the rarest tenth of a service's templates (never `keep`); the cache is cleared as it may point at them. */
  private evict(svc: ServiceState, keep: Template): void {
    const all = [...svc.byRoute.values()].flat().filter((t) => t !== keep);
    all.sort((a, b) => a.count - b.count || compareTimestamps(a.lastSeen, b.lastSeen) || a.seq - b.seq);
    const n = Math.max(1, Math.ceil(this.opts.maxTemplatesPerService / 10));
    const gone = new Set(all.slice(0, n));
    for (const [route, list] of svc.byRoute) {
      const kept = list.filter((t) => !gone.has(t));
      if (kept.length) svc.byRoute.set(route, kept); else svc.byRoute.delete(route);
    }
    for (const t of gone) this.byId.delete(t.id);
    this.forget(gone);
    svc.count -= gone.size;
    this.stats.evicted += gone.size;
    this.stats.templates = this.byId.size;
    this.clearCache();
  }

  /**
   * Takes evicted templates off the dirty list, except up to MAX_DIRTY_EVICTED of them that changed since the last
   * save: those are still saved once, so the records that carry their ids have a text in the templates table.
   */
  private forget(gone: ReadonlySet<Template>): void {
    let dropped = false;
    for (const t of gone) {
      if (t.mark !== this.generation) continue;
      if (this.dirtyEvicted < MAX_DIRTY_EVICTED) this.dirtyEvicted++;
      else { t.mark = 0; dropped = true; }
    }
    if (dropped) this.dirty = this.dirty.filter((t) => t.mark === this.generation);
  }

  private dropLeastRecentService(): void {
    const first = this.services.values().next();
    if (first.done === true) return;
    const victim = first.value;
    const gone = new Set<Template>();
    for (const list of victim.byRoute.values()) for (const t of list) { this.byId.delete(t.id); gone.add(t); }
    this.forget(gone);
    this.stats.evicted += gone.size;
    if (this.lastService === victim) this.lastService = undefined;
    this.cacheSize -= victim.cache.size;
    this.services.delete(victim.name);
    this.stats.servicesDropped++;
    this.stats.services = this.services.size;
    this.stats.templates = this.byId.size;
  }

  /** The whole state, JSON-serializable; `restore` gives a miner that continues exactly where this one is. */
  snapshot(): MinerSnapshot {
    return {
      version: 1, seq: this.seq, services: [...this.services.keys()],
      stats: { evicted: this.stats.evicted, servicesDropped: this.stats.servicesDropped, cacheClears: this.stats.cacheClears },
      cache: [...this.services.values()].flatMap((svc) => [...svc.cache].map(([k, e]): [string, string, string, number[] | null, string[] | null] => [svc.name, k, e.t.id, e.at ?? null, e.toks ?? null])),
      templates: this.all().map((t) => ({ id: t.id, seq: t.seq, service: t.service, tokens: [...t.tokens], count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen, examples: [...t.examples], route: t.route })),
    };
  }

  static restore(snap: MinerSnapshot, opts: Partial<MinerOptions> = {}): TemplateMiner {
    if (snap.version !== 1) throw new Error(`cannot restore miner state: unknown version ${String(snap.version)}`);
    const m = new TemplateMiner(opts);
    m.seq = snap.seq;
    Object.assign(m.stats, snap.stats);
    // Services first, in their saved least-recently-used order; templates in creation order within each route.
    for (const name of snap.services ?? []) m.services.set(name, { name, byRoute: new Map(), count: 0, cache: new Map() });
    for (const t of snap.templates) {
      let svc = m.services.get(t.service);
      if (!svc) { svc = { name: t.service, byRoute: new Map(), count: 0, cache: new Map() }; m.services.set(t.service, svc); }
      m.file(svc, { id: t.id, seq: t.seq, service: t.service, tokens: [...t.tokens], count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen, examples: [...t.examples], route: t.route });
    }
    m.stats.services = m.services.size;
    // A hit is the template the first line of its key was given: the cache is state, restored with the rest.
    for (const [name, key, id, at, toks] of snap.cache ?? []) {
      const svc = m.services.get(name), t = m.byId.get(id);
      if (!svc || !t) continue;
      svc.cache.set(key, { t, at: at ?? undefined, toks: toks ?? undefined });
      m.cacheSize++;
    }
    return m;
  }
}

/**
 * The cache key of a message: every run of ASCII letters and digits that holds a digit becomes 0 (one pass, no
 * regex), so lines that differ only in numbers, ids, hashes and addresses share a key. A hit gives the template the
 * first line of that key was given. The cache is part of the miner's state (saved and restored with it), so the same
 * input gives the same ids whether or not the miner was restarted in between.
 */
export function shapeOf(s: string): string {
  let out = '', last = 0, i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      let j = i, digit = false;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if (d >= 48 && d <= 57) digit = true;
        else if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
      }
      if (digit) { out += `${s.slice(last, i)}0`; last = j; }
      i = j;
    } else i++;
  }
  return last === 0 ? s : out + s.slice(last);
}

const HAS_DIGIT = /[0-9]/;
/** Consecutive differing words that make a message another event rather than an instance of a template. */
const MAX_WORD_RUN = 2;
/**
 * How much a difference between two tokens that both hold a digit the masking kept (ord_0bbj / ord_1ehe) counts as a
 * match: such tokens are likely ids the rules did not recognize, so an early template does not stay apart for them.
 */
const DIGIT_WEIGHT = 0.5;

/** Evicted templates that changed since the last save and are still saved once (the rest are dropped unsaved). */
const MAX_DIRTY_EVICTED = 10_000;

/** A flat copy of a string, so a kept token or example does not hold its whole (possibly 64 KiB) message alive. */
const flat = (x: string): string => (x.length < 16 ? x : Buffer.from(x, 'utf8').toString('utf8'));

/**
 * Orders RFC 3339 UTC timestamps as the normalizer writes them (…:SS, optional fraction of 1-9 digits, Z), whose
 * fractions may differ in length (.5Z, .500Z): equal lengths compare as text, others by seconds then fraction.
 */
export function compareTimestamps(a: string, b: string): number {
  if (a.length === b.length || a.length < 20 || b.length < 20) return a < b ? -1 : a > b ? 1 : 0;
  const sa = a.slice(0, 19), sb = b.slice(0, 19);
  if (sa !== sb) return sa < sb ? -1 : 1;
  const fa = a.slice(20, -1).padEnd(9, '0'), fb = b.slice(20, -1).padEnd(9, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** True when the message's tokens at the entry's positions are the ones the entry kept verbatim. */
function keptTokensMatch(message: string, e: CacheEntry): boolean {
  const raw = messageTokens(message);
  const at = e.at as number[], toks = e.toks as string[];
  for (let i = 0; i < at.length; i++) if (raw[at[i] as number] !== toks[i]) return false;
  return true;
}
/** Messages longer than this are mined without the cache, which keeps the cache's memory bounded (entries x this). */
const MAX_CACHED_CHARS = 512;

const plainWord = (t: string | undefined): t is string => t !== undefined && !t.includes(WILDCARD) && !/\d/.test(t);

/**
 * A message's routing key: its first two tokens when they are plain words (no variable, no digit), else as many as
 * are, then *. The leading words of a message tell its event apart (Failed password / Failed none); variables must
 * not split the tree.
 */
function routeOf(masked: readonly string[]): string {
  const [a, b] = masked;
  if (!plainWord(a)) return '*';
  return plainWord(b) ? `${a} ${b}` : `${a} *`;
}

function routesOf(masked: readonly string[]): string[] {
  const r = routeOf(masked);
  if (r === '*') return ['*'];
  const first = r.slice(0, r.indexOf(' '));
  return r.endsWith(' *') ? [r, '*'] : [r, `${first} *`, '*'];
}
