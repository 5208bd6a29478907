// The alert dispatcher: groups alerts per leaf route and group labels and, on the clock it is given, says which notifications are due.
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Alert, Labels, Notification } from './model.js';
import type { Route } from './route.js';
import { InhibitionIndex, type InhibitRule } from './inhibit.js';

/** What the dispatcher needs of a silence store (SilenceStore implements it). */
export interface SilenceLookup {
  /** Ids of the silences muting `labels` at `nowMs`; empty when none does. */
  isSilenced(labels: Labels, nowMs: number): string[];
  /** The next time after `nowMs` a silence starts or ends. */
  nextTransitionMs(nowMs: number): number | undefined;
  /** Must change whenever a silence is created, expired or removed (answers are cached per alert until it does). */
  readonly revision: number;
}

export interface DispatcherOptions {
  /** The dashboard's base URL, copied into every notification. */
  externalURL: string;
  /** Most alerts held; past it the least recently updated resolved alert is evicted, else the least recently updated one. */
  maxAlerts?: number;
}

export const defaultMaxAlerts = 10_000;

/** What `add` did: stored a new alert, changed a stored one, saw the same content again, or ignored a resolve for an unknown alert. */
export type AddOutcome = 'new' | 'updated' | 'unchanged' | 'ignored';

export interface AlertStatus {
  alert: Alert;
  /** `suppressed` while silenced or inhibited. */
  state: 'active' | 'suppressed';
  silencedBy: string[];
  inhibitedBy: string[];
  groupKeys: string[];
}

export interface GroupStatus {
  groupKey: string;
  receiver: string;
  routeId: string;
  groupLabels: Labels;
  fingerprints: string[];
  createdAtMs: number;
  lastNotifiedMs: number | undefined;
  nextDueMs: number | undefined;
}

export interface DispatcherSnapshot {
  version: 1;
  evictedAlerts: number;
  alerts: { alert: Alert; updatedAtMs: number }[];
  groups: { key: string; createdAtMs: number; lastFlushMs: number | null; sent: [string, string][] }[];
}

interface Stored {
  alert: Alert; digest: string; updatedAtMs: number; groups: Set<string>;
  /** The alert's `isSilenced` answer, valid for one silence revision from `fromMs` until the next silence transition. */
  silenced?: { revision: number; fromMs: number; untilMs: number; ids: string[] };
}
interface Group {
  key: string; route: Route; labels: Labels; createdAtMs: number; members: Set<string>;
  /** Fingerprint -> digest of each alert the receiver was last told is firing. */
  sent: Map<string, string>;
  lastFlushMs: number | undefined;
  /** Bumped on every change to the group; with the mutes stamp it says whether `due` is still right. */
  stamp: number;
  due?: { stamp: number; mutesStamp: number; ms: number | undefined };
}
type Mutes = Map<string, { silencedBy: string[]; inhibitedBy: string[] }>;
/** Who is muted; valid for one silence revision from `fromMs` until the next silence transition. */
interface MuteCache { revision: number; fromMs: number; untilMs: number; map: Mutes }

/**
 * Pure logic, no timers and no I/O: the caller must call `tick(now)` at `nextDueMs()` (and ask again after every `add`
 * or silence change, which can make something due sooner) and deliver what it returns. All times are epoch milliseconds.
 * Cost: `add` is O(routes + silences + rules), plus the targets it inhibits when it is an inhibition source; `tick` and
 * `nextDueMs` are O(groups), plus O(alerts x silences) once after a silence is created or expired, starts or ends.
 */
export class Dispatcher {
  /** Map order is update order: the first entries are the least recently updated (eviction candidates). */
  private readonly store = new Map<string, Stored>();
  private readonly groupMap = new Map<string, Group>();
  private readonly maxAlerts: number;
  private lastNowMs = 0;
  private evicted = 0;
  private muteCache: MuteCache | undefined;
  private mutesStamp = 0;
  private inhibition: InhibitionIndex;

