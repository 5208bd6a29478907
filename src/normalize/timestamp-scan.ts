// Recognizes the textual timestamp forms (ISO 8601, syslog, Apache, ctime, HDFS, Spark, BGL, Android) by hand, no regex.

/** A wall-clock reading as written, before zone resolution and range checks. */
export interface WallTime {
  /** 0 when the form has no year (syslog, Android): it is inferred from the receive time. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fractional-second digits as given, at most 9 (extra digits are cut, never rounded). */
  fraction: string;
  /** The zone written in the input, or null when it names none. */
  offsetMinutes: number | null;
  /** Index just past the timestamp in the scanned string. */
  end: number;
}

const MAX_FRACTION_DIGITS = 9;
const SPACE = 32, PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46, SLASH = 47, COLON = 58;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function num2(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function num4(s: string, i: number): number {
  const a = num2(s, i);
  const b = num2(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/** True when index `i` ends a token: end of string or a character that is not a letter or digit. */
export function isBoundary(s: string, i: number): boolean {
  if (i >= s.length) return true;
  const c = s.charCodeAt(i);
  return !(isLetter(c) || (c >= 48 && c <= 57));
}

const MONTHS = new Map<number, number>();
const WEEKDAYS = new Set<number>();
function code3(a: string): number {
  return ((a.charCodeAt(0) | 32) << 16) | ((a.charCodeAt(1) | 32) << 8) | (a.charCodeAt(2) | 32);
}
['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].forEach((m, i) => MONTHS.set(code3(m), i + 1));
['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].forEach((d) => WEEKDAYS.add(code3(d)));

/** The month (1..12) named by the three letters at i, case-insensitive, or 0. */
function monthAt(s: string, i: number): number {
  if (i + 3 > s.length) return 0;
  return MONTHS.get(((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32)) ?? 0;
}

function weekdayAt(s: string, i: number): boolean {
  if (i + 3 > s.length) return false;
  return WEEKDAYS.has(((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32));
}

function wall(year: number, month: number, day: number, end: number): WallTime {
  return { year, month, day, hour: 0, minute: 0, second: 0, fraction: '', offsetMinutes: null, end };
}

/** Reads `HH<sep>MM<sep>SS` at i into w; returns false when absent. */
function readHms(s: string, i: number, sep: number, w: WallTime): boolean {
  const h = num2(s, i);
  const m = num2(s, i + 3);
  const sec = num2(s, i + 6);
  if (h < 0 || m < 0 || sec < 0 || s.charCodeAt(i + 2) !== sep || s.charCodeAt(i + 5) !== sep) return false;
  w.hour = h; w.minute = m; w.second = sec; w.end = i + 8;
  return true;
}

/** Reads an optional `.ddd` / `,ddd` fraction at w.end. */
function readFraction(s: string, w: WallTime, allowComma: boolean): void {
  const c = s.charCodeAt(w.end);
  if (!(c === DOT || (allowComma && c === COMMA)) || digit(s, w.end + 1) < 0) return;
  let j = w.end + 1;
  while (digit(s, j) >= 0) j++;
  w.fraction = s.slice(w.end + 1, Math.min(j, w.end + 1 + MAX_FRACTION_DIGITS));
  w.end = j;
}

/** Reads `+HH:MM`, `+HHMM` or (when `allowHourOnly`) `+HH` at i; returns the index after it or -1. */
function readOffset(s: string, i: number, w: WallTime, allowHourOnly: boolean): number {
  const sign = s.charCodeAt(i);
  if (sign !== PLUS && sign !== MINUS) return -1;
  const h = num2(s, i + 1);
  if (h < 0 || h > 18) return -1;
  let j = i + 3;
  let m = 0;
  if (s.charCodeAt(j) === COLON && num2(s, j + 1) >= 0) { m = num2(s, j + 1); j += 3; }
  else if (num2(s, j) >= 0) { m = num2(s, j); j += 2; }
  else if (!allowHourOnly) return -1;
  if (m > 59 || digit(s, j) >= 0) return -1;
  w.offsetMinutes = (sign === MINUS ? -1 : 1) * (h * 60 + m);
  return j;
}

/** Reads an optional zone after the time: `Z`, `+02:00`, `+0200`, `+02`, or ` +0200` / ` UTC` after a space. */
function readZone(s: string, w: WallTime): void {
  const i = w.end;
  const c = s.charCodeAt(i);
  if (c === 90 || c === 122) { w.offsetMinutes = 0; w.end = i + 1; return; } // Z z
  const j = readOffset(s, i, w, true);
  if (j > 0) { w.end = j; return; }
  if (c !== SPACE) return;
  const k = readOffset(s, i + 1, w, false);
  if (k > 0) {
    if (isBoundary(s, k)) w.end = k;
    else w.offsetMinutes = null;
    return;
  }
  if ((s.startsWith('UTC', i + 1) || s.startsWith('GMT', i + 1)) && isBoundary(s, i + 4)) { w.offsetMinutes = 0; w.end = i + 4; }
}

/** `yyyy-MM-dd[T ]HH:mm[:ss][.f][zone]`, `yyyy/MM/dd HH:mm:ss`, BGL `yyyy-MM-dd-HH.mm.ss.ffffff`, and (if allowed) a bare date. */
function scanIso(s: string, i: number, allowDateOnly: boolean): WallTime | null {
  const year = num4(s, i);
  const sep = s.charCodeAt(i + 4);
  if (year < 0 || (sep !== MINUS && sep !== SLASH) || s.charCodeAt(i + 7) !== sep) return null;
  const month = num2(s, i + 5);
  const day = num2(s, i + 8);
  if (month < 0 || day < 0) return null;
  const j = i + 10;
  const w = wall(year, month, day, j);
  const c = s.charCodeAt(j);
  if (c === 84 || c === 116 || c === SPACE) { // T t ' '
    const h = num2(s, j + 1);
    const m = num2(s, j + 4);
    if (h < 0 || m < 0 || s.charCodeAt(j + 3) !== COLON) return allowDateOnly && j === s.length ? w : null;
    w.hour = h; w.minute = m; w.end = j + 6;
    if (s.charCodeAt(w.end) === COLON && num2(s, w.end + 1) >= 0) { w.second = num2(s, w.end + 1); w.end += 3; }
    readFraction(s, w, true);
    readZone(s, w);
    return w;
  }
  if (c === MINUS && sep === MINUS && readHms(s, j + 1, DOT, w)) {
    readFraction(s, w, false);
    return w;
  }
  return allowDateOnly && j === s.length ? w : null;
}

/** Syslog `Mmm dd HH:mm:ss[.f]` (day may be space-padded); no year. */
function scanSyslog(s: string, i: number): WallTime | null {
  const month = monthAt(s, i);
  if (month === 0 || s.charCodeAt(i + 3) !== SPACE) return null;
  let j = i + 4;
  if (s.charCodeAt(j) === SPACE) j++;
  let day = digit(s, j);
  if (day < 0) return null;
  j++;
  if (digit(s, j) >= 0) { day = day * 10 + digit(s, j); j++; }
  const w = wall(0, month, day, j);
  if (s.charCodeAt(j) !== SPACE || !readHms(s, j + 1, COLON, w)) return null;
  readFraction(s, w, false);
  return w;
}

/** Apache access log `dd/Mmm/yyyy:HH:mm:ss[ +hhmm]`. */
function scanApache(s: string, i: number): WallTime | null {
  const day = num2(s, i);
  const month = monthAt(s, i + 3);
  const year = num4(s, i + 7);
  if (day < 0 || month === 0 || year < 0 || s.charCodeAt(i + 6) !== SLASH || s.charCodeAt(i + 11) !== COLON) return null;
  const w = wall(year, month, day, i + 12);
  if (!readHms(s, i + 12, COLON, w)) return null;
  readFraction(s, w, false);
  if (s.charCodeAt(w.end) === SPACE) {
    const k = readOffset(s, w.end + 1, w, false);
    if (k > 0) w.end = k;
  }
  return w;
}

/** ctime / Apache error log `Www Mmm dd HH:mm:ss[.f] yyyy`. */
function scanCtime(s: string, i: number): WallTime | null {
  if (!weekdayAt(s, i) || s.charCodeAt(i + 3) !== SPACE) return null;
  const w = scanSyslog(s, i + 4);
  if (!w || s.charCodeAt(w.end) !== SPACE) return null;
  const year = num4(s, w.end + 1);
  if (year < 0) return null;
  w.year = year;
  w.end += 5;
  return w;
}

function twoDigitYear(yy: number): number {
  return yy < 70 ? 2000 + yy : 1900 + yy;
}

/** HDFS `yyMMdd HHmmss`. */
function scanCompact(s: string, i: number): WallTime | null {
  const yy = num2(s, i), month = num2(s, i + 2), day = num2(s, i + 4);
  const h = num2(s, i + 7), m = num2(s, i + 9), sec = num2(s, i + 11);
  if (yy < 0 || month < 0 || day < 0 || h < 0 || m < 0 || sec < 0 || s.charCodeAt(i + 6) !== SPACE) return null;
  const w = wall(twoDigitYear(yy), month, day, i + 13);
  w.hour = h; w.minute = m; w.second = sec;
  return w;
}

/** Spark `yy/MM/dd HH:mm:ss`. */
function scanSpark(s: string, i: number): WallTime | null {
  const yy = num2(s, i), month = num2(s, i + 3), day = num2(s, i + 6);
  if (yy < 0 || month < 0 || day < 0 || s.charCodeAt(i + 5) !== SLASH || s.charCodeAt(i + 8) !== SPACE) return null;
  const w = wall(twoDigitYear(yy), month, day, i + 9);
  if (!readHms(s, i + 9, COLON, w)) return null;
  readFraction(s, w, true);
  return w;
}

/** Android logcat `MM-dd HH:mm:ss.SSS`; no year. */
function scanAndroid(s: string, i: number): WallTime | null {
  const month = num2(s, i), day = num2(s, i + 3);
  if (month < 0 || day < 0 || s.charCodeAt(i + 5) !== SPACE) return null;
  const w = wall(0, month, day, i + 6);
  if (!readHms(s, i + 6, COLON, w) || s.charCodeAt(w.end) !== DOT) return null;
  readFraction(s, w, false);
  return w.fraction.length > 0 ? w : null;
}

/**
 * Scans a textual timestamp starting at index i. The caller decides what may follow it
 * (end of string for a field value, isBoundary for a line header). Ranges are not checked here.
 */
export function scanTimestamp(s: string, i: number, allowDateOnly: boolean): WallTime | null {
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    const c4 = s.charCodeAt(i + 4);
    if (c4 === MINUS || c4 === SLASH) return scanIso(s, i, allowDateOnly);
    const c2 = s.charCodeAt(i + 2);
    if (c2 === SLASH) return isLetter(s.charCodeAt(i + 3)) ? scanApache(s, i) : scanSpark(s, i);
    if (c2 === MINUS) return scanAndroid(s, i);
    if (s.charCodeAt(i + 6) === SPACE) return scanCompact(s, i);
    return null;
  }
  if (!isLetter(c)) return null;
  return monthAt(s, i) !== 0 ? scanSyslog(s, i) : scanCtime(s, i);
}
