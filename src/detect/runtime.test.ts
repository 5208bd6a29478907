// The runtime with the built-in detectors on synthetic streams: windows, watermark, late records, dedup, resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaValidators } from '../model/schemas.js';
import type { Anomaly } from '../model/anomaly.js';
import { DetectionRuntime } from './runtime.js';
import { createVolumeDetector } from './volume.js';
import { createErrorRateDetector } from './error-rate.js';
import { createNewTemplateDetector } from './new-template.js';
import { createSilenceDetector } from './silence.js';
import { createRareBurstDetector } from './rare-burst.js';
import { createBruteForceDetector } from './brute-force.js';
import { createLatencyDetector } from './latency.js';

const ctx = { templateText: (id: string) => (id === 't-new' ? 'disk <*> is full' : undefined) };
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const MIN = 60_000;

function runtime() {
  return new DetectionRuntime([createVolumeDetector(), createErrorRateDetector(), createNewTemplateDetector(), createSilenceDetector(), createRareBurstDetector(), createBruteForceDetector(), createLatencyDetector()], ctx, schemaValidators().anomaly);
}

/** Feeds `perMinute(m)` records for minutes [from, to) of service `svc`, advancing after each minute. */
function feed(rt: DetectionRuntime, svc: string, from: number, to: number, perMinute: (m: number) => { n: number; errors?: number; template?: string }): Anomaly[] {
  const out: Anomaly[] = [];
  for (let m = from; m < to; m++) {
    const { n, errors = 0, template = 't-ok' } = perMinute(m);
    for (let i = 0; i < n; i++) {
      rt.observe({ tsMs: T0 + m * MIN + Math.floor((i * MIN) / Math.max(n, 1)), service: svc, level: i < errors ? 'ERROR' : 'INFO', templateId: i < errors ? 't-err' : template, id: `r${m}-${i}` });
    }
    out.push(...rt.advance());
  }
  return out;
}

test('steady traffic with noise raises nothing', () => {
  const rt = runtime();
  const got = feed(rt, 'api', 0, 240, (m) => ({ n: 100 + ((m * 37) % 21) - 10, errors: (m * 7) % 3 }));
  assert.deepEqual(got, []);
  assert.ok(rt.stats.windowsClosed >= 238);
});

test('a volume spike is one anomaly that grows while it lasts and resolves after it ends', () => {
  const rt = runtime();
  feed(rt, 'api', 0, 60, () => ({ n: 100 }));
  const during = feed(rt, 'api', 60, 65, () => ({ n: 1500 }));
  const spikes = during.filter((a) => a.anomaly_type === 'volume_spike');
  assert.ok(spikes.length >= 4, `updates while the spike lasts: ${spikes.length}`);
  assert.equal(new Set(spikes.map((a) => a.anomaly_id)).size, 1, 'one anomaly, updated');
  const last = spikes[spikes.length - 1] as Anomaly;
  assert.equal(last.window_start, new Date(T0 + 60 * MIN).toISOString());
  assert.match(last.description, /api logged 1500 records .* its usual 100/);
  assert.equal(last.evidence.baseline, 100);
  const after = feed(rt, 'api', 65, 75, () => ({ n: 100 }));
  assert.ok(after.some((a) => a.anomaly_id === last.anomaly_id && a.status === 'resolved'));
});

test('an error-rate spike is found by its count, not by a share over tiny windows', () => {
  const rt = runtime();
  feed(rt, 'pay', 0, 60, (m) => ({ n: 200, errors: m % 2 }));
  const quiet = [...feed(rt, 'quiet', 0, 60, (m) => ({ n: 3, errors: m === 59 ? 2 : 0 })), ...rt.advanceTo(T0 + 60 * MIN + 10_000)];
  assert.deepEqual(quiet.filter((a) => a.anomaly_type === 'error_rate_spike'), []);
  const got = [...feed(rt, 'pay', 60, 61, () => ({ n: 200, errors: 60 })), ...rt.advanceTo(T0 + 61 * MIN + 10_000)];
  const a = got.find((x) => x.anomaly_type === 'error_rate_spike');
  assert.ok(a, JSON.stringify(got));
  assert.equal(a.severity, 'high');
  assert.deepEqual(a.evidence.template_ids, ['t-err']);
  assert.equal(a.evidence.sample_record_ids?.length, 3);
});

