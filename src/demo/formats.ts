// Renders one generated event as the line a real program of that kind writes: JSON, logfmt, access log, syslog, plain.
import type { Level } from '../model/log-record.js';
import type { FleetHost, FleetService } from './fleet.js';
import type { Rng } from './prng.js';
import type { LevelStyle, LineFormat } from './services.js';

export interface DemoEvent {
  timeMs: number;
  level: Level;
  service: FleetService;
  host: FleetHost;
  message: string;
  /** The message needs no JSON escaping (see Template.jsonSafe). */
  messageJsonSafe: boolean;
  userId: string | undefined;
  ip: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  durationMs: number | undefined;
  /** HTTP request lines only. */
  status: number | undefined;
  method: string | undefined;
  path: string | undefined;
  bytes: number | undefined;
}

const SPELLING: Record<LevelStyle, Record<Level, string>> = {
  lower: { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal' },
  upper: { TRACE: 'TRACE', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR', FATAL: 'FATAL' },
  python: { TRACE: 'DEBUG', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARNING', ERROR: 'ERROR', FATAL: 'CRITICAL' },
  short: { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warning', ERROR: 'err', FATAL: 'crit' },
};
const SYSLOG_SEVERITY: Record<Level, number> = { TRACE: 7, DEBUG: 7, INFO: 6, WARN: 4, ERROR: 3, FATAL: 2 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.5.0',
];
const REFERERS = ['-', '-', 'https://shop.example.com/', 'https://shop.example.com/cart', 'https://www.google.com/'];
const JAVA_THREADS = ['main', 'http-nio-8080-exec-', 'pool-2-thread-', 'scheduler_Worker-', 'HikariPool-1 housekeeper'];

export function formatLine(e: DemoEvent, format: LineFormat, rng: Rng): string {
  switch (format) {
    case 'json': return jsonLine(e);
    case 'logfmt': return logfmtLine(e);
    case 'access': return e.status === undefined ? jsonLine(e) : accessLine(e, rng);
    case 'rfc5424': return rfc5424Line(e);
    case 'rfc3164': return rfc3164Line(e);
    case 'plain': return plainLine(e, rng);
  }
}

// Date#toISOString was a fifth of the generator's time; the clock rarely changes second between lines.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** RFC 3339 UTC with milliseconds or microseconds (the clock is a float in milliseconds). */
export function isoTime(timeMs: number, precision: 'ms' | 'us'): string {
  const ms = Math.floor(timeMs);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = pad3(ms - second * 1000);
  return precision === 'ms' ? `${cachedPrefix}${millis}Z` : `${cachedPrefix}${millis}${pad3(Math.floor((timeMs - ms) * 1000))}Z`;
}

// Built by hand rather than JSON.stringify(object): twice as fast, and only the message can need escaping
// (every other value is generated from a known alphabet).
function jsonLine(e: DemoEvent): string {
  const spec = e.service.spec;
  let s = `{"timestamp":"${isoTime(e.timeMs, spec.precision)}","level":"${SPELLING[spec.levelStyle][e.level]}","service":"${spec.name}",`
    + `"host":"${e.host.name}","message":${e.messageJsonSafe ? `"${e.message}"` : JSON.stringify(e.message)}`;
  if (e.userId !== undefined) s += `,"user_id":"${e.userId}"`;
  if (e.ip !== undefined) s += `,"ip":"${e.ip}"`;
  if (e.traceId !== undefined) s += `,"trace_id":"${e.traceId}","span_id":"${e.spanId}"`;
  if (e.durationMs !== undefined) s += `,"duration_ms":${e.durationMs}`;
  if (e.status !== undefined) s += `,"http.status":${e.status}`;
  for (const x of spec.extras) s += x === 'region' ? `,"region":"${e.host.region}"` : `,"version":"${spec.version}"`;
  return `${s}}`;
}

function logfmtLine(e: DemoEvent): string {
  const spec = e.service.spec;
  let s = `ts=${isoTime(e.timeMs, spec.precision)} level=${SPELLING[spec.levelStyle][e.level]} service=${spec.name} host=${e.host.name}`
    + ` msg=${logfmtValue(e.message)}`;
  if (e.userId !== undefined) s += ` user_id=${logfmtValue(e.userId)}`;
  if (e.ip !== undefined) s += ` ip=${e.ip}`;
  if (e.traceId !== undefined) s += ` trace_id=${e.traceId} span_id=${e.spanId}`;
  if (e.durationMs !== undefined) s += ` duration_ms=${e.durationMs}`;
  for (const x of spec.extras) s += x === 'region' ? ` region=${e.host.region}` : ` version=${spec.version}`;
  return s;
}

function logfmtValue(v: string): string {
  return /^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v);
}

/** Apache/nginx combined log format. */
function accessLine(e: DemoEvent, rng: Rng): string {
  const d = new Date(Math.floor(e.timeMs));
  const when = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${clock(d)} +0000`;
  return `${e.ip ?? '-'} - - [${when}] "${e.method ?? 'GET'} ${e.path ?? '/'} HTTP/1.1" ${e.status} ${e.bytes ?? 0}`
    + ` "${rng.pick(REFERERS)}" "${rng.pick(USER_AGENTS)}"`;
}

function rfc5424Line(e: DemoEvent): string {
  const spec = e.service.spec;
  let sd = '';
  for (const x of spec.extras) sd += x === 'region' ? ` region="${e.host.region}"` : ` version="${spec.version}"`;
  return `<${priority(e)}>1 ${isoTime(e.timeMs, spec.precision)} ${e.host.name} ${spec.name} ${e.host.pid} -`
    + ` ${sd === '' ? '-' : `[meta@32473${sd}]`} ${oneLine(e.message)}`;
}

/** BSD syslog: no year, no zone, day padded with a space. */
function rfc3164Line(e: DemoEvent): string {
  const d = new Date(Math.floor(e.timeMs));
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `<${priority(e)}>${MONTHS[d.getUTCMonth()]} ${day} ${clock(d)} ${e.host.name} ${e.service.spec.name}[${e.host.pid}]: ${oneLine(e.message)}`;
}

/** log4j `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%t] %m`, in UTC. */
function plainLine(e: DemoEvent, rng: Rng): string {
  const iso = new Date(Math.floor(e.timeMs)).toISOString();
  const thread = rng.pick(JAVA_THREADS);
  const name = thread.endsWith('-') ? `${thread}${rng.int(1, 20)}` : thread;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)} ${SPELLING.upper[e.level].padEnd(5)} [${name}] ${oneLine(e.message)}`;
}

function priority(e: DemoEvent): number {
  const facility = e.service.spec.name === 'sshd' ? 10 : 16; // authpriv, local0
  return facility * 8 + SYSLOG_SEVERITY[e.level];
}

/** Line formats cannot hold a newline: stack frames are folded onto the line. */
function oneLine(message: string): string {
  return message.includes('\n') ? message.replace(/\n\s*/g, ' ') : message;
}

function clock(d: Date): string {
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}
