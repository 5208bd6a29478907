// logfmt / key=value lines: every token must be key=value (values bare or double-quoted with escapes), at least two.
import { mapFields, type MapContext } from './field-map.js';
import { closingQuote } from './quoted.js';
import { reject, setOwn, type Parsed } from './result.js';

const SPACE = 32, TAB = 9, EQ = 61, QUOTE = 34;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
const ESCAPE = /\\(u[0-9a-fA-F]{4}|[^])/g;

function unescape(raw: string): string {
  return raw.replace(ESCAPE, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e] ?? e));
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * Splits a logfmt line into its pairs (duplicate keys: the last wins; `__proto__` is kept as data).
 * Returns null when the line is not logfmt: a token without `=`, an unterminated quote, fewer than 2 pairs.
 * Returns a number (the count so far) as soon as there are more than `maxPairs` pairs.
 */
export function splitLogfmt(line: string, maxPairs: number): Record<string, string> | number | null {
  const out: Record<string, string> = {};
  const n = line.length;
  let count = 0;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === EQ || c === QUOTE || isSpace(c)) break;
      i++;
    }
    if (i === keyStart || line.charCodeAt(i) !== EQ) return null;
    const key = line.slice(keyStart, i);
    i++;
    let value: string;
    if (line.charCodeAt(i) === QUOTE) {
      const close = closingQuote(line, i + 1);
      if (close < 0) return null;
      const raw = line.slice(i + 1, close);
      value = raw.includes('\\') ? unescape(raw) : raw;
      i = close + 1;
      if (i < n && !isSpace(line.charCodeAt(i))) return null;
    } else {
      const start = i;
      while (i < n && !isSpace(line.charCodeAt(i))) i++;
      value = line.slice(start, i);
    }
    if (++count > maxPairs) return count;
    setOwn(out, key, value);
  }
  return count >= 2 ? out : null;
}

/** Parses a logfmt line, or returns null when it is not one. Without a message key the whole line is the message. */
export function parseLogfmt(line: string, mc: MapContext, maxFields: number): Parsed | null {
  const pairs = splitLogfmt(line, maxFields);
  if (pairs === null) return null;
  if (typeof pairs === 'number') {
    return reject('too_many_fields', `the logfmt line has more than normalize.maxFields (${maxFields}) pairs; drop fields or raise the limit`);
  }
  return mapFields(pairs, mc, 'logfmt', line);
}
