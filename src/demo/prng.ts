// Seeded pseudo-random numbers for the demo generator: mulberry32 plus the draws the generator needs.
import { bug } from '../errors.js';

/** Mixes a seed and a salt into a well-spread 32-bit state (a murmur3 finalizer), so nearby seeds diverge. */
export function mix32(seed: number, salt = 0): number {
  let h = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// Trace ids are drawn for most lines; a byte table beats toString(16).padStart by a wide margin.
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A deterministic random stream: the same seed must always yield the same sequence, on every platform.
 * It is forbidden to call Math.random anywhere in the demo generator; derive a stream with `fork` instead.
 */
export class Rng {
  private readonly seed: number;
  private state: number;

  constructor(seed: number, salt = 0) {
    this.seed = mix32(seed, salt);
    this.state = this.seed;
  }

  /**
   * An independent stream for one concern (schedule, hosts ...), so drawing more in one does not shift another.
   * It depends only on this stream's seed and `salt`, never on how much was drawn.
   */
  fork(salt: number): Rng {
    return new Rng(this.seed, salt);
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) bug('Rng.pick from an empty list');
    return item;
  }

  /** `chars` lowercase hex digits (any length). */
  hex(chars: number): string {
    let out = '';
    while (out.length < chars) {
      const x = this.uint32();
      out += HEX_BYTE[x >>> 24]! + HEX_BYTE[(x >>> 16) & 0xff]! + HEX_BYTE[(x >>> 8) & 0xff]! + HEX_BYTE[x & 0xff]!;
    }
    return out.length === chars ? out : out.slice(0, chars);
  }

  /** Exponential with the given mean: inter-arrival times of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Log-normal with the given median; sigma 0.5 to 1 looks like real request latencies (long right tail). */
  logNormal(median: number, sigma: number): number {
    // Box-Muller; 1 - u keeps log away from 0.
    const z = Math.sqrt(-2 * Math.log(1 - this.float())) * Math.cos(2 * Math.PI * this.float());
    return median * Math.exp(sigma * z);
  }

  /** An index in [0, n) skewed towards 0: a few users and clients account for most traffic. */
  skewed(n: number, power = 2.2): number {
    return Math.floor(n * Math.pow(this.float(), power));
  }
}

/** A fixed set of items drawn in proportion to their weights (a linear scan: the sets here are small). */
export class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(readonly items: readonly T[], weights: readonly number[]) {
    let sum = 0;
    for (const w of weights) this.cumulative.push((sum += Math.max(0, w)));
    this.total = sum;
    if (items.length !== weights.length || !(sum > 0)) bug('Weighted needs one positive weight per item');
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (x < (c[i] ?? 0)) return this.items[i] as T;
    return this.items[this.items.length - 1] as T;
  }
}
