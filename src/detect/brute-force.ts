// brute_force: many failed authentications from one client address in a window, or one address against many users.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';

export interface BruteForceOptions {
  /** Failed authentications from one address in a window that make a brute-force attempt. */
  minFailures: number;
  /** Distinct users one address failed against in a window that make credential stuffing. */
  minUsers: number;
}

export const defaultBruteForceOptions: BruteForceOptions = { minFailures: 20, minUsers: 10 };

/** Stateless across windows (each window is judged on its own), so its state is empty. */
export function createBruteForceDetector(opts: Partial<BruteForceOptions> = {}): Detector {
  const o = { ...defaultBruteForceOptions, ...opts };
  const detector: Detector = {
    type: 'brute_force',
    // Stateless: an open window past the threshold is judged as a closed one would be.
    peek: (w, ctx) => detector.observe(w, ctx),
    observe(w: WindowStats, _ctx: DetectContext): Finding[] {
      const out: Finding[] = [];
      for (const [ip, a] of w.auth) {
        if (ip === '') continue; // failures without an address cannot be attributed to one client
        const stuffing = a.users.size >= o.minUsers;
        if (a.failures < o.minFailures && !stuffing) continue;
        const users = [...a.users].slice(0, 5);
        out.push({
          type: 'brute_force', service: w.service, key: ip, score: a.failures / o.minFailures * 10, confidence: Math.min(0.99, 0.7 + a.users.size / 100 + a.failures / 1000),
          severity: stuffing || a.failures >= 5 * o.minFailures ? 'critical' : 'high',
          description: `${ip} failed to authenticate ${a.failures} times against ${w.service} in the ${Math.round((w.endMs - w.startMs) / 60_000) || 1} min from ${new Date(w.startMs).toISOString()}${a.users.size ? `, trying ${a.users.size} user${a.users.size === 1 ? '' : 's'} (${users.join(', ')}${a.users.size > users.length ? ', …' : ''})` : ''}: ${stuffing ? 'credential stuffing' : 'password guessing'}; consider blocking the address.`,
          evidence: { baseline: null, observed: { failures: a.failures, users: a.users.size }, ip, users, sample_record_ids: [...a.samples] },
        });
      }
      return out;
    },
    snapshot: () => null,
    restore: () => undefined,
  };
  return detector;
}
