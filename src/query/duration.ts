// Durations such as `15m`, `1h30m` or `500ms`, as nanoseconds.

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

const DURATION = /^(?:\d+(?:ns|us|ms|s|m|h|d|w))+$/;
const PART = /(\d+)(ns|us|ms|s|m|h|d|w)/g;

/** Parses a duration (one or more `<integer><unit>` parts; units ns, us, ms, s, m, h, d, w); undefined if malformed. */
export function parseDuration(text: string): bigint | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0n;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += BigInt(amount ?? '0') * (UNIT_NS[unit ?? ''] ?? 0n);
  }
  return total;
}
