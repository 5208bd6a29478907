// Maps the fields of a JSON or logfmt object onto record fields by alias; every other field becomes metadata.
import { isIP } from 'node:net';
import type { Level } from '../model/log-record.js';
import { normalizeLevel } from './level.js';
import { quote, reject, setOwn, type LineFormat, type Parsed } from './result.js';
import { timestampToIso } from './timestamp.js';
import type { Zone } from './timezone.js';

export type MappedField = 'message' | 'level' | 'timestamp' | 'service' | 'user_id' | 'ip_address' | 'host' | 'trace_id' | 'span_id';

/**
 * Input names of each record field, in priority order: when several are present the first listed wins and
 * the others stay in metadata. Dotted names match a flat key (`"log.level"`) or one nested level (`{"log":{"level":..}}`).
 */
export const fieldAliases: Readonly<Record<MappedField, readonly string[]>> = {
  message: ['message', 'msg', 'log', 'text', '@message', 'short_message', 'body'],
  level: ['level', 'lvl', 'severity', 'loglevel', 'log.level', 'levelname', '@level'],
  timestamp: ['timestamp', '@timestamp', 'ts', 'time', 'datetime', 'date', 't', 'eventTime'],
  service: ['service', 'svc', 'app', 'application', 'service_name', 'service.name'],
  user_id: ['user_id', 'userId', 'user', 'uid', 'username', 'usr.id', 'user.id', 'user.name'],
  ip_address: ['ip_address', 'ip', 'client_ip', 'clientip', 'remote_addr', 'remote_ip', 'src_ip', 'source_ip', 'ipAddress', 'client.ip', 'source.ip'],
  host: ['host', 'hostname', 'host.name', 'host.hostname'],
  trace_id: ['trace_id', 'traceId', 'traceid', 'trace.id'],
  span_id: ['span_id', 'spanId', 'span.id'],
};

const FIELDS = Object.keys(fieldAliases) as MappedField[];
const MESSAGE = 0, LEVEL = 1, TIMESTAMP = 2, SERVICE = 3, USER_ID = 4, IP_ADDRESS = 5, HOST = 6, TRACE_ID = 7, SPAN_ID = 8;

interface Alias { readonly slot: number; readonly rank: number }
const flatAliases = new Map<string, Alias>();
const nestedAliases = new Map<string, [child: string, alias: Alias][]>();
FIELDS.forEach((field, slot) => {
  fieldAliases[field].forEach((name, rank) => {
    const alias = { slot, rank };
    flatAliases.set(name, alias);
    const dot = name.indexOf('.');
    if (dot > 0) {
      const parent = name.slice(0, dot);
      const kids = nestedAliases.get(parent) ?? [];
      kids.push([name.slice(dot + 1), alias]);
      nestedAliases.set(parent, kids);
    }
  });
});

interface Candidate { rank: number; key: string; child: string | null; value: unknown }

/** A valid IPv4 or IPv6 address as the schema accepts it (no zone index like %eth0). */
export function isIpAddress(s: string): boolean {
  return s.length <= 45 && isIP(s) !== 0 && !s.includes('%');
}