  constructor(
    private readonly route: Route,
    private readonly inhibitRules: readonly InhibitRule[],
    private readonly silences: SilenceLookup,
    private readonly opts: DispatcherOptions,
  ) {
    this.inhibition = new InhibitionIndex(inhibitRules);
    this.maxAlerts = opts.maxAlerts ?? defaultMaxAlerts;
    if (!Number.isSafeInteger(this.maxAlerts) || this.maxAlerts < 1) throw new ValidationError('cannot create dispatcher', [`maxAlerts must be a positive integer; got ${opts.maxAlerts}`]);
  }

  /** Alerts evicted because `maxAlerts` was reached, since start (kept across snapshot/restore). */
  get evictedAlerts(): number {
    return this.evicted;
  }

  /** Inserts or updates an alert by fingerprint. A resolve for an alert never notified anywhere drops it at once. */
  add(alert: Alert, nowMs: number): AddOutcome {
    checkAlert(alert);
    this.lastNowMs = nowMs;
    const fp = alert.fingerprint;
    const prev = this.store.get(fp);
    if (!prev && alert.status === 'resolved') return 'ignored';
    const digest = digestOf(alert);
    if (!prev) {
      if (this.store.size >= this.maxAlerts) this.evictOne();
      const entry: Stored = { alert: structuredClone(alert), digest, updatedAtMs: nowMs, groups: new Set() };
      this.store.set(fp, entry);
      this.place(entry, nowMs);
      this.muteChanged(undefined, entry, nowMs);
      return 'new';
    }
    this.store.delete(fp);
    this.store.set(fp, prev);
    const before = prev.alert;
    Object.assign(prev, { alert: structuredClone(alert), updatedAtMs: nowMs });
    // Same digest: same labels, status and times, so routing, muting and what is due are all unchanged.
    if (prev.digest === digest) return 'unchanged';
    prev.digest = digest;
    prev.silenced = undefined;
    // Routing again also puts back a re-firing alert into groups its resolve had left (see dropUnsent); place bumps them.
    this.place(prev, nowMs);
    this.muteChanged(before, prev, nowMs);
    if (alert.status === 'resolved') this.dropUnsent(prev);
    return 'updated';
  }

  /** The notifications due at `nowMs`, ordered by group key; marks them sent and drops the resolved alerts they carry. */
  tick(nowMs: number): Notification[] {
    this.lastNowMs = nowMs;
    const mutes = this.mutes(nowMs);
    const out: Notification[] = [];
    for (const g of [...this.groupMap.values()]) {
      const due = this.dueOf(g, mutes);
      if (due !== undefined && due <= nowMs) out.push(this.flush(g, this.visible(g, mutes), nowMs));
    }
    return out.sort((a, b) => cmp(a.groupKey, b.groupKey));
  }

