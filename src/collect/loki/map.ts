// Maps one Loki entry (stream labels, timestamp, line, structured metadata) to a flat object for normalize/. The line
// is parsed like an NDJSON line; the stream's labels and the entry's structured metadata fill what the line lacks.
import { formatTimestamp, normalizeLevel, parseLine, type NormalizeOptions } from '../../normalize/index.js';

type Obj = Record<string, unknown>;

/** Which labels (or structured metadata) name the record's service, level and host, first match wins. */
export interface LokiMapping { service: string[]; level: string[]; host: string[] }

export const defaultMapping: Readonly<LokiMapping> = Object.freeze({
  service: ['service_name', 'service', 'app', 'application', 'job', 'container'],
  level: ['level', 'detected_level', 'severity', 'lvl'],
  host: ['host', 'hostname', 'instance'],
});

/** A label or structured-metadata pair set aside because the line has a field of that name. */
const SHADOWED = 'loki.';

function put(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A label's text against a line field's value: equal when the field's text or JSON text is the label's. */
function sameValue(label: unknown, field: unknown): boolean {
  if (label === field) return true;
  if (typeof label !== 'string') return false;
  return typeof field === 'string' ? false : JSON.stringify(field) === label || String(field) === label;
}

/** Epoch seconds + nanoseconds to RFC 3339 (nine fraction digits); null when out of range. */
export function secondsNanosToIso(seconds: number, nanos: number): string | null {
  if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return null;
  return formatTimestamp(seconds, String(nanos).padStart(9, '0'));
}

/** A Loki JSON timestamp (epoch nanoseconds as a decimal string) to RFC 3339, or null. */
export function nanosStringToIso(ns: string): string | null {
  if (!/^\d{1,20}$/.test(ns)) return null;
  const s = ns.length > 9 ? ns.slice(0, ns.length - 9) : '0';
  const f = ns.length > 9 ? ns.slice(ns.length - 9) : ns.padStart(9, '0');
  return formatTimestamp(Number(s), f);
}

export interface Entry {
  /** RFC 3339, or the raw value when it could not be read (normalize dead-letters it as invalid_timestamp). */
  timestamp: string | undefined;
  line: string;
  structured: readonly (readonly [string, string])[];
}

function pick(names: readonly string[], ...sources: ReadonlyMap<string, string>[]): { name: string; from: ReadonlyMap<string, string>; value: string } | undefined {
  for (const from of sources) {
    for (const n of names) {
      const v = from.get(n);
      if (v !== undefined && v.length > 0) return { name: n, from, value: v };
    }
  }
  return undefined;
}

/**
 * One entry as a flat object. Precedence: the line's own fields, then the entry's structured metadata, then the
 * stream's labels; a label or metadata pair whose name the line also has is kept as `loki.<name>`. The timestamp is
 * the entry's (the line's own, if any, is kept as `line_timestamp`); the level is the line's unless the line names
 * none (or INFO) and a level label does.
 */
export function mapEntry(labels: ReadonlyMap<string, string>, e: Entry, mapping: LokiMapping, opts: NormalizeOptions, receivedAt: Date): Obj {
  const parsed = parseLine(e.line, { receivedAt }, opts);
  const lineFields: Obj = {};
  let lineLevel = false;
  if (!parsed.ok) {
    // Blank or over the limit: the line is the message as it is, normalize judges it.
    lineFields.message = parsed.reason === 'missing_message' ? '' : e.line;
  } else {
    if (parsed.metadata) for (const k of Object.keys(parsed.metadata)) put(lineFields, k, parsed.metadata[k]);
    lineFields.message = parsed.message;
    if (parsed.service !== undefined) lineFields.service = parsed.service;
    if (parsed.host !== undefined) lineFields.host = parsed.host;
    if (parsed.user_id !== undefined) lineFields.user_id = parsed.user_id;
    if (parsed.ip_address !== undefined) lineFields.ip_address = parsed.ip_address;
    if (parsed.trace_id !== undefined) lineFields.trace_id = parsed.trace_id;
    if (parsed.span_id !== undefined) lineFields.span_id = parsed.span_id;
    if (parsed.timestamp !== null) lineFields.line_timestamp = parsed.timestamp;
    lineLevel = parsed.level !== 'INFO' || Object.hasOwn(lineFields, 'level_raw');
    lineFields.level = parsed.level;
  }

  // Labels (structured metadata first) name what the line does not; a label not used so stays under its own name.
  const sm = new Map<string, string>(e.structured);
  const service = lineFields.service === undefined ? pick(mapping.service, sm, labels) : undefined;
  const host = lineFields.host === undefined ? pick(mapping.host, sm, labels) : undefined;
  const level = lineLevel ? undefined : pick(mapping.level, sm, labels);
  if (service) lineFields.service = service.value;
  if (host) lineFields.host = host.value;
  if (level) lineFields.level = level.value;
  const used = (from: ReadonlyMap<string, string>, k: string) =>
    (service?.from === from && service.name === k) || (level?.from === from && level.name === k) || (host?.from === from && host.name === k);

  const out: Obj = {};
  for (const [k, v] of labels) if (!used(labels, k) && v.length > 0) put(out, k, v);
  for (const [k, v] of sm) {
    if (used(sm, k)) continue;
    if (Object.hasOwn(out, k) && out[k] !== v) put(out, SHADOWED + k, out[k]);
    put(out, k, v);
  }
  if (e.timestamp !== undefined) lineFields.timestamp = e.timestamp;

  for (const k of Object.keys(lineFields)) {
    // The same value twice (winston-loki sends its meta in the line and as structured metadata) is kept once.
    const same = k === 'level' ? normalizeLevel(out[k]) === normalizeLevel(lineFields[k]) : sameValue(out[k], lineFields[k]);
    if (Object.hasOwn(out, k) && !same) put(out, SHADOWED + k, out[k]);
    put(out, k, lineFields[k]);
  }
  return out;
}

/** The mapping from a source's decoder options (already validated by the source's schema), defaults filled in. */
export function mappingFrom(options: unknown): LokiMapping {
  const o = (typeof options === 'object' && options !== null ? (options as { labels?: Partial<LokiMapping> }).labels : undefined) ?? {};
  const list = (v: unknown, d: string[]) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : d);
  return { service: list(o.service, defaultMapping.service), level: list(o.level, defaultMapping.level), host: list(o.host, defaultMapping.host) };
}
