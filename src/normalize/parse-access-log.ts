// Apache/nginx access logs, common and combined: client, user, time, request, status and bytes -> record and metadata.
import type { Level } from '../model/log-record.js';
import { isIpAddress, type MapContext } from './field-map.js';
import { quote, reject, type Draft, type Parsed } from './result.js';
import { scanTimestamp, wallToIso } from './timestamp.js';

// Each group is delimited by a character it cannot contain, so matching is linear (no backtracking blow-up).
const ACCESS = /^(\S+) (\S+) (\S+) \[([^\]]{1,64})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$/;
const QUOTED_ESCAPE = /\\(["\\])/g;
const METHOD = /^[A-Z][A-Z_-]{0,19}$/;

function unquote(s: string): string {
  return s.includes('\\') ? s.replace(QUOTED_ESCAPE, '$1') : s;
}

function statusLevel(status: number): Level {
  if (status >= 500) return 'ERROR';
  if (status >= 400) return 'WARN';
  return 'INFO';
}

/**
 * Parses `client ident user [time] "request" status bytes` with optional `"referer" "user-agent"`
 * (anything after goes to metadata.extra). The message is the request line. Null when the shape does not fit.
 */
export function parseAccessLog(line: string, mc: MapContext): Parsed | null {
  let sp = -1;
  for (let k = 0; k < 3; k++) { // cheap pre-check: the fourth token opens the [time]
    sp = line.indexOf(' ', sp + 1);
    if (sp < 0) return null;
  }
  if (line.charCodeAt(sp + 1) !== 91) return null;
  const m = ACCESS.exec(line);
  if (m === null) return null;
  const [, client = '', ident = '-', user = '-', time = '', rawRequest = '', status = '-', bytes = '-', referer, agent, rest = ''] = m;
  const w = scanTimestamp(time, 0, false);
  const timestamp = w !== null && w.end === time.length ? wallToIso(w, mc.zone, mc.receivedAt) : null;
  if (timestamp === null) return reject('invalid_timestamp', `cannot parse access log time ${quote(time)}: expected dd/Mmm/yyyy:HH:mm:ss +zzzz`);
  const request = unquote(rawRequest);
  const meta: Record<string, unknown> = {};
  const parts = request.split(' ');
  if ((parts.length === 3 || parts.length === 2) && METHOD.test(parts[0] ?? '') && parts[1] !== '') {
    meta.method = parts[0];
    meta.path = parts[1];
    if (parts[2] !== undefined) meta.protocol = parts[2];
  } else if (request !== '-' && request !== '') {
    meta.request = request;
  }
  const code = status === '-' ? 0 : Number(status);
  if (status !== '-') meta.status = code;
  if (bytes !== '-') meta.bytes = Number(bytes);
  if (referer !== undefined && referer !== '-') meta.referer = unquote(referer);
  if (agent !== undefined && agent !== '-') meta.user_agent = unquote(agent);
  if (ident !== '-') meta.ident = ident;
  const extra = rest.trim();
  if (extra.length > 0) meta.extra = extra;
  const d: Draft = {
    ok: true,
    format: agent === undefined ? 'access_common' : 'access_combined',
    message: request.trim(),
    timestamp,
    level: statusLevel(code),
    metadata: meta,
  };
  if (isIpAddress(client)) d.ip_address = client;
  else if (client !== '-') meta.client = client;
  if (user !== '-') d.user_id = user;
  return d;
}
