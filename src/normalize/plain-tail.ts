// The header between a plain line's timestamp and its message: pid, level, [thread], component, `-` separators.
import type { Level } from '../model/log-record.js';
import { headerLevel } from './level.js';
import { pidValue } from './syslog-pri.js';

const SPACE = 32, MINUS = 45, OPEN = 91, CLOSE = 93, COLON = 58;
const MAX_LEVEL_CHARS = 16;
const MAX_HEADER_ITEMS = 8;
/** A Java-style logger name with at least one dot, then `: ` or ` - ` (segments are dot-separated, so matching is linear). */
const COMPONENT = /([A-Za-z_$][\w$]{0,127}(?:\.[\w$]{1,127}){1,32})(?::(?= |$)| - )/y;

export interface HeaderTail { level: Level | null; end: number }

function skipSpaces(line: string, i: number): number {
  while (line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** The word starting at i (up to a space or the end). */
function wordAt(line: string, i: number): string {
  const end = line.indexOf(' ', i);
  return line.slice(i, end < 0 ? line.length : end);
}

/** Index of the `]` closing the `[` at i, counting nested brackets, or -1. */
function closingBracket(line: string, i: number): number {
  let depth = 0;
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return j;
  }
  return -1;
}

/** `[module:level]` or `[level]` -> the level (and module into meta), else null. */
function bracketLevel(inner: string, meta: Record<string, unknown>): Level | null {
  const colon = inner.lastIndexOf(':');
  const word = colon < 0 ? inner : inner.slice(colon + 1);
  if (word.length > MAX_LEVEL_CHARS) return null;
  const level = headerLevel(word) ?? headerLevel(word.toUpperCase());
  if (level !== null && colon > 0) meta.module = inner.slice(0, colon);
  return level;
}

/** A thread bracket; log4j's `thread:Class@line` form (Zookeeper) is split into thread, component and line. */
function putThread(inner: string, meta: Record<string, unknown>): void {
  if (inner.startsWith('pid ')) { // Apache 2.4: [pid 1234:tid 5678]
    const [pid = '', tid] = inner.slice(4).split(':tid ');
    meta.pid = pidValue(pid);
    if (tid !== undefined) meta.tid = pidValue(tid);
    return;
  }
  const at = inner.lastIndexOf('@');
  const colon = at < 0 ? -1 : inner.lastIndexOf(':', at);
  const line = inner.slice(at + 1);
  if (colon > 0 && line.length > 0 && line.length <= 9 && /^\d+$/.test(line)) {
    meta.thread = inner.slice(0, colon);
    meta.component = inner.slice(colon + 1, at);
    meta.line = Number(line);
    return;
  }
  meta.thread = inner;
}

/**
 * Reads header items from `i` into `meta` (pid, module, thread, component, line) and returns the level
 * found and where the message starts. Each item is taken at most once; the first thing that is not an
 * item starts the message. A component is only taken after a bare level word (`INFO a.b.C: msg`).
 */
export function parseHeaderTail(line: string, i: number, meta: Record<string, unknown>): HeaderTail {
  let level: Level | null = null;
  let bareLevel = false, thread = false;
  for (let step = 0; step < MAX_HEADER_ITEMS; step++) {
    i = skipSpaces(line, i);
    const c = line.charCodeAt(i);
    if (c === MINUS && line.charCodeAt(i + 1) === SPACE) { // ` - ` separator (Zookeeper, logback)
      i += 2;
      if (thread) break;
      continue;
    }
    if (c === OPEN) {
      const close = closingBracket(line, i);
      if (close < 0) break;
      const inner = line.slice(i + 1, close);
      const lv: Level | null = level === null ? bracketLevel(inner, meta) : null;
      if (lv !== null) level = lv;
      else if (thread || inner.startsWith('client ')) break;
      else { putThread(inner, meta); thread = true; }
      i = close + 1;
      continue;
    }
    let end = line.indexOf(' ', i);
    if (end < 0) end = line.length;
    if (level === null) {
      const word = line.charCodeAt(end - 1) === COLON ? line.slice(i, end - 1) : line.slice(i, end);
      const lv: Level | null = headerLevel(word);
      if (lv !== null) { level = lv; bareLevel = true; i = end; continue; }
      if (meta.pid === undefined && /^\d{1,10}$/.test(word) && headerLevel(wordAt(line, skipSpaces(line, end))) !== null) {
        meta.pid = Number(word); // pid before the level (HDFS, OpenStack)
        i = end;
        continue;
      }
      if (meta.component === undefined && line.startsWith(' - ', end) && headerLevel(wordAt(line, end + 3)) !== null) {
        meta.component = word; // logger before the level (Python's `%(name)s - %(levelname)s - `)
        i = end;
        continue;
      }
      break;
    }
    if (bareLevel && meta.component === undefined) {
      COMPONENT.lastIndex = i;
      const m = COMPONENT.exec(line);
      if (m !== null) {
        meta.component = m[1];
        i = COMPONENT.lastIndex;
      }
    }
    break;
  }
  return { level, end: i };
}
