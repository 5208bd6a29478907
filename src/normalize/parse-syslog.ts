// BSD syslog (RFC 3164) lines `[<PRI>]Mmm dd hh:mm:ss host app[pid]: msg`, and the PRI dispatch to RFC 5424.
import { inferLevel, syslogSeverityLevel } from './level.js';
import type { MapContext } from './field-map.js';
import { parseRfc5424 } from './parse-rfc5424.js';
import { reject, type Draft, type Parsed } from './result.js';
import { facilityName, pidValue, readPri, severityName } from './syslog-pri.js';
import { scanTimestamp, wallToIso } from './timestamp.js';

/**
 * `app`, `app[pid]`, `app(sub)[pid]`, `app 1.4.1` (a version word), or two words before `[pid]` (`-- root[2421]`,
 * as login writes), each followed by `:`. Groups: name, version, second word, pid.
 */
const TAG = /([^\s[\]:]{1,64})(?: (\d[\w.]{0,31})| ([^\s[\]:]{1,64})(?=\[))?(?:\[([^\]\s]{0,32})\])?:(?: |$)/y;

/**
 * With PRI only: `app[pid]` followed by a space and no colon, as rsyslog's RSYSLOG_TraditionalForwardFormat writes a
 * message it received as RFC 5424 (its tag is APP-NAME[PROCID]). Groups as in TAG.
 */
const TAG_NO_COLON = /([^\s[\]:]{1,64})()()\[(\d{1,15})\](?: |$)/y;

/**
 * Parses a line that starts with `<PRI>`: RFC 5424 when the version `1 ` follows, else RFC 3164.
 * Returns null when neither shape fits, so the line falls through to the other formats.
 */
export function parseSyslogWithPri(line: string, mc: MapContext, maxFields: number): Parsed | null {
  const p = readPri(line);
  if (p === null) return null;
  if (line.charCodeAt(p.end) === 49 && line.charCodeAt(p.end + 1) === 32) return parseRfc5424(line, p.pri, p.end + 2, mc, maxFields);
  return parseRfc3164(line, p.end, p.pri, mc);
}

/**
 * RFC 3164 from index `start` (after the PRI, or 0 without one; then `pri` is -1). The timestamp is the
 * syslog form or an ISO 8601 one (without PRI: only with a zone and a tag, as rsyslog's file format writes).
 * The host is left out when the first word is already the tag (`su: ...`).
 */
export function parseRfc3164(line: string, start: number, pri: number, mc: MapContext): Parsed | null {
  const w = scanTimestamp(line, start, false);
  if (w === null || line.charCodeAt(w.end) !== 32) return null;
  // Without PRI only the classic `Mmm dd hh:mm:ss` or a zoned ISO time (rsyslog file format) followed by a tag.
  const strict = pri < 0 && w.year !== 0;
  if (strict && w.offsetMinutes === null) return null;
  const timestamp = wallToIso(w, mc.zone, mc.receivedAt);
  if (timestamp === null) {
    if (pri < 0) return null;
    return reject('invalid_timestamp', `cannot use syslog timestamp ${JSON.stringify(line.slice(start, w.end))}: a field is out of range or the year is outside 1970-01-01..2262-04-11T23:47:15Z`);
  }
  let i = w.end + 1;
  while (line.charCodeAt(i) === 32) i++;
  const d: Draft = { ok: true, format: 'rfc3164', message: '', timestamp, level: 'INFO', metadata: null };
  const meta: Record<string, unknown> = {};
  if (pri >= 0) { meta.facility = facilityName(pri); meta.severity = severityName(pri); }
  const sp = line.indexOf(' ', i);
  const first = line.slice(i, sp < 0 ? line.length : sp);
  if (!first.endsWith(':') && !first.includes('[')) {
    d.host = first;
    i = sp < 0 ? line.length : sp + 1;
    while (line.charCodeAt(i) === 32) i++;
  }
  TAG.lastIndex = i;
  let tag = TAG.exec(line);
  let tagEnd = TAG.lastIndex;
  if (tag === null && pri >= 0) {
    TAG_NO_COLON.lastIndex = i;
    tag = TAG_NO_COLON.exec(line);
    tagEnd = TAG_NO_COLON.lastIndex;
  }
  if (tag !== null) {
    d.service = tag[3] === undefined || tag[3] === '' ? tag[1] : `${tag[1]} ${tag[3]}`;
    if (tag[2] !== undefined && tag[2] !== '') meta.app_version = tag[2];
    if (tag[4] !== undefined && tag[4].length > 0) meta.pid = pidValue(tag[4]);
    i = tagEnd;
  } else if (strict) {
    return null;
  }
  d.message = line.slice(i).trim();
  d.level = pri >= 0 ? syslogSeverityLevel(pri) : inferLevel(d.message) ?? 'INFO';
  d.metadata = meta;
  return d;
}
