// rare_template_burst: a template a service has used rarely for a long time suddenly appears many times in a window.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { quote } from './describe.js';
import { confidenceOf, lruGet } from './stats.js';

export interface RareBurstOptions {
  /** A template must have been known this many windows of its service before a burst of it is reported. */
  minAgeWindows: number;
  /** Its usual rate must be at most this many records per window to count as rare. */
  maxUsualRate: number;
  /** Records of it needed in the window. */
  minCount: number;
  /** z-score of the Poisson count test, (k - rate) / sqrt(rate), from which the window is anomalous. */
  minScore: number;
  maxTemplatesPerService: number;
  maxServices: number;
}

export const defaultRareBurstOptions: RareBurstOptions = { minAgeWindows: 30, maxUsualRate: 1, minCount: 10, minScore: 8, maxTemplatesPerService: 5000, maxServices: 10_000 };

/** Per template: the service window it was first seen in and how many records it had before the current window. */
interface Usage { first: number; total: number }
interface ServiceUsage { windows: number; templates: Map<string, Usage> }

export function createRareBurstDetector(opts: Partial<RareBurstOptions> = {}): Detector {
  const o = { ...defaultRareBurstOptions, ...opts };
  const services = new Map<string, ServiceUsage>();

  function observe(w: WindowStats, ctx: DetectContext): Finding[] {
    const s = lruGet(services, w.service, o.maxServices, (): ServiceUsage => ({ windows: 0, templates: new Map() }));
    const out: Finding[] = [];
    for (const [id, k] of w.templates) {
      const u = s.templates.get(id);
      if (u) {
        const age = s.windows - u.first;
        const rate = u.total / Math.max(age, 1);
        // Floor the rate at one record per 10 windows, so a template seen once long ago is not infinitely surprising.
        const lambda = Math.max(rate, 0.1);
        const z = (k - lambda) / Math.sqrt(lambda);
        if (age >= o.minAgeWindows && rate <= o.maxUsualRate && k >= o.minCount && z >= o.minScore) {
          const errors = w.templateErrors.get(id) ?? 0;
          out.push({
            type: 'rare_template_burst', service: w.service, key: id, score: z, confidence: confidenceOf(z / 2),
            severity: errors > 0 ? 'high' : 'medium',
            description: `${w.service} logged ${quote(ctx, id)} ${k} times in the ${Math.round((w.endMs - w.startMs) / 60_000) || 1} min from ${new Date(w.startMs).toISOString()}, against ${rate.toFixed(2)} a window usually${errors > 0 ? ` (${errors} of them errors)` : ''}.`,
            evidence: { baseline: rate, observed: k, template_ids: [id], sample_record_ids: [...(w.samples.get(id) ?? [])].slice(0, 5) },
          });
        }
        u.total += k;
      }
      // Moved to the end (most recently seen), or added: the least recently seen template goes past the cap.
      lruGet(s.templates, id, o.maxTemplatesPerService, () => ({ first: s.windows, total: k }));
    }
    s.windows++;
    return out;
  }

  return {
    type: 'rare_burst',
    observe,
    snapshot: () => [...services].map(([name, s]) => [name, s.windows, [...s.templates]]),
    restore: (state) => {
      services.clear();
      for (const [name, windows, templates] of state as [string, number, [string, Usage][]][]) services.set(name, { windows, templates: new Map(templates) });
    },
  };
}
