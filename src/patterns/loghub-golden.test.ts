// Golden test over the Loghub 2k ground truth: grouping and parsing accuracy per system must not fall below today's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { groupingAccuracy, parsingAccuracy, squash } from './accuracy.js';
import { LOGHUB_SYSTEMS, loghubAvailable, readLoghubSystem } from './loghub-data.js';
import { mineLines } from './offline.js';

/** dist/patterns -> ../shared/data/loghub-2k beside the checkout. */
const dataDir = fileURLToPath(new URL('../../../shared/data/loghub-2k/', import.meta.url));

/** Floors per system, message-only mode [GA, PA]: what the miner measures today, rounded down (a regression fails). */
const floors: Record<string, [number, number]> = {
  Apache: [1, 1], BGL: [0.98, 0.97], Hadoop: [0.985, 0.9], HDFS: [0.995, 0.94],
  Linux: [0.69, 0.4], OpenSSH: [0.99, 0.99], Spark: [0.92, 0.92], Zookeeper: [0.985, 0.985],
};

const mine = (lines: readonly string[], messageOnly: boolean) => mineLines(lines, { messageOnly, service: 'golden' });

for (const system of LOGHUB_SYSTEMS) {
  test(`template mining on Loghub ${system}: grouping and parsing accuracy hold, raw lines within 0.02 of messages`, (t) => {
    if (!loghubAvailable(dataDir)) {
      console.warn(`loghub data absent at ${dataDir}: pattern golden test for ${system} SKIPPED`);
      t.skip(`loghub data absent at ${dataDir}`);
      return;
    }
    const s = readLoghubSystem(dataDir, system);
    const truth = s.template.map(squash);
    const msg = mine(s.content, true);
    const raw = mine(s.raw, false);
    const ga = groupingAccuracy(msg.ids, truth), pa = parsingAccuracy(msg.templates, s.template);
    const gaRaw = groupingAccuracy(raw.ids, truth);
    t.diagnostic(`${system}: GA ${ga.toFixed(3)} PA ${pa.toFixed(3)} GA(raw) ${gaRaw.toFixed(3)}`);
    const [minGa, minPa] = floors[system] ?? [1, 1];
    assert.ok(ga >= minGa, `${system}: GA ${ga.toFixed(3)} < ${minGa}`);
    assert.ok(pa >= minPa, `${system}: PA ${pa.toFixed(3)} < ${minPa}`);
    assert.ok(Math.abs(ga - gaRaw) <= 0.02, `${system}: raw-line GA ${gaRaw.toFixed(3)} is not within 0.02 of ${ga.toFixed(3)}`);
    // Offline output is in input order and every line's id names the template text it carries.
    const textOf = new Map<string, string>();
    msg.ids.forEach((id, i) => { const prev = textOf.get(id); assert.ok(prev === undefined || prev === msg.templates[i]); textOf.set(id, msg.templates[i] as string); });
  });
}
