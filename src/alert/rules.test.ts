// Anomaly rules: matching, the alert an anomaly raises, and rule validation naming the rule and the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Anomaly } from '../model/anomaly.js';
import { alertOf, checkRules, fingerprintOf, matches } from './rules.js';

const anomaly = (over: Partial<Anomaly> = {}): Anomaly => ({
  anomaly_id: 'a1', detected_at: '2026-01-05T10:01:00.000Z', window_start: '2026-01-05T10:00:00.000Z', window_end: '2026-01-05T10:01:00.000Z',
  anomaly_type: 'error_rate_spike', severity: 'high', service: 'checkout-api', description: '30% errors', score: 9, confidence: 0.99, evidence: {}, status: 'open', ...over,
});

test('a rule matches by type, service (prefix with *), minimum severity, score and confidence', () => {
  assert.ok(matches({ name: 'r' }, anomaly()));
  assert.ok(matches({ name: 'r', types: ['error_rate_spike'], services: ['checkout*'], minSeverity: 'medium', minScore: 5, minConfidence: 0.9 }, anomaly()));
  assert.ok(!matches({ name: 'r', types: ['volume_spike'] }, anomaly()));
  assert.ok(!matches({ name: 'r', services: ['checkout'] }, anomaly()));
  assert.ok(!matches({ name: 'r', minSeverity: 'critical' }, anomaly()));
  assert.ok(!matches({ name: 'r', minScore: 10 }, anomaly()));
});

test('an anomaly raises one alert per anomaly: firing while open, resolved at its window end, with a link to its logs', () => {
  const a = alertOf({ name: 'errors', labels: { team: 'payments' } }, anomaly(), 'http://logs.example:8080/', ['line one']);
  assert.equal(a.status, 'firing');
  assert.deepEqual(a.labels, { team: 'payments', alertname: 'errors', service: 'checkout-api', anomaly_type: 'error_rate_spike', severity: 'high', anomaly_id: 'a1' });
  assert.equal(a.fingerprint, fingerprintOf(a.labels));
  assert.equal(a.annotations.description, '30% errors');
  assert.match(a.generatorURL, /^http:\/\/logs\.example:8080\/#\/search\?q=service%3A%22checkout-api%22&start=2026-01-05T09%3A55%3A00\.000Z&end=2026-01-05T10%3A06%3A00\.000Z$/);
  const r = alertOf({ name: 'errors' }, anomaly({ status: 'resolved', window_end: '2026-01-05T10:05:00.000Z' }), 'http://x', []);
  assert.equal(r.status, 'resolved');
  assert.equal(r.endsAt, '2026-01-05T10:05:00.000Z');
  assert.equal(fingerprintOf({ b: '1', a: '2' }), fingerprintOf({ a: '2', b: '1' }));
});

test('rules are checked: unique names, known types, well-formed labels; errors name the rule and the key', () => {
  assert.throws(() => checkRules([{ name: 'x' }, { name: 'x' }]), /alerting\.rules\[1\] \(x\)\.name.*two rules are named "x"/);
  assert.throws(() => checkRules([{ name: 'x', types: ['nope' as never] }]), /alerting\.rules\[0\] \(x\)\.types.*unknown anomaly type "nope"/);
  assert.throws(() => checkRules([{ name: 'x', labels: { '1bad': 'v' } }]), /labels\.1bad/);
});
