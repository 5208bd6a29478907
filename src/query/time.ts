// RFC 3339 timestamps and dates in queries, as nanoseconds since the Unix epoch, and back to text for SQL.

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;
const NS_PER_MS = 1_000_000n;
const NS_PER_MINUTE = 60_000_000_000n;

export interface ParsedTime {
  epochNs: bigint;
  /** True for a bare date (`2024-01-02`), which filters treat as the whole UTC day. */
  dateOnly: boolean;
}

/**
 * Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]` (UTC when the zone is left out).
 * Returns undefined when the text is not such a time or names a day or hour that does not exist.
 */
export function parseTime(text: string): ParsedTime | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second);
  // Dates roll 2024-02-30 over to March; a round trip catches days that do not exist.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const ms = check.getTime();
  const offsetMinutes = parseOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const subSecondNs = BigInt(fraction.padEnd(9, '0'));
  const epochNs = BigInt(ms) * NS_PER_MS + subSecondNs - BigInt(offsetMinutes) * NS_PER_MINUTE;
  return { epochNs, dateOnly: m[4] === undefined };
}

function parseOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const hours = Number(zone.slice(1, 3)), minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** Formats epoch nanoseconds as `YYYY-MM-DDTHH:MM:SS.fffffffffZ`; undefined outside years 0000-9999. */
export function formatEpochNs(epochNs: bigint): string | undefined {
  const seconds = floorDiv(epochNs, 1_000_000_000n);
  if (seconds < -62_167_219_200n || seconds > 253_402_300_799n) return undefined;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  const ns = (epochNs - seconds * 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${ns}Z`;
}

/** Division rounding toward -infinity, so instants before 1970 land in the right second. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}

export function dateToEpochNs(date: Date): bigint {
  return BigInt(date.getTime()) * NS_PER_MS;
}
