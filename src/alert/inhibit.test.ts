// Inhibition: a firing source mutes matching targets with equal labels; never itself or its own kind; config errors name the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { buildInhibitRules, InhibitionIndex, suggestedInhibitRules, type InhibitCandidate } from './inhibit.js';

const a = (fingerprint: string, labels: Record<string, string>, status: 'firing' | 'resolved' = 'firing'): InhibitCandidate => ({ fingerprint, labels, status });

test('the suggested rule: critical mutes low/medium/high of the same service only, while it fires', () => {
  const rules = buildInhibitRules(suggestedInhibitRules);
  const crit = a('c1', { service: 'api', severity: 'critical' });
  const medApi = a('m1', { service: 'api', severity: 'medium' });
  const medWeb = a('m2', { service: 'web', severity: 'medium' });
  const idx = new InhibitionIndex(rules, [crit, medApi, medWeb]);
  assert.deepEqual(idx.inhibitedBy(medApi.fingerprint, medApi.labels), ['c1']);
  assert.deepEqual(idx.inhibitedBy(medWeb.fingerprint, medWeb.labels), []);
  assert.deepEqual(idx.inhibitedBy(crit.fingerprint, crit.labels), []);
  assert.deepEqual(idx.inhibitedBy('x', { service: 'api', severity: 'info' }), []);
  const resolvedIdx = new InhibitionIndex(rules, [{ ...crit, status: 'resolved' }, medApi]);
  assert.deepEqual(resolvedIdx.inhibitedBy(medApi.fingerprint, medApi.labels), []);
});

test('equal: a label missing on both sides counts as equal; missing on one side does not', () => {
  const rules = buildInhibitRules([{ source_matchers: ['alertname="NodeDown"'], target_matchers: ['alertname!="NodeDown"'], equal: ['node', 'zone'] }]);
  const idx = new InhibitionIndex(rules, [a('n1', { alertname: 'NodeDown', node: 'n1' })]);
  assert.deepEqual(idx.inhibitedBy('t1', { alertname: 'DiskFull', node: 'n1' }), ['n1']);
  assert.deepEqual(idx.inhibitedBy('t2', { alertname: 'DiskFull', node: 'n1', zone: 'eu' }), []);
  assert.deepEqual(idx.inhibitedBy('t3', { alertname: 'DiskFull', node: 'n2' }), []);
});

test('an alert never inhibits itself, and alerts matching both sides do not inhibit each other', () => {
  const rules = buildInhibitRules([{ source_matchers: ['severity=~"high|critical"'], target_matchers: ['severity=~"medium|high"'], equal: ['service'] }]);
  const high1 = a('h1', { service: 'api', severity: 'high', host: '1' });
  const high2 = a('h2', { service: 'api', severity: 'high', host: '2' });
  const crit = a('c1', { service: 'api', severity: 'critical' });
  const idx = new InhibitionIndex(rules, [high1, high2]);
  assert.deepEqual(idx.inhibitedBy(high1.fingerprint, high1.labels), []);
  assert.deepEqual(idx.inhibitedBy(high2.fingerprint, high2.labels), []);
  // A critical (source only) does inhibit a high that also matches the source side.
  const idx2 = new InhibitionIndex(rules, [high1, crit]);
  assert.deepEqual(idx2.inhibitedBy(high1.fingerprint, high1.labels), ['c1']);
});

test('every inhibiting alert across rules is listed once, sorted', () => {
  const rules = buildInhibitRules([
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="medium"'] },
    { source_matchers: ['alertname="Outage"'], target_matchers: ['severity=~".+"'] },
  ]);
  const idx = new InhibitionIndex(rules, [a('z', { severity: 'critical', alertname: 'Outage' }), a('b', { severity: 'critical' }), a('o', { alertname: 'Outage' })]);
  assert.deepEqual(idx.inhibitedBy('t', { severity: 'medium' }), ['b', 'o', 'z']);
});

test('config errors name the entry', () => {
  const fails = (cfg: unknown, key: string, re: RegExp) => assert.throws(() => buildInhibitRules(cfg), (e: unknown) => e instanceof ConfigError && e.key === key && re.test(e.message), key);
  fails([{ source_matchers: [], target_matchers: ['a="b"'] }], 'alerting.inhibitRules[0].source_matchers', /at least one matcher/);
  fails([suggestedInhibitRules[0], { source_matchers: ['a="b"'] }], 'alerting.inhibitRules[1].target_matchers', /at least one matcher/);
  fails([{ source_matchers: ['a="b"'], target_matchers: ['a=~"("'] }], 'alerting.inhibitRules[0].target_matchers[0]', /invalid regex/);
  fails([{ source_match: { a: 'b' }, target_matchers: ['a="b"'] }], 'alerting.inhibitRules[0].source_match', /unknown key; write source_matchers/);
  fails([{ source_matchers: ['a="b"'], target_matchers: ['a="c"'], equal: ['service', 'no-dash'] }], 'alerting.inhibitRules[0].equal[1]', /must be a label name/);
  fails({}, 'alerting.inhibitRules', /must be a list/);
  fails(['x'], 'alerting.inhibitRules[0]', /must be an object/);
  assert.deepEqual(buildInhibitRules(undefined), []);
});

test('the index is kept one alert at a time and reports the targets a source change affects', () => {
  const idx = new InhibitionIndex(buildInhibitRules(suggestedInhibitRules));
  assert.deepEqual(idx.upsert(a('m1', { service: 'api', severity: 'medium' })), []);
  assert.deepEqual(idx.upsert(a('m2', { service: 'web', severity: 'medium' })), []);
  assert.deepEqual(idx.upsert(a('c1', { service: 'api', severity: 'critical' })), ['m1']);
  assert.deepEqual(idx.inhibitedBy('m1', { service: 'api', severity: 'medium' }), ['c1']);
  assert.deepEqual(idx.upsert(a('c1', { service: 'api', severity: 'critical' }, 'resolved')), ['m1']);
  assert.deepEqual(idx.inhibitedBy('m1', { service: 'api', severity: 'medium' }), []);
  idx.upsert(a('c1', { service: 'api', severity: 'critical' }));
  assert.deepEqual(idx.remove('c1'), ['m1']);
  assert.deepEqual(idx.inhibitedBy('m1', { service: 'api', severity: 'medium' }), []);
  assert.deepEqual(idx.remove('m1'), []);
  assert.deepEqual(idx.remove('unknown'), []);
});