  /**
   * When `tick` must next be called, or undefined when nothing is pending. It may be at or before `nowMs` (due now), and
   * may be a silence's start or end at which nothing turns out to be sent.
   */
  nextDueMs(nowMs = this.lastNowMs): number | undefined {
    if (this.groupMap.size === 0) return undefined;
    const mutes = this.mutes(nowMs);
    let next = this.muteCache!.untilMs === Infinity ? undefined : this.muteCache!.untilMs;
    for (const g of this.groupMap.values()) {
      const due = this.dueOf(g, mutes);
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  groups(nowMs = this.lastNowMs): GroupStatus[] {
    const mutes = this.mutes(nowMs);
    return [...this.groupMap.values()].sort((a, b) => cmp(a.key, b.key)).map((g) => ({
      groupKey: g.key, receiver: g.route.receiver, routeId: g.route.id, groupLabels: { ...g.labels }, fingerprints: [...g.members].sort(),
      createdAtMs: g.createdAtMs, lastNotifiedMs: g.lastFlushMs, nextDueMs: this.dueOf(g, mutes),
    }));
  }

  alerts(nowMs = this.lastNowMs): AlertStatus[] {
    const mutes = this.mutes(nowMs);
    return [...this.store.values()].sort((a, b) => cmp(a.alert.fingerprint, b.alert.fingerprint)).map((e) => {
      const m = mutes.get(e.alert.fingerprint);
      return { alert: structuredClone(e.alert), state: m ? 'suppressed' : 'active', silencedBy: m?.silencedBy ?? [], inhibitedBy: m?.inhibitedBy ?? [], groupKeys: [...e.groups].sort() };
    });
  }

  snapshot(): DispatcherSnapshot {
    return {
      version: 1, evictedAlerts: this.evicted,
      alerts: [...this.store.values()].map((e) => ({ alert: structuredClone(e.alert), updatedAtMs: e.updatedAtMs })),
      groups: [...this.groupMap.values()].map((g) => ({ key: g.key, createdAtMs: g.createdAtMs, lastFlushMs: g.lastFlushMs ?? null, sent: [...g.sent] })),
    };
  }

  /**
   * Replaces the state with a snapshot. Alerts are routed again with the current route: groups whose key still exists get
   * their timers and sent state back; groups new under a changed config start at `nowMs` (group_wait from the restart).
   */
  restore(snapshot: unknown, nowMs: number): void {
    const s = snapshot as Partial<DispatcherSnapshot> | null;
    if (typeof s !== 'object' || s === null || s.version !== 1 || !Array.isArray(s.alerts) || !Array.isArray(s.groups) || typeof s.evictedAlerts !== 'number') {
      throw new ValidationError('cannot restore dispatcher', ['expected {version: 1, evictedAlerts, alerts: [...], groups: [...]}']);
    }
    for (const a of s.alerts) {
      checkAlert(a?.alert);
      if (typeof a.updatedAtMs !== 'number') throw new ValidationError('cannot restore dispatcher', ['alerts[].updatedAtMs must be a number']);
    }
    for (const g of s.groups) {
      if (typeof g?.key !== 'string' || typeof g.createdAtMs !== 'number' || !(g.lastFlushMs === null || typeof g.lastFlushMs === 'number') || !Array.isArray(g.sent)) {
        throw new ValidationError('cannot restore dispatcher', ['groups[] must be {key, createdAtMs, lastFlushMs, sent: [[fingerprint, digest]]}']);
      }
    }
    this.store.clear();
    this.groupMap.clear();
    this.muteCache = undefined;
    this.inhibition = new InhibitionIndex(this.inhibitRules);
    this.evicted = s.evictedAlerts;
    this.lastNowMs = nowMs;
    for (const { alert, updatedAtMs } of s.alerts) {
      const entry: Stored = { alert: structuredClone(alert), digest: digestOf(alert), updatedAtMs, groups: new Set() };
      this.store.set(alert.fingerprint, entry);
      this.place(entry, nowMs);
      this.inhibition.upsert(entry.alert);
    }
    const saved = new Map(s.groups.map((g) => [g.key, g]));
    for (const g of this.groupMap.values()) {
      const old = saved.get(g.key);
      if (!old) continue;
      g.createdAtMs = old.createdAtMs;
      g.lastFlushMs = old.lastFlushMs ?? undefined;
      for (const [fp, d] of old.sent) if (g.members.has(fp)) g.sent.set(fp, d);
    }
    for (const e of [...this.store.values()]) if (e.alert.status === 'resolved') this.dropUnsent(e);
    while (this.store.size > this.maxAlerts) this.evictOne();
  }

  /** Puts an alert into the groups of the leaf routes its labels match, and out of any it no longer belongs to. */
  private place(entry: Stored, nowMs: number): void {
    const fp = entry.alert.fingerprint;
    const keys = new Set<string>();
    for (const leaf of this.route.match(entry.alert.labels)) {
      const labels = leaf.groupLabels(entry.alert.labels);
      const key = `${leaf.id}:${labelString(labels)}`;
      let g = this.groupMap.get(key);
      if (!g) {
        g = { key, route: leaf, labels, createdAtMs: nowMs, members: new Set(), sent: new Map(), lastFlushMs: undefined, stamp: 0 };
        this.groupMap.set(key, g);
      }
      g.members.add(fp);
      g.stamp++;
      keys.add(key);
    }
    for (const key of entry.groups) if (!keys.has(key)) this.leave(fp, key);
    entry.groups = keys;
  }

  private bump(key: string): void {
    const g = this.groupMap.get(key);
    if (g) g.stamp++;
  }

  private leave(fp: string, key: string): void {
    const g = this.groupMap.get(key);
    if (!g) return;
    g.members.delete(fp);
    g.sent.delete(fp);
    g.stamp++;
    if (g.members.size === 0) this.groupMap.delete(key);
  }

  /** Removes a stored alert from one group, and from the store once it is in none. */
  private detach(e: Stored, key: string): void {
    this.leave(e.alert.fingerprint, key);
    e.groups.delete(key);
    if (e.groups.size === 0) {
      this.store.delete(e.alert.fingerprint);
      this.muteChanged(e.alert, undefined, this.lastNowMs);
    }
  }

  /** A resolved alert whose firing was never sent to a group has nothing to tell that group. */
  private dropUnsent(e: Stored): void {
    for (const key of [...e.groups]) if (!this.groupMap.get(key)?.sent.has(e.alert.fingerprint)) this.detach(e, key);
  }

  private evictOne(): void {
    let victim: Stored | undefined;
    for (const e of this.store.values()) {
      if (e.alert.status === 'resolved') { victim = e; break; }
      victim ??= e;
    }
    if (!victim) return;
    for (const key of [...victim.groups]) this.detach(victim, key);
    if (this.store.delete(victim.alert.fingerprint)) this.muteChanged(victim.alert, undefined, this.lastNowMs);
    this.evicted++;
  }

  /** Who is silenced or inhibited at `nowMs`, recomputed only when the cached answer may be stale. */
  private mutes(nowMs: number): Mutes {
    const c = this.muteCache;
    if (c && c.revision === this.silences.revision && c.fromMs <= nowMs && nowMs < c.untilMs) return c.map;
    const cache: MuteCache = { revision: this.silences.revision, fromMs: nowMs, untilMs: this.silences.nextTransitionMs(nowMs) ?? Infinity, map: new Map() };
    for (const e of this.store.values()) this.muteOne(cache, e, nowMs);
    this.muteCache = cache;
    this.mutesStamp++;
    return cache.map;
  }

  private muteOne(c: MuteCache, e: Stored, nowMs: number): void {
    const a = e.alert;
    // A rebuild for an inhibition change need not match every alert against every silence again.
    const s = e.silenced;
    if (!s || s.revision !== c.revision || nowMs < s.fromMs || nowMs >= s.untilMs) e.silenced = { revision: c.revision, fromMs: c.fromMs, untilMs: c.untilMs, ids: this.silences.isSilenced(a.labels, nowMs) };
    const silencedBy = e.silenced!.ids;
    const inhibitedBy = this.inhibition.inhibitedBy(a.fingerprint, a.labels);
    if (silencedBy.length > 0 || inhibitedBy.length > 0) c.map.set(a.fingerprint, { silencedBy, inhibitedBy });
    else c.map.delete(a.fingerprint);
  }

  /**
   * Keeps the inhibition index and the mute cache right after one alert changed: its own answer changes, and, when it
   * is (or was) a firing inhibition source, the answers of the targets sharing its buckets, whose groups are then due
   * for a recomputation too.
   */
  private muteChanged(before: Alert | undefined, after: Stored | undefined, nowMs: number): void {
    const fp = after?.alert.fingerprint ?? before!.fingerprint;
    const affected = after ? this.inhibition.upsert(after.alert) : this.inhibition.remove(fp);
    const c = this.muteCache;
    if (!c) return;
    if (c.revision !== this.silences.revision || nowMs < c.fromMs || nowMs >= c.untilMs) {
      this.muteCache = undefined;
      return;
    }
    if (after) this.muteOne(c, after, nowMs);
    else c.map.delete(fp);
    for (const t of affected) {
      const e = this.store.get(t);
      if (!e) continue;
      this.muteOne(c, e, nowMs);
      for (const key of e.groups) this.bump(key);
    }
  }

  /** The group's due time, recomputed only when the group or the mutes changed since it was last computed. */
  private dueOf(g: Group, mutes: Mutes): number | undefined {
    const d = g.due;
    if (d && d.stamp === g.stamp && d.mutesStamp === this.mutesStamp) return d.ms;
    const ms = dueMs(g, this.visible(g, mutes));
    g.due = { stamp: g.stamp, mutesStamp: this.mutesStamp, ms };
    return ms;
  }

  /** The group's alerts a notification would carry now: not muted, and resolved ones only if their firing was sent. */
  private visible(g: Group, mutes: Mutes): Stored[] {
    const out: Stored[] = [];
    for (const fp of g.members) {
      const e = this.store.get(fp);
      if (!e || mutes.has(fp) || (e.alert.status === 'resolved' && !g.sent.has(fp))) continue;
      out.push(e);
    }
    return out;
  }

  private flush(g: Group, visible: Stored[], nowMs: number): Notification {
    visible.sort((a, b) => cmp(a.alert.startsAt, b.alert.startsAt) || cmp(a.alert.fingerprint, b.alert.fingerprint));
    const alerts = visible.map((e) => structuredClone(e.alert));
    const n: Notification = {
      idempotencyKey: idempotencyKey(g.route.receiver, g.key, alerts),
      receiver: g.route.receiver, groupKey: g.key, groupLabels: { ...g.labels }, commonLabels: commonLabels(alerts),
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved', alerts, externalURL: this.opts.externalURL,
    };
    g.lastFlushMs = nowMs;
    g.stamp++;
    for (const e of visible) {
      if (e.alert.status === 'firing') g.sent.set(e.alert.fingerprint, e.digest);
      else this.detach(e, g.key);
    }
    return n;
  }
}

/** When the group's next notification is due, given what it would carry now; undefined when it has nothing to send. */
function dueMs(g: Group, visible: Stored[]): number | undefined {
  if (visible.length === 0) return undefined;
  if (g.lastFlushMs === undefined) return g.createdAtMs + g.route.groupWaitMs;
  if (visible.some((e) => g.sent.get(e.alert.fingerprint) !== e.digest)) return g.lastFlushMs + g.route.groupIntervalMs;
  if (visible.some((e) => e.alert.status === 'firing')) return g.lastFlushMs + g.route.repeatIntervalMs;
  return undefined;
}

/** Code-unit order: deterministic, unlike localeCompare. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortedEntries = (r: Record<string, string>) => Object.entries(r).sort(([a], [b]) => cmp(a, b));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What counts as a change to tell the receiver about: status, times, labels, annotations (not samples or windows). */
function digestOf(a: Alert): string {
  return sha256(JSON.stringify([a.status, a.startsAt, a.endsAt ?? null, sortedEntries(a.labels), sortedEntries(a.annotations)])).slice(0, 32);
}

/** `{a="x",b="y"}`, sorted by name. */
function labelString(labels: Labels): string {
  return `{${sortedEntries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function idempotencyKey(receiver: string, groupKey: string, alerts: Alert[]): string {
  const items = alerts.map((a) => [a.fingerprint, a.status, a.startsAt, a.endsAt ?? null] as const).sort((x, y) => cmp(x[0], y[0]));
  return sha256(JSON.stringify([receiver, groupKey, items]));
}

function commonLabels(alerts: Alert[]): Labels {
  const [first, ...rest] = alerts;
  if (!first) return {};
  return Object.fromEntries(sortedEntries(first.labels).filter(([k, v]) => rest.every((a) => Object.hasOwn(a.labels, k) && a.labels[k] === v)));
}

function checkAlert(a: unknown): asserts a is Alert {
  const x = a as Partial<Alert> | null;
  const problems: string[] = [];
  if (typeof x !== 'object' || x === null) problems.push('expected an alert object');
  else {
    if (typeof x.fingerprint !== 'string' || x.fingerprint === '') problems.push('fingerprint must be a non-empty string');
    if (x.status !== 'firing' && x.status !== 'resolved') problems.push('status must be firing or resolved');
    if (typeof x.labels !== 'object' || x.labels === null) problems.push('labels must be an object');
    if (typeof x.annotations !== 'object' || x.annotations === null) problems.push('annotations must be an object');
    if (typeof x.startsAt !== 'string') problems.push('startsAt must be an RFC 3339 time');
  }
  if (problems.length > 0) throw new ValidationError('cannot dispatch alert', problems);
}
