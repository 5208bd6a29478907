// Turns timestamp values (text, epoch numbers, digit strings, Dates) into RFC 3339 UTC strings with their given precision.
import { MAX_EPOCH_SECONDS_EXCLUSIVE, MIN_EPOCH_SECONDS, daysInMonth, formatUtc, wallSeconds } from './calendar.js';
import { scanTimestamp, type WallTime } from './timestamp-scan.js';
import { localToUtcSeconds, resolveZone, type Zone } from './timezone.js';

export { isBoundary, scanTimestamp, type WallTime } from './timestamp-scan.js';

const EPOCH_DIGITS = /^(\d{1,20})(?:\.(\d{1,30}))?$/;
const MAX_FRACTION_DIGITS = 9;
const ONE_DAY_SECONDS = 86400;

/**
 * Formats whole epoch seconds plus fractional-second digits (0..9, emitted verbatim) as RFC 3339 UTC.
 * Returns null outside the accepted years 1970-01-01..2262-04-11T23:47:15Z.
 */
export function formatTimestamp(epochSeconds: number, fractionDigits = ''): string | null {
  if (!Number.isInteger(epochSeconds) || epochSeconds < MIN_EPOCH_SECONDS || epochSeconds >= MAX_EPOCH_SECONDS_EXCLUSIVE) return null;
  return formatUtc(epochSeconds, fractionDigits.length > MAX_FRACTION_DIGITS ? fractionDigits.slice(0, MAX_FRACTION_DIGITS) : fractionDigits);
}

/**
 * Epoch digits to RFC 3339. The unit is chosen by the magnitude of the integer part:
 * below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, below 1e20 nanoseconds.
 * The fraction keeps the unit's digits (ms -> 3, us -> 6, ns -> 9) plus any decimals given, up to 9.
 */
export function epochToIso(intDigits: string, decimals: string): string | null {
  const v = Number(intDigits);
  const unitDigits = v < 1e11 ? 0 : v < 1e14 ? 3 : v < 1e17 ? 6 : v < 1e20 ? 9 : -1;
  if (unitDigits < 0) return null;
  const seconds = unitDigits === 0 ? v : Number(intDigits.slice(0, intDigits.length - unitDigits));
  const fraction = unitDigits === 0 ? decimals : intDigits.slice(intDigits.length - unitDigits) + decimals;
  return formatTimestamp(seconds, fraction);
}

function epochNumberToIso(n: number): string | null {
  if (!Number.isFinite(n) || n < 0) return null;
  const m = EPOCH_DIGITS.exec(String(n)); // exponent notation (>= 1e21 or < 1e-6) does not match: out of range
  return m ? epochToIso(m[1] ?? '', m[2] ?? '') : null;
}

/**
 * A scanned wall time to RFC 3339 UTC, or null when a field is out of range or the year is outside 1970-01-01..2262-04-11T23:47:15Z.
 * Without a written zone the reading is taken in `zone`. Without a year, the year of `receivedAt`
 * is used, or the one before when that would put the instant more than a day after `receivedAt`
 * (and a January date goes to the next year when that is still within a day of `receivedAt`).
 */
export function wallToIso(w: WallTime, zone: Zone, receivedAt: Date): string | null {
  const utc = wallToUtcSeconds(w, zone, receivedAt);
  return Number.isNaN(utc) ? null : formatUtc(utc, w.fraction);
}

/** wallToIso's instant as whole UTC seconds (the fraction stays in w.fraction), NaN when invalid. */
function wallToUtcSeconds(w: WallTime, zone: Zone, receivedAt: Date): number {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return NaN;
  let utc: number;
  if (w.year === 0) {
    const limit = Math.floor(receivedAt.getTime() / 1000) + ONE_DAY_SECONDS;
    const year = receivedAt.getUTCFullYear();
    const next = w.month === 1 ? toUtc(w, year + 1, zone) : NaN; // New Year: sender clock a little ahead
    utc = next <= limit ? next : toUtc(w, year, zone);
    if (Number.isNaN(utc) || utc > limit) utc = toUtc(w, year - 1, zone);
  } else {
    utc = toUtc(w, w.year, zone);
  }
  return utc >= MIN_EPOCH_SECONDS && utc < MAX_EPOCH_SECONDS_EXCLUSIVE ? utc : NaN;
}

function toUtc(w: WallTime, year: number, zone: Zone): number {
  if (w.day > daysInMonth(year, w.month)) return NaN;
  const local = wallSeconds(year, w.month, w.day, w.hour, w.minute, w.second);
  return w.offsetMinutes === null ? localToUtcSeconds(zone, local) : local - w.offsetMinutes * 60;
}

/** True when `s` is already exactly what formatUtc would write (`yyyy-MM-ddTHH:mm:ss[.f]Z`), so it can be reused. */
function isCanonical(s: string, w: WallTime): boolean {
  return w.offsetMinutes === 0 && s.charCodeAt(s.length - 1) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(4) === 45
    && s.length === (w.fraction.length === 0 ? 20 : 21 + w.fraction.length) && s.charCodeAt(19) !== 44;
}

let lastZoneName = 'UTC';
let lastZone: Zone = resolveZone('UTC');

/** resolveZone with a one-entry cache for the hot path (one configured zone). */
export function zoneFor(name: string): Zone {
  if (name !== lastZoneName) {
    lastZone = resolveZone(name);
    lastZoneName = name;
  }
  return lastZone;
}

/**
 * Any timestamp value to RFC 3339 UTC, or null when it cannot be read: ISO 8601 / RFC 3339 (T or space,
 * comma or dot fraction, optional zone), epoch numbers and digit strings, Dates, and the textual forms of
 * scanTimestamp (syslog, Apache, ctime, HDFS, Spark, BGL, Android).
 */
export function timestampToIso(value: unknown, zone: Zone, receivedAt: Date): string | null {
  if (typeof value === 'string') {
    const s = value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32) ? value.trim() : value;
    if (s.length === 0) return null;
    const c = s.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const m = EPOCH_DIGITS.exec(s);
      if (m) return epochToIso(m[1] ?? '', m[2] ?? '');
    }
    const w = scanTimestamp(s, 0, true);
    if (w === null || w.end !== s.length) return null;
    const utc = wallToUtcSeconds(w, zone, receivedAt);
    if (Number.isNaN(utc)) return null;
    return isCanonical(s, w) ? s : formatUtc(utc, w.fraction);
  }
  if (typeof value === 'number') return epochNumberToIso(value);
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return null;
    const seconds = Math.floor(ms / 1000);
    return formatTimestamp(seconds, String(ms - seconds * 1000).padStart(3, '0'));
  }
  return null;
}

/**
 * Public helper: parses a timestamp value as normalize does. `tz` is the zone for readings without one
 * ('UTC', '+02:00', 'Europe/Berlin'; an unknown zone throws ConfigError); `receivedAt` dates year-less forms.
 */
export function parseTimestamp(value: unknown, tz = 'UTC', receivedAt: Date = new Date()): { iso: string } | null {
  const iso = timestampToIso(value, zoneFor(tz), receivedAt);
  return iso === null ? null : { iso };
}
