// Time zones for timestamps that carry none: UTC, fixed offsets (+02:00) and IANA names via Intl.
import { ConfigError } from '../errors.js';
import { daysFromCivil } from './calendar.js';

/** A resolved zone; resolve names once with resolveZone, it caches. */
export type Zone =
  | { readonly kind: 'fixed'; readonly name: string; readonly offsetMinutes: number }
  | { readonly kind: 'iana'; readonly name: string; readonly format: Intl.DateTimeFormat; readonly offsets: Map<number, number> };

const FIXED = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/;
const UTC_NAMES = new Set(['UTC', 'Z', 'GMT', 'Etc/UTC', 'Etc/GMT', 'utc', 'z']);
const zones = new Map<string, Zone>();
// Offsets are cached per 15-minute bucket of UTC time: zone transitions fall on quarter hours.
const BUCKET_SECONDS = 900;
const MAX_CACHED_BUCKETS = 4096;

/** Resolves 'UTC', a fixed offset like '+02:00' / '-0530', or an IANA name like 'Europe/Berlin'. Throws ConfigError otherwise. */
export function resolveZone(name: string): Zone {
  const cached = zones.get(name);
  if (cached) return cached;
  const zone = buildZone(name);
  if (zones.size < 256) zones.set(name, zone);
  return zone;
}

function buildZone(name: string): Zone {
  if (UTC_NAMES.has(name)) return { kind: 'fixed', name, offsetMinutes: 0 };
  const m = FIXED.exec(name);
  if (m) {
    const hours = Number(m[2]);
    const minutes = Number(m[3]);
    if (hours > 18 || minutes > 59) throw zoneError(name, 'the offset is out of range (at most +-18:00)');
    return { kind: 'fixed', name, offsetMinutes: (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch (err) {
    throw zoneError(name, 'it is neither UTC, a fixed offset like +02:00, nor an IANA zone name', err);
  }
  if (format.resolvedOptions().timeZone === 'UTC') return { kind: 'fixed', name, offsetMinutes: 0 };
  return { kind: 'iana', name, format, offsets: new Map() };
}

function zoneError(name: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError('normalize.defaultTimezone', `cannot use time zone "${name}": ${why}`, { cause });
}

/** The zone's UTC offset in minutes at a UTC instant. */
export function offsetAtUtc(zone: Zone, utcSeconds: number): number {
  if (zone.kind === 'fixed') return zone.offsetMinutes;
  const bucket = Math.floor(utcSeconds / BUCKET_SECONDS);
  const hit = zone.offsets.get(bucket);
  if (hit !== undefined) return hit;
  const start = bucket * BUCKET_SECONDS;
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const p of zone.format.formatToParts(start * 1000)) {
    switch (p.type) {
      case 'year': year = Number(p.value); break;
      case 'month': month = Number(p.value); break;
      case 'day': day = Number(p.value); break;
      case 'hour': hour = Number(p.value) % 24; break;
      case 'minute': minute = Number(p.value); break;
      case 'second': second = Number(p.value); break;
      default: break;
    }
  }
  const local = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const offset = Math.round((local - start) / 60);
  if (zone.offsets.size >= MAX_CACHED_BUCKETS) zone.offsets.clear();
  zone.offsets.set(bucket, offset);
  return offset;
}

/**
 * Converts a wall-clock reading in `zone` (given as seconds as if it were UTC) to UTC seconds.
 * In a DST gap the larger offset applies; a reading in an overlap is ambiguous and resolves to one of its two instants.
 */
export function localToUtcSeconds(zone: Zone, local: number): number {
  if (zone.kind === 'fixed') return local - zone.offsetMinutes * 60;
  const o1 = offsetAtUtc(zone, local);
  const o2 = offsetAtUtc(zone, local - o1 * 60);
  if (o1 === o2) return local - o1 * 60;
  const o3 = offsetAtUtc(zone, local - o2 * 60);
  if (o2 === o3) return local - o2 * 60;
  return local - Math.max(o2, o3) * 60;
}
