// Time ranges (relative like 1h, or absolute), their resolution to instants, bucket widths and formatting.

export interface TimeRange { rel?: string; start?: string; end?: string }

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function durationMs(d: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(d.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export const PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d'];

export function rangeFromParams(p: URLSearchParams, def = '1h'): TimeRange {
  const start = p.get('start') ?? undefined, end = p.get('end') ?? undefined;
  if (start || end) return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
  return { rel: p.get('range') ?? def };
}

export function rangeParams(r: TimeRange): Record<string, string | undefined> {
  return r.rel ? { range: r.rel } : { start: r.start, end: r.end };
}

/** Epoch ms or RFC 3339 (the API accepts both) to a Date. */
export function toDate(v: string): Date {
  return /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
}

/** The range as instants now: relative ranges end now. */
export function resolveRange(r: TimeRange, now = Date.now()): { startMs: number; endMs: number } {
  if (r.rel) return { startMs: now - (durationMs(r.rel) ?? 3_600_000), endMs: now };
  const endMs = r.end ? toDate(r.end).getTime() : now;
  const startMs = r.start ? toDate(r.start).getTime() : endMs - 3_600_000;
  return { startMs, endMs };
}

const BUCKETS: [string, number][] = [['1s', 1e3], ['5s', 5e3], ['10s', 1e4], ['30s', 3e4], ['1m', 6e4], ['5m', 3e5], ['10m', 6e5], ['30m', 18e5], ['1h', 36e5], ['3h', 108e5], ['6h', 216e5], ['12h', 432e5], ['1d', 864e5]];

/** A bucket width giving about `target` buckets over the span. */
export function bucketFor(spanMs: number, target = 60): { label: string; ms: number } {
  for (const [label, ms] of BUCKETS) if (spanMs / ms <= target) return { label, ms };
  return { label: '1d', ms: 864e5 };
}

export function iso(ms: number): string { return new Date(ms).toISOString(); }

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 2026-01-05 11:00:00.123 in local time: what operators compare with their clocks. */
export function fmtTime(v: unknown, withMs = true): string {
  if (typeof v !== 'string' && typeof v !== 'number') return '';
  const d = typeof v === 'number' ? new Date(v) : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** A value for <input type="datetime-local"> in local time. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function describeRange(r: TimeRange): string {
  if (r.rel) return `last ${r.rel}`;
  const { startMs, endMs } = resolveRange(r);
  return `${fmtTime(startMs, false)} → ${fmtTime(endMs, false)}`;
}

export function ago(v: string | null | undefined, now = Date.now()): string {
  if (!v) return '—';
  const s = Math.round((now - new Date(v).getTime()) / 1000);
  if (Number.isNaN(s)) return String(v);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function fmtNum(n: unknown): string {
  const v = Number(n);
  if (!Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  // Shares and rates below 1 keep two significant digits: a baseline error share of 0.0004 is not 0.
  if (v !== 0 && Math.abs(v) < 1) return String(Number(v.toPrecision(2)));
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
