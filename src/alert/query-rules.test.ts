// Query rules: the condition per result group, `for`, resolution, and validation naming the rule and the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from './model.js';
import { QueryRuleRunner, holds, parseQueryRules } from './query-rules.js';

const check = (q: string) => { if (!q.includes('| stats')) throw new Error('not an aggregation'); };

test('a group fires once its value met the condition for `for`, once; it resolves when it stops or leaves the result', async () => {
  const [rule] = parseQueryRules([{ name: 'errors', query: 'level:error | stats count() as n by (service)', condition: '> 100', every: '30s', for: '1m', labels: { team: 'core' } }], check);
  let rows: Record<string, unknown>[] = [];
  const raised: Alert[] = [];
  const runner = new QueryRuleRunner([rule!], async () => rows, async (a) => { raised.push(a); }, () => 0, (q) => `http://x/#/search?q=${encodeURIComponent(q)}`, () => undefined);
  const T = 1_700_000_000_000;
  rows = [{ service: 'api', n: 150 }, { service: 'web', n: 5 }];
  await runner.evaluateRule(rule!, T);
  assert.equal(raised.length, 0, 'pending: not yet for 1m');
  await runner.evaluateRule(rule!, T + 30_000);
  assert.equal(raised.length, 0);
  rows = [{ service: 'api', n: 170 }, { service: 'web', n: 5 }];
  await runner.evaluateRule(rule!, T + 60_000);
  assert.equal(raised.length, 1);
  assert.deepEqual(raised[0]?.labels, { service: 'api', team: 'core', alertname: 'errors', severity: 'medium' });
  assert.equal(raised[0]?.status, 'firing');
  assert.equal(raised[0]?.startsAt, new Date(T).toISOString());
  assert.match(raised[0]?.annotations.description ?? '', /gives 170 for service=api, > 100, since/);
  await runner.evaluateRule(rule!, T + 90_000);
  assert.equal(raised.length, 1, 'still firing: not raised again');
  rows = [{ service: 'web', n: 5 }];
  await runner.evaluateRule(rule!, T + 120_000);
  assert.equal(raised.length, 2);
  assert.equal(raised[1]?.status, 'resolved');
  assert.equal(raised[1]?.endsAt, new Date(T + 120_000).toISOString());
  assert.equal(raised[1]?.fingerprint, raised[0]?.fingerprint);
});

test('conditions and rules are validated; errors name the rule and the key', () => {
  assert.ok(holds('>=', 5, 5) && holds('!=', 4, 5) && !holds('<', 5, 5) && holds('==', 5, 5));
  assert.throws(() => parseQueryRules([{ name: 'x', query: 'a | stats count()', condition: 'more than 5' }], check), /alerting\.queryRules\[0\] \(x\)\.condition": .*write an operator/);
  assert.throws(() => parseQueryRules([{ name: 'x', query: 'level:error', condition: '> 5' }], check), /alerting\.queryRules\[0\] \(x\)\.query": not an aggregation/);
  assert.throws(() => parseQueryRules([{ name: 'x', query: 'a | stats count()', condition: '> 5', every: '10x' }], check), /alerting\.queryRules\[0\] \(x\)\.every/);
  assert.throws(() => parseQueryRules([{ name: 'x', query: 'a | stats count()', condition: '> 5' }], check, new Set(['x'])), /another rule is named "x"/);
});
