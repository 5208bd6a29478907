import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGenerator } from './generator.js';
import { INCIDENT_KINDS, type Incident, type IncidentKind } from './incidents.js';

interface Row { t: number; service: string; level: string; message: string; ip?: string; duration_ms?: number }

const RATE = 40;

const runs = new Map<number, { rows: Row[]; incidents: readonly Incident[] }>();

/** Runs until every kind has started and ended, so each one can be checked against the lines around it. */
function run(seed: number): { rows: Row[]; incidents: readonly Incident[] } {
  const cached = runs.get(seed);
  if (cached) return cached;
  const gen = createGenerator({ seed, start: new Date('2024-06-01T00:00:00Z'), linesPerSecond: RATE });
  const rows: Row[] = [];
  const done = () => INCIDENT_KINDS.every((k) => gen.incidents.some((i) => i.kind === k && i.endMs + 60_000 < gen.timeMs));
  while (!done()) {
    assert.ok(rows.length < 2_000_000, 'all incident kinds within a bounded run');
    const o = JSON.parse(gen.next()) as Row & { timestamp: string };
    rows.push({ ...o, t: Date.parse(o.timestamp) });
  }
  const result = { rows, incidents: gen.incidents };
  runs.set(seed, result);
  return result;
}

const byKind = (incidents: readonly Incident[], kind: IncidentKind) => {
  const i = incidents.find((x) => x.kind === kind);
  assert.ok(i, `a ${kind} incident`);
  return i;
};
const inside = (i: Incident) => (r: Row) => r.t >= i.startMs && r.t < i.endMs;
/** The ten quiet minutes before the incident: its baseline. */
const before = (i: Incident) => (r: Row) => r.t >= i.startMs - 600_000 && r.t < i.startMs;
const perSecond = (rows: Row[], fromMs: number, toMs: number) => rows.length / ((toMs - fromMs) / 1000);

for (const seed of [1, 2024]) {
  test(`seed ${seed}: every incident kind happens, after a quiet warm-up, without overlap`, (t) => {
    const { rows, incidents } = run(seed);
    t.diagnostic(`${rows.length} lines; ${incidents.map((i) => `${i.kind}@${new Date(i.startMs).toISOString().slice(11, 19)}`).join(', ')}`);
    const first = rows[0];
    assert.ok(first);
    assert.ok((incidents[0]?.startMs ?? 0) - first.t >= 5 * 60_000, 'a baseline before the first incident');
    for (let k = 1; k < incidents.length; k++) assert.ok((incidents[k]?.startMs ?? 0) > (incidents[k - 1]?.endMs ?? 0));
    for (const i of incidents) assert.ok(i.description.length > 10 && i.endMs > i.startMs);
  });

  test(`seed ${seed}: each incident is visible in the lines`, () => {
    const { rows, incidents } = run(seed);

    const burst = byKind(incidents, 'error_rate_spike');
    const errShare = (f: (r: Row) => boolean) => {
      const own = rows.filter((r) => r.service === burst.service && f(r));
      return own.filter((r) => /^(error|err)$/i.test(r.level)).length / own.length;
    };
    assert.ok(errShare(inside(burst)) > 0.25, `error share in burst ${errShare(inside(burst))}`);
    assert.ok(errShare(before(burst)) < 0.08, `error share before burst ${errShare(before(burst))}`);

    const brute = byKind(incidents, 'brute_force');
    const fromAttacker = rows.filter((r) => r.ip === brute.ip);
    const during = fromAttacker.filter(inside(brute));
    assert.ok(during.length > 5 * ((brute.endMs - brute.startMs) / 1000) * 0.8, `${during.length} attempts`);
    assert.ok(fromAttacker.length - during.length < 3, 'the attacker is quiet outside the episode');
    assert.ok(new Set(during.map((r) => r.message.match(/user[= ](\S+)/)?.[1])).size > 20, 'many target users');

    const slow = byKind(incidents, 'latency_shift');
    const median = (f: (r: Row) => boolean) => {
      const d = rows.filter((r) => r.service === slow.service && f(r) && r.duration_ms !== undefined).map((r) => r.duration_ms as number).sort((a, b) => a - b);
      return d[Math.floor(d.length / 2)] ?? 0;
    };
    assert.ok(median(inside(slow)) > 2.5 * median(before(slow)), `median ${median(inside(slow))} vs ${median(before(slow))}`);

    const silence = byKind(incidents, 'service_silence');
    assert.equal(rows.filter((r) => r.service === silence.service && inside(silence)(r)).length, 0);
    assert.ok(rows.some((r) => r.service === silence.service && r.t >= silence.endMs), 'the service comes back');

    const novel = byKind(incidents, 'new_template');
    const prefix = (novel.template ?? '').split('{')[0] ?? '';
    assert.ok(prefix.length > 5);
    const matching = rows.filter((r) => r.message.startsWith(prefix));
    assert.ok(matching.length > 20, `${matching.length} lines of the new message`);
    assert.ok(matching.every((r) => r.service === novel.service && r.t >= novel.startMs), 'never seen before the incident');

    const surge = byKind(incidents, 'volume_spike');
    const rate = (from: number, to: number) => perSecond(rows.filter((r) => r.service === surge.service && r.t >= from && r.t < to), from, to);
    const ratio = rate(surge.startMs, surge.endMs) / rate(surge.startMs - 600_000, surge.startMs);
    assert.ok(ratio > 2.5, `volume ratio ${ratio} (factor ${surge.factor})`);
  });
}

test('the incident plan does not depend on the line rate', () => {
  const plan = (linesPerSecond: number) => {
    const g = createGenerator({ seed: 5, start: new Date('2024-06-01T00:00:00Z'), linesPerSecond });
    while (g.timeMs < Date.parse('2024-06-01T02:00:00Z')) g.next();
    return g.incidents.map((i) => [i.kind, i.service, i.startMs]);
  };
  assert.deepEqual(plan(20), plan(60));
});
