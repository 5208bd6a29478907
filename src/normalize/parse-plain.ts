// Plain text: a leading timestamp header (HDFS, Spark, Hadoop, Zookeeper, BGL, Apache error ...) or, failing that, the whole line.
import type { Level } from '../model/log-record.js';
import { isIpAddress, type MapContext } from './field-map.js';
import { inferLevel, normalizeLevel } from './level.js';
import { parseHeaderTail } from './plain-tail.js';
import type { Draft } from './result.js';
import { epochToIso, isBoundary, scanTimestamp, wallToIso } from './timestamp.js';

/** BGL: `label epoch yyyy.MM.dd node yyyy-MM-dd-HH.mm.ss.ffffff node type component level message`. */
const BGL = /^(\S+) (\d{9,11}) (\d{4}\.\d\d\.\d\d) (\S+) (\d{4}-\d\d-\d\d-\d\d\.\d\d\.(\d\d)\.(\d{1,9})) (\S+) (\S+) (\S+) (\S+)(?: (.*))?$/;

/** A line with no recognizable header: all of it is the message, the level is inferred, the time is receivedAt. */
export function plainLine(line: string): Draft {
  return { ok: true, format: 'plain', message: line, timestamp: null, level: inferLevel(line) ?? 'INFO', metadata: null };
}

function draft(message: string, timestamp: string, level: Level, metadata: Record<string, unknown>): Draft {
  return { ok: true, format: 'plain', message, timestamp, level, metadata };
}

/**
 * BGL RAS lines. The epoch column is the exact instant (the date-time column is local time with no zone),
 * so it gives the seconds and the date-time column only adds its microseconds.
 */
function parseBgl(line: string, mc: MapContext): Draft | null {
  const m = BGL.exec(line);
  if (m === null) return null;
  const [, label = '-', epoch = '', , node = '', time = '', sec = '', frac = '', nodeRepeat = '', type = '', component = '', levelWord = '', message = ''] = m;
  const fromEpoch = Number(sec) === Number(epoch) % 60 ? epochToIso(epoch, frac) : null;
  const w = fromEpoch === null ? scanTimestamp(time, 0, false) : null;
  const timestamp = fromEpoch ?? (w === null ? null : wallToIso(w, mc.zone, mc.receivedAt));
  if (timestamp === null) return null;
  const meta: Record<string, unknown> = {};
  if (label !== '-') meta.label = label;
  if (nodeRepeat !== node) meta.node_repeat = nodeRepeat;
  if (type !== 'NULL') meta.type = type;
  meta.component = component;
  let level = normalizeLevel(levelWord);
  if (level === null) { meta.level_raw = levelWord; level = 'INFO'; }
  const d = draft(message.trim(), timestamp, level, meta);
  if (node !== 'NULL' && node !== 'UNKNOWN_LOCATION') d.host = node;
  else meta.node = node;
  return d;
}

/** `[client 1.2.3.4:5678]` at the start of a message (Apache error log): the address, or undefined. */
function clientAddress(message: string): string | undefined {
  if (!message.startsWith('[client ')) return undefined;
  const close = message.indexOf(']', 8);
  if (close < 0) return undefined;
  const addr = message.slice(8, close);
  const colon = addr.lastIndexOf(':');
  if (isIpAddress(addr)) return addr;
  if (colon > 0 && isIpAddress(addr.slice(0, colon))) return addr.slice(0, colon);
  return undefined;
}

/**
 * Parses a line that starts with a timestamp (optionally in brackets) followed by an optional header
 * (pid, level, [thread], component:) and the message. Null when the line has no such header.
 */
export function parsePlainHeader(line: string, mc: MapContext): Draft | null {
  const c = line.charCodeAt(0);
  const bracketed = c === 91; // [
  const w = scanTimestamp(line, bracketed ? 1 : 0, false);
  if (w === null) return (c === 45 || (c >= 65 && c <= 90)) ? parseBgl(line, mc) : null; // BGL labels: '-' or upper case
  let i = w.end;
  if (bracketed) {
    if (line.charCodeAt(i) !== 93) return null;
    i++;
  }
  if (!isBoundary(line, i)) return null;
  const timestamp = wallToIso(w, mc.zone, mc.receivedAt);
  if (timestamp === null) return null;
  const meta: Record<string, unknown> = {};
  const tail = parseHeaderTail(line, i, meta);
  const message = line.slice(tail.end).trim();
  const d = draft(message, timestamp, tail.level ?? inferLevel(message) ?? 'INFO', meta);
  const ip = clientAddress(message);
  if (ip !== undefined) d.ip_address = ip;
  return d;
}
