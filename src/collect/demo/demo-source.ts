// The demo source: the built-in realistic log generator, first backfilling recent history, then live at a set rate.
import { setTimeout as sleep } from 'node:timers/promises';
import { createGenerator } from '../../demo/index.js';
import type { RawBatch, Source } from '../source.js';

export interface DemoSourceConfig { linesPerSecond: number; seed: number; /** Seconds of history generated at start. */ backfillSeconds?: number }

export function createDemoSource(cfg: DemoSourceConfig, now: () => Date = () => new Date()): Source {
  return {
    name: 'demo',
    async *read(signal: AbortSignal): AsyncIterable<RawBatch> {
      const backfill = cfg.backfillSeconds ?? 600;
      const start = new Date(now().getTime() - backfill * 1000);
      const gen = createGenerator({ seed: cfg.seed, start, linesPerSecond: cfg.linesPerSecond, format: 'mixed' });
      const batchOf = (n: number) => {
        const lines: string[] = [];
        for (let i = 0; i < n; i++) lines.push(gen.next());
        return { body: Buffer.from(lines.join('\n') + '\n') };
      };
      // Backfill in 5,000-line batches so a newcomer has minutes of history to search at once.
      let owed = backfill * cfg.linesPerSecond;
      while (owed > 0 && !signal.aborted) {
        const n = Math.min(5000, owed);
        owed -= n;
        yield batchOf(n);
      }
      const tickMs = 250;
      const perTick = Math.max(1, Math.round((cfg.linesPerSecond * tickMs) / 1000));
      while (!signal.aborted) {
        await sleep(tickMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) break;
        yield batchOf(perTick);
      }
    },
  };
}
