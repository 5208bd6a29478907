// Small robust statistics for detectors: median, MAD, a bounded ring of recent values, and the normal tail.

/** The median of a non-empty list (the list is copied, not sorted in place). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median absolute deviation around `med`. */
export function mad(xs: readonly number[], med = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - med)));
}

/** A fixed-size ring of the most recent values (the oldest drops out). */
export class Ring {
  private readonly buf: number[] = [];
  private at = 0;
  constructor(readonly size: number, init: readonly number[] = []) { for (const x of init.slice(-size)) this.push(x); }
  push(x: number): void {
    if (this.buf.length < this.size) this.buf.push(x);
    else { this.buf[this.at] = x; this.at = (this.at + 1) % this.size; }
  }
  get length(): number { return this.buf.length; }
  /** Values, oldest first. */
  values(): number[] { return this.buf.length < this.size ? [...this.buf] : [...this.buf.slice(this.at), ...this.buf.slice(0, this.at)]; }
}

/** P(Z >= z) for a standard normal Z (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** A confidence in [0, 1) from a z-score: 1 minus the two-sided normal tail. */
export const confidenceOf = (z: number): number => Math.min(0.999, Math.max(0, 1 - 2 * normalTail(Math.abs(z))));

/**
 * The value for `key` in a map kept in least-recently-used order: moved to the end on use; created with `init` when
 * missing, dropping the least recently used entry first when the map holds `max`.
 */
export function lruGet<K, V>(map: Map<K, V>, key: K, max: number, init: () => V): V {
  let v = map.get(key);
  if (v !== undefined) map.delete(key);
  else {
    if (map.size >= max) { const oldest = map.keys().next(); if (oldest.done !== true) map.delete(oldest.value); }
    v = init();
  }
  map.set(key, v);
  return v;
}

/** A small deterministic PRNG (mulberry32): evaluations and generators are reproducible from their seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