test('a new template after the warm-up is reported with its text; templates of the warm-up are not', () => {
  const rt = runtime();
  const early = feed(rt, 'disk', 0, 40, (m) => ({ n: 50, template: m === 3 ? 't-early' : 't-ok' }));
  assert.deepEqual(early.filter((a) => a.anomaly_type === 'new_template'), []);
  const got = [...feed(rt, 'disk', 40, 41, () => ({ n: 50, template: 't-new' })), ...rt.advanceTo(T0 + 41 * MIN + 10_000)];
  const a = got.find((x) => x.anomaly_type === 'new_template');
  assert.ok(a);
  assert.match(a.description, /never logged before.*"disk <\*> is full"/);
});

test('a service that stops logging raises a volume drop through empty windows; late records are counted, not lost silently', () => {
  const rt = runtime();
  feed(rt, 'cron', 0, 60, () => ({ n: 80 }));
  feed(rt, 'other', 0, 60, () => ({ n: 10 }));
  // A quiet service follows the others' newest event time, silenceGraceMs (2 min) behind.
  const got = feed(rt, 'other', 60, 65, () => ({ n: 10 }));
  const drop = got.find((a) => a.anomaly_type === 'volume_drop' && a.service === 'cron');
  assert.ok(drop, JSON.stringify(got.map((a) => [a.anomaly_type, a.service])));
  assert.match(drop.description, /cron logged 0 records/);
  const silence = got.find((a) => a.anomaly_type === 'service_silence' && a.service === 'cron');
  assert.ok(silence, 'a steady service gone quiet is a silence too');
  assert.match(silence.description, /cron has logged nothing for 1 min since .* usually logs about 80 records/);
  rt.observe({ tsMs: T0 + 5 * MIN, service: 'cron', level: 'INFO', templateId: 't-ok' });
  assert.equal(rt.stats.late, 1);
});

test('the same records give the same anomalies (deterministic ids)', () => {
  const run = () => { const rt = runtime(); feed(rt, 'api', 0, 60, () => ({ n: 100 })); return feed(rt, 'api', 60, 62, () => ({ n: 2000, errors: 900 })).map((a) => [a.anomaly_id, a.anomaly_type, a.score]); };
  assert.deepEqual(run(), run());
});

test('a service whose batch arrives after another service\'s newer batch is not late (per-service watermarks)', () => {
  const rt = runtime();
  // Two senders, each posting 25 s of its own records at a time, the second after the first (as the demo does).
  for (let chunk = 0; chunk < 200; chunk++) {
    for (const svc of ['a', 'b']) {
      for (let i = 0; i < 50; i++) rt.observe({ tsMs: T0 + chunk * 25_000 + i * 500, service: svc, level: 'INFO', templateId: 't' });
      rt.advance();
    }
  }
  assert.equal(rt.stats.late, 0);
});

test('a service that is often quiet (a nightly job) is never reported silent', () => {
  const rt = runtime();
  const got = feed(rt, 'batch', 0, 240, (m) => ({ n: m % 10 < 3 ? 50 : 0 }));
  feed(rt, 'steady', 0, 240, () => ({ n: 20 }));
  assert.deepEqual(got.filter((a) => a.anomaly_type === 'service_silence'), []);
});

test('a snapshot taken mid-stream and restored (through JSON) continues exactly as the uninterrupted runtime', () => {
  // Minute by minute, both services, so the split and the whole run see the same records in the same order.
  const script = (rt: DetectionRuntime, from: number, to: number) => {
    const out: Anomaly[] = [];
    for (let m = from; m < to; m++) {
      out.push(...feed(rt, 'api', m, m + 1, (k) => ({ n: k === 70 ? 2000 : 100 + (k % 5), errors: k === 75 ? 80 : k % 2, template: k === 80 ? 't-new' : 't-ok' })));
      if (m < 85) out.push(...feed(rt, 'cron', m, m + 1, () => ({ n: 40 })));
    }
    return out;
  };
  const whole = runtime();
  const all = [...script(whole, 0, 100), ...whole.finish()];
  const first = runtime();
  const a = script(first, 0, 72);
  const second = runtime();
  second.restore(JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<DetectionRuntime['snapshot']>);
  const b = [...script(second, 72, 100), ...second.finish()];
  assert.deepEqual([...a, ...b].map((x) => [x.anomaly_id, x.anomaly_type, x.status, x.window_end]), all.map((x) => [x.anomaly_id, x.anomaly_type, x.status, x.window_end]));
  assert.ok(all.some((x) => x.anomaly_type === 'volume_spike') && all.some((x) => x.anomaly_type === 'service_silence'));
});

