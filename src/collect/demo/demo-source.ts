// The demo source: the built-in realistic log generator, first backfilling recent history, then live at its own pace.
import { setTimeout as sleep } from 'node:timers/promises';
import { createGenerator } from '../../demo/index.js';
import type { PullSource, RawBatch } from '../source.js';

export interface DemoSourceConfig { linesPerSecond: number; seed: number; /** Seconds of history generated at start. */ backfillSeconds?: number }

/** Most lines in one batch during backfill. */
const MAX_BATCH_LINES = 5000;

export function createDemoSource(cfg: DemoSourceConfig, now: () => Date = () => new Date()): PullSource {
  return {
    name: 'demo',
    async *read(signal: AbortSignal): AsyncIterable<RawBatch> {
      const backfill = cfg.backfillSeconds ?? 600;
      const gen = createGenerator({ seed: cfg.seed, start: new Date(now().getTime() - backfill * 1000), linesPerSecond: cfg.linesPerSecond, format: 'mixed' });
      // Lines up to `until` (generator time), grouped by service: access-log and plain lines do not name their
      // service, so each batch carries it as the batch default.
      const upTo = function* (until: number): Generator<RawBatch> {
        const groups = new Map<string, string[]>();
        let n = 0;
        while (gen.timeMs <= until && n < MAX_BATCH_LINES) {
          const line = gen.next();
          const g = groups.get(gen.lastService) ?? [];
          g.push(line);
          groups.set(gen.lastService, g);
          n++;
        }
        for (const [service, lines] of groups) yield { body: Buffer.from(lines.join('\n') + '\n'), service };
      };
      while (!signal.aborted) {
        const before = gen.produced;
        yield* upTo(now().getTime());
        // Caught up with the clock: wait for the next quarter second of generated time.
        if (gen.produced - before < MAX_BATCH_LINES) await sleep(250, undefined, { signal }).catch(() => undefined);
      }
    },
  };
}