function acceptable(slot: number, v: unknown): boolean {
  switch (slot) {
    case MESSAGE: return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    case LEVEL: return typeof v === 'string' || typeof v === 'number';
    case TIMESTAMP: return typeof v === 'string' || typeof v === 'number' || v instanceof Date;
    case IP_ADDRESS: return typeof v === 'string' && isIpAddress(v);
    default: return (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

export interface MapContext { readonly zone: Zone; readonly receivedAt: Date }

type Best = (Candidate | undefined)[];

/** The best-ranked acceptable value per field slot, from top-level keys and one level of nesting. */
function collect(obj: Record<string, unknown>, keys: readonly string[]): Best {
  const best: Best = new Array<Candidate | undefined>(FIELDS.length);
  for (const key of keys) {
    const v = obj[key];
    const a = flatAliases.get(key);
    if (a !== undefined && acceptable(a.slot, v)) {
      const b = best[a.slot];
      if (b === undefined || a.rank < b.rank) best[a.slot] = { rank: a.rank, key, child: null, value: v };
    }
    const kids = nestedAliases.get(key);
    if (kids === undefined || !isPlainObject(v)) continue;
    for (const [child, ca] of kids) {
      if (!Object.hasOwn(v, child)) continue;
      const cv = v[child];
      const b = best[ca.slot];
      if (acceptable(ca.slot, cv) && (b === undefined || ca.rank < b.rank)) best[ca.slot] = { rank: ca.rank, key, child, value: cv };
    }
  }
  return best;
}

/**
 * True when `obj` holds a value that mapFields would take for `field` (by any alias, flat or one level nested):
 * e.g. a protocol decoder fills in a service only when the record names none of its own.
 */
export function hasField(obj: Record<string, unknown>, field: MappedField): boolean {
  const slot = FIELDS.indexOf(field);
  for (const name of fieldAliases[field]) {
    if (Object.hasOwn(obj, name) && acceptable(slot, obj[name])) return true;
    const dot = name.indexOf('.');
    if (dot < 0) continue;
    const parent = obj[name.slice(0, dot)];
    const child = name.slice(dot + 1);
    if (isPlainObject(parent) && Object.hasOwn(parent, child) && acceptable(slot, parent[child])) return true;
  }
  return false;
}

/** Adds every field not taken by `best` to `meta` (nested objects minus their taken keys; emptied ones dropped). */
function leftovers(obj: Record<string, unknown>, keys: readonly string[], best: Best, meta: Record<string, unknown> | null): Record<string, unknown> | null {
  for (const key of keys) {
    const original = obj[key];
    let keep: unknown = original;
    for (const c of best) {
      if (c === undefined || c.key !== key) continue;
      if (c.child === null) { keep = undefined; break; }
      keep = without(keep as Record<string, unknown>, c.child);
    }
    if (keep === undefined) continue;
    if (keep !== original && Object.keys(keep as object).length === 0) continue;
    meta ??= {};
    if (key === '__proto__') setOwn(meta, key, keep);
    else meta[key] = keep;
  }
  return meta;
}

/**
 * Maps `obj` (a parsed JSON object or logfmt pairs) to a draft. Without a message field it rejects with
 * missing_message unless `messageFallback` is given. Limits must have been checked by the caller.
 */
export function mapFields(obj: Record<string, unknown>, mc: MapContext, format: LineFormat, messageFallback: string | null): Parsed {
  const keys = Object.keys(obj);
  const best = collect(obj, keys);
  const m = best[MESSAGE];
  if (m === undefined && messageFallback === null) {
    return reject('missing_message', `the ${format} record has none of the message fields (${fieldAliases.message.join(', ')})`);
  }
  let timestamp: string | null = null;
  const t = best[TIMESTAMP];
  if (t !== undefined) {
    timestamp = timestampToIso(t.value, mc.zone, mc.receivedAt);
    if (timestamp === null) {
      const name = t.child === null ? t.key : `${t.key}.${t.child}`;
      return reject('invalid_timestamp', `cannot parse timestamp field "${name}" (value ${quote(t.value)}): use RFC 3339, epoch seconds/ms/us/ns or a documented form`);
    }
  }
  let level: Level = 'INFO';
  let meta: Record<string, unknown> | null = null;
  const l = best[LEVEL];
  if (l !== undefined) {
    const known = normalizeLevel(l.value);
    if (known === null) meta = { level_raw: l.value };
    else level = known;
  }
  return {
    ok: true,
    format,
    message: m === undefined ? (messageFallback ?? '') : text(m.value).trim(),
    timestamp,
    level,
    service: pick(best, SERVICE),
    user_id: pick(best, USER_ID),
    ip_address: pick(best, IP_ADDRESS),
    host: pick(best, HOST),
    trace_id: pick(best, TRACE_ID),
    span_id: pick(best, SPAN_ID),
    metadata: leftovers(obj, keys, best, meta),
  };
}

function pick(best: Best, slot: number): string | undefined {
  const c = best[slot];
  return c === undefined ? undefined : text(c.value);
}

/** A shallow copy of `o` without `key` (own keys only, `__proto__` kept as data). */
function without(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (k !== key) setOwn(out, k, o[k]);
  return out;
}
