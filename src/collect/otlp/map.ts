// Maps OTLP log records to flat objects for normalize/: the same walk serves the protobuf decoding (protobufjs
// messages) and OTLP/JSON (parsed JSON), which differ only in how ids, 64-bit numbers and bytes are written.
import { formatTimestamp, isIpAddress, normalizeLevel, fieldAliases } from '../../normalize/index.js';
import type { Level } from '../../model/log-record.js';

type Obj = Record<string, unknown>;

/** A protobufjs Long (fixed64/int64 fields): the parts we read. */
interface LongLike { low: number; high: number; unsigned: boolean; toString(): string; toNumber(): number }

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function isLong(v: unknown): v is LongLike {
  return isObj(v) && typeof v.low === 'number' && typeof v.high === 'number' && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

/** A field of a message: OTLP/JSON may use the lowerCamelCase name or the proto name (protojson accepts both). */
function field(o: Obj, camel: string, snake: string): unknown {
  return Object.hasOwn(o, camel) ? o[camel] : Object.hasOwn(o, snake) ? o[snake] : undefined;
}

/** Sets an own data property even for `__proto__` (attribute keys are hostile input). */
function put(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const DIGITS = /^-?\d{1,20}$/;

/** A 64-bit integer as a number when exact, else as its decimal text. */
function int64(v: unknown): number | string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    if (!DIGITS.test(v)) return null;
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  return null;
}

/** Unsigned nanoseconds (fixed64) as decimal text; '' for zero or absent. */
function nanosText(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number') s = Number.isFinite(v) && v >= 0 ? BigInt(Math.trunc(v)).toString() : '';
  else if (isLong(v)) s = v.toString();
  else return '';
  return /^\d+$/.test(s) && !/^0+$/.test(s) ? s.replace(/^0+/, '') : '';
}

/** Epoch nanoseconds to RFC 3339 with nine fraction digits; the digits themselves when out of range (normalize rejects them). */
export function nanosToIso(ns: string): string {
  const secs = ns.length > 9 ? ns.slice(0, ns.length - 9) : '0';
  const frac = ns.length > 9 ? ns.slice(ns.length - 9) : ns.padStart(9, '0');
  return formatTimestamp(Number(secs), frac) ?? ns;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A trace or span id: bytes (protobuf) or hex text (OTLP/JSON). Undefined when absent or all zero (invalid per W3C). */
function idText(v: unknown): { id?: string; invalid?: string } {
  let s: string;
  if (v instanceof Uint8Array) s = hex(v);
  else if (typeof v === 'string') {
    if (!/^[0-9a-fA-F]*$/.test(v) || v.length % 2 !== 0) return { invalid: v };
    s = v.toLowerCase();
  } else return {};
  return s.length === 0 || /^0+$/.test(s) ? {} : { id: s };
}

const MAX_DEPTH = 16;

/** An AnyValue as a plain JSON value (bytes as base64, 64-bit integers exact). */
export function anyValue(v: unknown, depth = 0): unknown {
  if (!isObj(v) || depth > MAX_DEPTH) return null;
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) return b === true || b === 'true';
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return int64(i);
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) {
    const n = typeof d === 'number' ? d : Number(d);
    return Number.isFinite(n) ? n : String(d); // NaN and the infinities have no JSON number
  }
  const a = field(v, 'arrayValue', 'array_value');
  if (a !== undefined) return isObj(a) && Array.isArray(a.values) ? a.values.map((x) => anyValue(x, depth + 1)) : [];
  const kv = field(v, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) return isObj(kv) ? attributes(kv.values, depth + 1) : {};
  const by = field(v, 'bytesValue', 'bytes_value');
  if (by !== undefined) return by instanceof Uint8Array ? Buffer.from(by.buffer, by.byteOffset, by.byteLength).toString('base64') : String(by);
  return null;
}

/** A KeyValue list as an object (a later duplicate key wins, as in the OTel SDKs). */
export function attributes(list: unknown, depth = 0): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    put(out, kv.key, anyValue(kv.value, depth));
  }
  return out;
}

const RANGES: readonly Level[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** OTLP severity number 1..24 to a level (ranges of four); undefined for 0 (unspecified) or out of range. */
export function severityLevel(n: number): Level | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 24 ? RANGES[Math.floor((n - 1) / 4)] : undefined;
}

/** SeverityNumber as an integer, or the enum name (`SEVERITY_NUMBER_WARN`) some JSON encoders write. */
function severityNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const m = /^SEVERITY_NUMBER_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([234]?)$/.exec(v);
    if (m) return RANGES.indexOf(m[1] as Level) * 4 + (m[2] ? Number(m[2]) : 1);
  }
  return 0;
}

/** Semantic-convention attributes that name the user or the client address, tried after normalize's own aliases. */
const USER_ATTRS = ['enduser.id'];
const IP_ATTRS = ['client.address', 'source.address', 'network.peer.address', 'net.peer.ip', 'net.sock.peer.addr', 'http.client_ip'];

/** Names the protocol itself fills: an attribute with one of them is renamed `attributes.<name>`. */
const PROTOCOL_KEYS = ['timestamp', 'level', 'message', 'trace_id', 'span_id'];

export interface ResourceContext {
  /** Resource and scope attributes (plus otel.scope.*), merged: what every record of the scope starts from. */
  readonly base: Obj;
  readonly service: string | undefined;
  readonly host: string | undefined;
}

