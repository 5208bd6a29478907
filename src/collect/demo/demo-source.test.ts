import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoSource } from './demo-source.js';

test('the demo source backfills history up to now, in per-service batches, then waits for the clock', async () => {
  let nowMs = Date.parse('2026-01-01T12:00:00Z');
  const src = createDemoSource({ linesPerSecond: 100, seed: 1, backfillSeconds: 60 }, () => new Date(nowMs));
  const ac = new AbortController();
  let lines = 0;
  const services = new Set<string>();
  let advanced = false;
  const stop = setTimeout(() => ac.abort(), 1500);
  for await (const b of src.read(ac.signal)) {
    assert.ok(b.service, 'each batch names its service');
    services.add(b.service);
    lines += b.body.toString().trimEnd().split('\n').length;
    if (lines >= 3000 && !advanced) { advanced = true; nowMs += 10_000; }
  }
  clearTimeout(stop);
  // 70 s of generated time at 100 lines/s, plus the extra lines of incident episodes (brute force, volume spikes);
  // the clock stands still after that, so the source must stop producing rather than run ahead.
  assert.ok(lines >= 6500 && lines <= 17_500, `lines for 70 s of generated time: ${lines}`);
  assert.ok(services.size >= 8, `many services: ${[...services].join(', ')}`);
});
