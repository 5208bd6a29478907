// new_template: a template never seen for a service, once the service has been watched long enough to know its own.
import type { Detector, DetectContext, Finding, WindowStats } from './detector.js';
import { lruGet } from './stats.js';

export interface NewTemplateOptions {
  /** Windows a service must have logged in before a template it has not used counts as new. */
  warmupWindows: number;
  /** Template ids remembered per service (the least recently seen are forgotten past it). */
  maxTemplatesPerService: number;
  maxServices: number;
}

export const defaultNewTemplateOptions: NewTemplateOptions = { warmupWindows: 30, maxTemplatesPerService: 5000, maxServices: 10_000 };

interface Known { windows: number; seen: Map<string, true> }

export function createNewTemplateDetector(opts: Partial<NewTemplateOptions> = {}): Detector {
  const o = { ...defaultNewTemplateOptions, ...opts };
  const known = new Map<string, Known>();

  /** `learn`: the window is closed (its templates are now known); a peek at an open window changes nothing. */
  function judge(w: WindowStats, ctx: DetectContext, learn: boolean): Finding[] {
    const k = learn ? lruGet(known, w.service, o.maxServices, (): Known => ({ windows: 0, seen: new Map() })) : known.get(w.service);
    if (!k) return [];
    const out: Finding[] = [];
    const warm = k.windows >= o.warmupWindows;
    for (const [id, n] of w.templates) {
      const seen = k.seen.has(id);
      if (learn) lruGet(k.seen, id, o.maxTemplatesPerService, () => true as const);
      if (seen || !warm) continue;
      const errors = w.templateErrors.get(id) ?? 0;
      const text = ctx.templateText(id) ?? id;
      out.push({
        type: 'new_template', service: w.service, key: id, score: Math.log2(1 + n), confidence: errors > 0 ? 0.9 : 0.6,
        severity: errors > 0 ? 'high' : 'low',
        description: `${w.service} logged a kind of message it never logged before, ${n} time${n === 1 ? '' : 's'} since ${new Date(w.startMs).toISOString()}${errors > 0 ? `, ${errors} of them errors` : ''}: "${text.length > 300 ? `${text.slice(0, 300)}…` : text}".`,
        evidence: { baseline: 0, observed: n, template_ids: [id], sample_record_ids: [...(w.samples.get(id) ?? [])].slice(0, 5) },
      });
    }
    if (learn) k.windows++;
    return out;
  }

  return {
    type: 'new_template',
    observe: (w, ctx) => judge(w, ctx, true),
    peek: (w, ctx) => judge(w, ctx, false),
    snapshot: () => [...known].map(([s, k]) => [s, k.windows, [...k.seen.keys()]]),
    restore: (state) => {
      known.clear();
      for (const [s, windows, ids] of state as [string, number, string[]][]) known.set(s, { windows, seen: new Map(ids.map((id) => [id, true])) });
    },
  };
}