test('a rare template that suddenly bursts is reported; its usual trickle is not', () => {
  const rt = runtime();
  const rare = (m: number, k: number) => { for (let i = 0; i < k; i++) rt.observe({ tsMs: T0 + m * MIN + 30_000 + i, service: 'db', level: 'WARN', templateId: 't-rare', id: `rare${m}-${i}` }); };
  const base: Anomaly[] = [];
  for (let m = 0; m < 80; m++) {
    if (m % 20 === 5) rare(m, 2); // twice every 20 minutes: its usual trickle
    base.push(...feed(rt, 'db', m, m + 1, () => ({ n: 100 })));
  }
  assert.deepEqual(base.filter((a) => a.anomaly_type === 'rare_template_burst'), []);
  rare(80, 40);
  const got = [...feed(rt, 'db', 80, 81, () => ({ n: 100 })), ...rt.advanceTo(T0 + 81 * MIN + 10_000)];
  const a = got.find((x) => x.anomaly_type === 'rare_template_burst');
  assert.ok(a, JSON.stringify(got.map((x) => x.anomaly_type)));
  assert.deepEqual(a.evidence.template_ids, ['t-rare']);
});

test('brute force: many failures from one address, or one address against many users; ordinary failures are not', () => {
  const rt = runtime();
  const fail = (m: number, ip: string, user: string, i: number) => rt.observe({ tsMs: T0 + m * MIN + i * 100, service: 'sshd', level: 'WARN', templateId: 't-fail', id: `f${m}-${ip}-${i}`, authFailure: true, ip, user });
  for (let m = 0; m < 5; m++) { fail(m, '10.0.0.1', 'alice', 0); fail(m, '10.0.0.2', 'bob', 1); feed(rt, 'sshd', m, m + 1, () => ({ n: 20 })); }
  for (let i = 0; i < 60; i++) fail(5, '203.0.113.9', 'root', i);
  for (let i = 0; i < 12; i++) fail(5, '198.51.100.4', `user${i}`, 100 + i);
  const early = feed(rt, 'sshd', 5, 6, () => ({ n: 20 })).filter((a) => a.anomaly_type === 'brute_force');
  // Raised while minute 5 is still open (the detector peeks at open windows), then extended when it closes.
  assert.deepEqual(early.map((a) => a.evidence.ip).sort(), ['198.51.100.4', '203.0.113.9']);
  const closed = rt.advanceTo(T0 + 6 * MIN + 10_000).filter((a) => a.anomaly_type === 'brute_force');
  assert.deepEqual(closed.map((a) => a.anomaly_id).sort(), early.map((a) => a.anomaly_id).sort(), 'the same anomalies, not new ones');
  const got = [...new Map([...early, ...closed].map((a) => [a.anomaly_id, a])).values()];
  assert.deepEqual(got.map((a) => a.evidence.ip).sort(), ['198.51.100.4', '203.0.113.9']);
  const stuffing = got.find((a) => a.evidence.ip === '198.51.100.4');
  assert.equal(stuffing?.severity, 'critical');
  assert.match(stuffing?.description ?? '', /trying 12 users .*credential stuffing/);
});

test('latency shift: the p95 of timed records well above its recent windows is reported; ordinary jitter is not', () => {
  const rt = runtime();
  const timed = (m: number, slow: boolean) => {
    for (let i = 0; i < 200; i++) {
      const d = slow ? 400 + (i % 50) * 10 : 40 + ((i * 37 + m) % 30) + (i % 20 === 0 ? 60 : 0);
      rt.observe({ tsMs: T0 + m * MIN + i * 200, service: 'api', level: 'INFO', templateId: 't-req', id: `q${m}-${i}`, durationMs: d });
    }
  };
  const quiet: Anomaly[] = [];
  for (let m = 0; m < 40; m++) { timed(m, false); quiet.push(...rt.advance()); }
  assert.deepEqual(quiet.filter((a) => a.anomaly_type === 'latency_shift'), []);
  timed(40, true);
  const got = [...rt.advance(), ...rt.advanceTo(T0 + 41 * MIN + 10_000)].filter((a) => a.anomaly_type === 'latency_shift');
  assert.equal(got.length, 1);
  assert.match(got[0]?.description ?? '', /api got slower: p95 \d+ ms .* its usual \d+ ms/);
});

test('a non-finite score is clamped, so a finding against a zero baseline is still reported and valid', async () => {
  const { finiteScore } = await import('./runtime.js');
  assert.equal(finiteScore(Number.POSITIVE_INFINITY), 1e6);
  assert.equal(finiteScore(Number.NEGATIVE_INFINITY), -1e6);
  assert.equal(finiteScore(Number.NaN), 0);
  assert.equal(finiteScore(3.5), 3.5);
});
