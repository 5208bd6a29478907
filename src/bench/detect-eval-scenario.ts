// `npm run eval:detect -- [--days 7] [--learn-days 1] [--seed 1] [--keep FILE]`: a simulated week of six services with
// daily and weekly seasonality, incidents of every detector's type at known times, replayed through the same path as
// `logsift detect`. Per type: recall, detection delay; per service and day: false anomalies.
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../config.js';
import { replayFiles } from '../detect/replay.js';
import { SCENARIO_SERVICES, writeScenario } from '../detect/scenario.js';
import { scoreScenario } from '../detect/scenario-score.js';
import { median } from '../detect/stats.js';

const { values } = parseArgs({ options: {
  days: { type: 'string', default: '7' },
  'learn-days': { type: 'string', default: '1' },
  seed: { type: 'string', default: '1' },
  keep: { type: 'string' },
  verbose: { type: 'boolean', default: false },
} });
const days = Number(values.days), learnDays = Number(values['learn-days']);
const startMs = Date.UTC(2026, 10, 2, 0, 0, 0); // a Monday
const tmp = mkdtempSync(join(tmpdir(), 'logsift-eval-detect-'));
try {
  const file = join(tmp, 'week.ndjson');
  let t0 = performance.now();
  const { incidents, lines } = await writeScenario(file, { startMs, days, seed: Number(values.seed), learnDays });
  console.log(`scenario: ${days} days, ${SCENARIO_SERVICES.length} services, ${lines} lines, ${incidents.length} incidents (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (values.keep) copyFileSync(file, values.keep);
  const cfg = resolveConfig({ detect: { sessions: { keyRegex: 'job-\\d+', endPattern: 'finished$|giving up$' } } });
  t0 = performance.now();
  const r = await replayFiles(cfg, file);
  const secs = (performance.now() - t0) / 1000;
  console.log(`replay: ${secs.toFixed(1)} s (${Math.round(lines / secs)} lines/s), ${r.rejected} not normalizable, ${r.late} late, ${r.anomalies.length} anomalies; window ${cfg.detect.windowMs / 1000} s`);
  const s = scoreScenario(r.anomalies, incidents, { windowMs: cfg.detect.windowMs, days, services: SCENARIO_SERVICES.length });
  console.log('\ntype                  incidents  found  recall  median delay (s)  max delay (s)');
  for (const t of s.types) {
    console.log(`${t.type.padEnd(22)}${String(t.incidents).padStart(9)}${String(t.found).padStart(7)}${t.recall.toFixed(2).padStart(8)}${(Number.isNaN(t.medianDelayMs) ? '-' : (t.medianDelayMs / 1000).toFixed(0)).padStart(18)}${(Number.isNaN(t.maxDelayMs) ? '-' : (t.maxDelayMs / 1000).toFixed(0)).padStart(15)}`);
  }
  console.log(`\nfalse anomalies: ${s.falses.length} in ${days} days over ${SCENARIO_SERVICES.length} services = ${s.falsePerServiceDay.toFixed(2)} per service per day (target <= 1); by type: ${[...s.falseByType].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  console.log(`by service: ${[...s.falseByService].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; related anomalies of another type during an incident: ${s.collateral}`);
  const delays = s.types.map((t) => t.medianDelayMs).filter((x) => !Number.isNaN(x));
  console.log(`median of the per-type median delays: ${(median(delays) / 1000).toFixed(0)} s (target <= ${cfg.detect.windowMs / 1000} s)`);
  if (values.verbose) for (const a of s.falses) console.log(`  false: ${a.anomaly_type} ${a.service} ${a.window_start} ${a.description.slice(0, 200)}`);
  for (const m of s.missed) console.log(`  missed: ${m.type}${m.what ? ` (${m.what})` : ''} ${m.service} ${new Date(m.startMs).toISOString()}`);
  const stops = incidents.filter((x) => x.what === 'payments-stop');
  const oneKind = stops.filter((x) => r.anomalies.some((a) => a.anomaly_type === 'volume_drop' && a.service === 'orders' && (a.evidence.template_ids ?? []).length === 1 && Date.parse(a.window_start) < x.endMs && Date.parse(a.window_end) > x.startMs));
  console.log(`payments-stop incidents (one kind of record stops) found by a per-template drop: ${oneKind.length} of ${stops.length}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
