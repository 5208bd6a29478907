// Format detection: tries the parsers from the most to the least specific shape; plain text takes the rest.
import type { MapContext } from './field-map.js';
import { parseAccessLog } from './parse-access-log.js';
import { parseJsonLine, type ShapeLimits } from './parse-json.js';
import { parseLogfmt } from './parse-logfmt.js';
import { parsePlainHeader, plainLine } from './parse-plain.js';
import { parseRfc3164, parseSyslogWithPri } from './parse-syslog.js';
import type { Parsed } from './result.js';

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/**
 * Parses one trimmed, non-empty line in the first format that fits, in this order: JSON (`{`),
 * syslog with `<PRI>` (RFC 5424, then 3164), BSD syslog without PRI (`Mmm dd hh:mm:ss host app: ...`),
 * access log, plain text with a timestamp header, logfmt, and finally plain text without a header.
 */
export function detectAndParse(line: string, mc: MapContext, limits: ShapeLimits): Parsed {
  const c = line.charCodeAt(0);
  if (c === 123) return parseJsonLine(line, mc, limits); // {
  if (c === 60) { // <
    const r = parseSyslogWithPri(line, mc, limits.maxFields);
    if (r !== null) return r;
  } else if (isLetter(c) || (c >= 48 && c <= 57)) {
    const r = parseRfc3164(line, 0, -1, mc);
    if (r !== null) return r;
  }
  return parseAccessLog(line, mc)
    ?? parsePlainHeader(line, mc)
    ?? parseLogfmt(line, mc, limits.maxFields)
    ?? plainLine(line);
}