/** The part of every record of one resource + scope (computed once per ScopeLogs). */
export function scopeContext(resource: unknown, scope: unknown): ResourceContext {
  const base: Obj = {};
  const res = isObj(resource) ? attributes(resource.attributes) : {};
  let service: string | undefined;
  let host: string | undefined;
  for (const k of Object.keys(res)) {
    const v = res[k];
    if (k === 'service.name' && typeof v === 'string' && v.length > 0) service = v;
    else if (k === 'host.name' && typeof v === 'string' && v.length > 0) host = v;
    else put(base, k, v);
  }
  if (isObj(scope)) {
    if (typeof scope.name === 'string' && scope.name.length > 0) base['otel.scope.name'] = scope.name;
    if (typeof scope.version === 'string' && scope.version.length > 0) base['otel.scope.version'] = scope.version;
    const sa = attributes(scope.attributes);
    for (const k of Object.keys(sa)) {
      if (Object.hasOwn(base, k)) put(base, `resource.${k}`, base[k]);
      put(base, k, sa[k]);
    }
  }
  return { base, service, host };
}

function hasAny(o: Obj, names: readonly string[]): boolean {
  for (const n of names) if (Object.hasOwn(o, n)) return true;
  return false;
}

/** Moves the first of `names` whose value fits into `to`, unless a normalize alias of that field is already there. */
function promote(o: Obj, to: 'user_id' | 'ip_address', names: readonly string[]): void {
  if (hasAny(o, fieldAliases[to])) return;
  for (const n of names) {
    const v = o[n];
    if (!Object.hasOwn(o, n)) continue;
    const fits = to === 'ip_address' ? typeof v === 'string' && isIpAddress(v) : (typeof v === 'string' && v.length > 0) || typeof v === 'number';
    if (!fits) continue;
    o[to] = typeof v === 'number' ? String(v) : v;
    delete o[n];
    return;
  }
}

/** One LogRecord as a flat object: protocol fields under the log schema's names, attributes under their own. */
export function mapLogRecord(rec: unknown, ctx: ResourceContext): Obj {
  const r = isObj(rec) ? rec : {};
  const out: Obj = {};
  for (const k of Object.keys(ctx.base)) put(out, k, ctx.base[k]);
  const attrs = attributes(r.attributes);
  for (const k of Object.keys(attrs)) {
    if (Object.hasOwn(ctx.base, k)) put(out, `resource.${k}`, ctx.base[k]);
    const renamed = PROTOCOL_KEYS.includes(k) || (k === 'service' && ctx.service !== undefined) || (k === 'host' && ctx.host !== undefined);
    put(out, renamed ? `attributes.${k}` : k, attrs[k]);
  }
  if (ctx.service !== undefined) out.service = ctx.service;
  if (ctx.host !== undefined) out.host = ctx.host;

  const ns = nanosText(field(r, 'timeUnixNano', 'time_unix_nano')) || nanosText(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'));
  if (ns) out.timestamp = nanosToIso(ns);

  const sevText = field(r, 'severityText', 'severity_text');
  const level = severityLevel(severityNumber(field(r, 'severityNumber', 'severity_number')));
  if (level !== undefined) {
    out.level = level;
    if (typeof sevText === 'string' && sevText.length > 0 && normalizeLevel(sevText) !== level) out['otel.severity_text'] = sevText;
  } else if (typeof sevText === 'string' && sevText.length > 0) {
    out.level = sevText; // normalize maps the name, or keeps it as level_raw
  }

  const eventName = field(r, 'eventName', 'event_name');
  if (typeof eventName === 'string' && eventName.length > 0) out['event.name'] = eventName;
  const body = field(r, 'body', 'body');
  const value = body === undefined || body === null ? undefined : anyValue(body);
  if (typeof value === 'string') out.message = value;
  else if (value === undefined || value === null) out.message = typeof eventName === 'string' ? eventName : '';
  else {
    out.message = JSON.stringify(value);
    if (typeof value === 'object') {
      if (Object.hasOwn(out, 'body')) put(out, 'attributes.body', out.body);
      out.body = value; // structured body: kept whole beside its JSON text
    }
  }

  const trace = idText(field(r, 'traceId', 'trace_id'));
  if (trace.id) out.trace_id = trace.id;
  else if (trace.invalid !== undefined) out['otel.trace_id_invalid'] = trace.invalid;
  const span = idText(field(r, 'spanId', 'span_id'));
  if (span.id) out.span_id = span.id;
  else if (span.invalid !== undefined) out['otel.span_id_invalid'] = span.invalid;

  const flags = Number(field(r, 'flags', 'flags') ?? 0);
  if (Number.isFinite(flags) && flags !== 0) out['otel.flags'] = flags;
  const dropped = Number(field(r, 'droppedAttributesCount', 'dropped_attributes_count') ?? 0);
  if (Number.isFinite(dropped) && dropped !== 0) out['otel.dropped_attributes_count'] = dropped;

  promote(out, 'user_id', USER_ATTRS);
  promote(out, 'ip_address', IP_ATTRS);
  return out;
}

/** Every log record of an ExportLogsServiceRequest (protobufjs message or parsed OTLP/JSON), in order. */
export function mapExportRequest(req: unknown): Obj[] {
  const out: Obj[] = [];
  if (!isObj(req)) return out;
  const rls = field(req, 'resourceLogs', 'resource_logs');
  if (rls === undefined || rls === null) return out;
  if (!Array.isArray(rls)) throw new TypeError('resourceLogs must be an array');
  for (const rl of rls) {
    if (!isObj(rl)) continue;
    const sls = field(rl, 'scopeLogs', 'scope_logs');
    if (!Array.isArray(sls)) continue;
    for (const sl of sls) {
      if (!isObj(sl)) continue;
      const ctx = scopeContext(rl.resource, sl.scope);
      const recs = field(sl, 'logRecords', 'log_records');
      if (!Array.isArray(recs)) continue;
      for (const rec of recs) out.push(mapLogRecord(rec, ctx));
    }
  }
  return out;
}
