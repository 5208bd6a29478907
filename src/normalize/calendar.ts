// Proleptic Gregorian calendar arithmetic on whole days and seconds, exact and without JS Date.

/** Earliest accepted instant: 1970-01-01T00:00:00Z. */
export const MIN_EPOCH_SECONDS = 0;
/**
 * First rejected instant: 2262-04-11T23:47:16Z. The store keeps nanoseconds in a signed 64-bit integer, which ends
 * at 2262-04-11T23:47:16.854775807Z; anything later would be acknowledged and then fail to load.
 */
export const MAX_EPOCH_SECONDS_EXCLUSIVE = 9_223_372_036;

/** Days since 1970-01-01 of a civil date (month 1..12). Howard Hinnant's days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Seconds since the epoch of a wall-clock reading taken as if it were UTC. */
export function wallSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

function pad2(n: number): string {
  return PAD2[n] ?? String(n);
}

/**
 * Formats whole epoch seconds plus the given fractional digits as RFC 3339 UTC (`...Z`).
 * The fraction is emitted verbatim (no rounding); an empty fraction emits none.
 */
export function formatUtc(seconds: number, fraction: string): string {
  const days = Math.floor(seconds / 86400);
  const rem = seconds - days * 86400;
  // civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(rem / 3600);
  const mi = Math.floor((rem - hh * 3600) / 60);
  const ss = rem - hh * 3600 - mi * 60;
  const frac = fraction.length > 0 ? `.${fraction}` : '';
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hh)}:${pad2(mi)}:${pad2(ss)}${frac}Z`;
}
