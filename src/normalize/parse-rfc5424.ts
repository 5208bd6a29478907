// RFC 5424 syslog: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...] MSG`; structured data -> metadata.sd.
import { syslogSeverityLevel } from './level.js';
import type { MapContext } from './field-map.js';
import { quote, reject, setOwn, type Draft, type Parsed } from './result.js';
import { facilityName, pidValue, severityName } from './syslog-pri.js';
import { closingQuote, tokenEnd } from './quoted.js';
import { timestampToIso } from './timestamp.js';

const SPACE = 32, QUOTE = 34, EQ = 61, OPEN = 91, CLOSE = 93;
const NAME_STOPS = [SPACE, CLOSE, EQ, QUOTE];
const SD_ESCAPE = /\\(["\\\]])/g;

/** Structured data: `{ sdId: { param: value | value[] } }`, the index after it, and how many ids plus params it held. */
interface Sd { sd: Record<string, Record<string, unknown>>; end: number; fields: number }

/** Reads ` name="value"` pairs from `i` into params; returns the index after them, or -1 if malformed. */
function readParams(line: string, i: number, params: Record<string, unknown>, sd: Sd, maxFields: number): number {
  while (line.charCodeAt(i) === SPACE && sd.fields <= maxFields) {
    const nameEnd = tokenEnd(line, i + 1, NAME_STOPS);
    if (nameEnd === i + 1 || line.charCodeAt(nameEnd) !== EQ || line.charCodeAt(nameEnd + 1) !== QUOTE) return -1;
    const name = line.slice(i + 1, nameEnd);
    const close = closingQuote(line, nameEnd + 2);
    if (close < 0) return -1;
    const raw = line.slice(nameEnd + 2, close);
    const value = raw.includes('\\') ? raw.replace(SD_ESCAPE, '$1') : raw;
    const prev = Object.hasOwn(params, name) ? params[name] : undefined;
    setOwn(params, name, prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]);
    sd.fields++;
    i = close + 1;
  }
  return i;
}

/** Parses `[id k="v" ...][id2 ...]` at `i`; null if malformed. Stops early once over maxFields (check sd.fields). */
function parseSd(line: string, i: number, maxFields: number): Sd | null {
  const sd: Sd = { sd: {}, end: i, fields: 0 };
  while (line.charCodeAt(i) === OPEN && sd.fields <= maxFields) {
    const idEnd = tokenEnd(line, i + 1, NAME_STOPS);
    if (idEnd === i + 1) return null;
    // An SD-ID given twice (RFC 5424 forbids it, senders do it) merges into one: no param is lost.
    const id = line.slice(i + 1, idEnd);
    const seen = Object.hasOwn(sd.sd, id) ? sd.sd[id] : undefined;
    const params: Record<string, unknown> = seen ?? {};
    if (seen === undefined) setOwn(sd.sd, id, params);
    sd.fields++;
    i = readParams(line, idEnd, params, sd, maxFields);
    if (i < 0) return null;
    if (sd.fields > maxFields) break;
    if (line.charCodeAt(i) !== CLOSE) return null;
    i++;
  }
  sd.end = i;
  return sd;
}

/** Parses the rest of an RFC 5424 line from `i` (after `<PRI>1 `); null when the header is malformed. */
export function parseRfc5424(line: string, pri: number, i: number, mc: MapContext, maxFields: number): Parsed | null {
  const head: string[] = [];
  let j = i;
  for (let k = 0; k < 5; k++) { // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each followed by a space
    const sp = line.indexOf(' ', j);
    if (sp <= j) return null;
    head.push(line.slice(j, sp));
    j = sp + 1;
  }
  const [ts = '-', host = '-', app = '-', procid = '-', msgid = '-'] = head;
  let timestamp: string | null = null;
  if (ts !== '-') {
    timestamp = timestampToIso(ts, mc.zone, mc.receivedAt);
    if (timestamp === null) return reject('invalid_timestamp', `cannot parse RFC 5424 timestamp ${quote(ts)}: it must be RFC 3339`);
  }
  const meta: Record<string, unknown> = { facility: facilityName(pri), severity: severityName(pri) };
  if (line.charCodeAt(j) === OPEN) {
    const sd = parseSd(line, j, maxFields - 1);
    if (sd === null) return null;
    if (sd.fields > maxFields - 1) {
      return reject('too_many_fields', `the structured data has more than normalize.maxFields (${maxFields}) fields; drop fields or raise the limit`);
    }
    meta.sd = sd.sd;
    j = sd.end;
  } else if (line.charCodeAt(j) === 45) { // - (no structured data)
    j++;
  } else {
    return null;
  }
  if (j < line.length && line.charCodeAt(j) !== SPACE) return null;
  let message = line.slice(j + 1);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  if (procid !== '-') {
    const pid = pidValue(procid);
    if (typeof pid === 'number') meta.pid = pid;
    else meta.procid = pid;
  }
  if (msgid !== '-') meta.msgid = msgid;
  const d: Draft = {
    ok: true, format: 'rfc5424', message: message.trim(), timestamp, level: syslogSeverityLevel(pri), metadata: meta,
  };
  if (host !== '-') d.host = host;
  if (app !== '-') d.service = app;
  return d;
}
