// Sparklines: counts in N equal time buckets over a span, as SQL shared by the patterns pipe and the patterns API.

/** Buckets a sparkline has unless asked otherwise (`| patterns buckets N`, `?buckets=N`). */
export const DEFAULT_SPARKLINE_BUCKETS = 20;
/** The most buckets a sparkline may have: enough for a wide chart, small enough to return per template. */
export const MAX_SPARKLINE_BUCKETS = 200;

const ns = (expr: string) => `CAST(epoch_ns(${expr}) AS DOUBLE)`;

/**
 * The bucket (0 to n-1) a time falls in, for n equal buckets from `lo` to `hi`. Times at `hi` (an inclusive end)
 * land in the last bucket, earlier ones than `lo` in the first; a span of zero puts everything in the first.
 * `n` must be a SQL BIGINT expression; DOUBLE arithmetic keeps spans of centuries times 200 buckets from overflowing.
 */
export function bucketIndexSql(ts: string, lo: string, hi: string, n: string): string {
  const fraction = `(${ns(ts)} - ${ns(lo)}) / greatest(${ns(hi)} - ${ns(lo)}, 1)`;
  return `least(${n} - 1, greatest(0, CAST(floor(${fraction} * ${n}) AS BIGINT)))`;
}

/** A list of n counts from a `histogram(bucket)` map (NULL when the group had no rows there): missing buckets are 0. */
export function sparklineSql(histogram: string, n: string): string {
  return `list_transform(range(${n}), lambda i: coalesce(${histogram}[i], 0))`;
}
