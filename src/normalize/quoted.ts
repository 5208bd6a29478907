// Scanning of double-quoted values with backslash escapes, shared by the logfmt and RFC 5424 parsers.

const QUOTE = 34, BACKSLASH = 92;

/** Index of the `"` closing a value that starts at `i` (just after the opening quote), skipping `\x` pairs; -1 if none. */
export function closingQuote(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j;
  }
  return -1;
}

/** Index of the first of `stops` (char codes) at or after `i`, or s.length. */
export function tokenEnd(s: string, i: number, stops: readonly number[]): number {
  for (let j = i; j < s.length; j++) if (stops.includes(s.charCodeAt(j))) return j;
  return s.length;
}
