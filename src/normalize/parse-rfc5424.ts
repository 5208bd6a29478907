// RFC 5424 syslog: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...] MSG`; structured data -> metadata.sd.
import { syslogSeverityLevel } from './level.js';
import type { MapContext } from './field-map.js';
import { quote, reject, setOwn, type Draft, type Parsed } from './result.js';
import { facilityName, pidValue } from './syslog-pri.js';
import { timestampToIso } from './timestamp.js';

const SPACE = 32, QUOTE = 34, EQ = 61, BACKSLASH = 92, OPEN = 91, CLOSE = 93;
const SD_ESCAPE = /\\(["\\\]])/g;

/** Structured data parsed at `i`: `{ sdId: { param: value | value[] } }` and the index after it, or null if malformed. */
interface Sd { sd: Record<string, Record<string, unknown>>; end: number; fields: number }

function parseSd(line: string, i: number, maxFields: number): Sd | null {
  const sd: Record<string, Record<string, unknown>> = {};
  let fields = 0;
  const n = line.length;
  while (line.charCodeAt(i) === OPEN) {
    const idStart = ++i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === SPACE || c === CLOSE || c === EQ || c === QUOTE) break;
      i++;
    }
    if (i === idStart) return null;
    const params: Record<string, unknown> = {};
    setOwn(sd, line.slice(idStart, i), params);
    if (++fields > maxFields) return { sd, end: i, fields };
    while (line.charCodeAt(i) === SPACE) {
      const nameStart = ++i;
      while (i < n) {
        const c = line.charCodeAt(i);
        if (c === SPACE || c === CLOSE || c === EQ || c === QUOTE) break;
        i++;
      }
      if (i === nameStart || line.charCodeAt(i) !== EQ || line.charCodeAt(i + 1) !== QUOTE) return null;
      const name = line.slice(nameStart, i);
      let j = i + 2;
      let escaped = false;
      for (; j < n; j++) {
        const c = line.charCodeAt(j);
        if (c === BACKSLASH) { escaped = true; j++; } else if (c === QUOTE) break;
      }
      if (j >= n) return null;
      const raw = line.slice(i + 2, j);
      const value = escaped ? raw.replace(SD_ESCAPE, '$1') : raw;
      const prev = Object.hasOwn(params, name) ? params[name] : undefined;
      setOwn(params, name, prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]);
      if (++fields > maxFields) return { sd, end: j + 1, fields };
      i = j + 1;
    }
    if (line.charCodeAt(i) !== CLOSE) return null;
    i++;
  }
  return { sd, end: i, fields };
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
  const meta: Record<string, unknown> = { facility: facilityName(pri) };
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
