// The routing tree: durations, defaults and inheritance, depth-first matching with continue, and errors that name the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { buildInhibitRules, InhibitionIndex } from './inhibit.js';
import { buildRoute, defaultRouteConfig, parseDurationMs, routeDefaults } from './route.js';

const receivers = ['default', 'pager', 'team-a', 'team-b'];

function throwsConfig(fn: () => unknown, key: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && e.key === key && re.test(e.message), `${key} ${re}`);
}

test('durations: Prometheus units, combinations, milliseconds as numbers', () => {
  assert.equal(parseDurationMs('30s', 'k'), 30_000);
  assert.equal(parseDurationMs('5m', 'k'), 300_000);
  assert.equal(parseDurationMs('4h', 'k'), 14_400_000);
  assert.equal(parseDurationMs('1h30m', 'k'), 5_400_000);
  assert.equal(parseDurationMs('1d', 'k'), 86_400_000);
  assert.equal(parseDurationMs('1w', 'k'), 604_800_000);
  assert.equal(parseDurationMs('500ms', 'k'), 500);
  assert.equal(parseDurationMs('0s', 'k'), 0);
  assert.equal(parseDurationMs('0', 'k'), 0);
  assert.equal(parseDurationMs(1500, 'k'), 1500);
  for (const bad of ['', '5', '5 minutes', '1.5s', '-1s', '30m1h', 's']) throwsConfig(() => parseDurationMs(bad, 'x.group_wait'), 'x.group_wait', /must be a duration such as "30s"/);
  throwsConfig(() => parseDurationMs(-1, 'k'), 'k', /non-negative number of milliseconds/);
  throwsConfig(() => parseDurationMs(1.5, 'k'), 'k', /whole/);
  throwsConfig(() => parseDurationMs(true, 'k'), 'k', /must be a duration/);
});

test('Alertmanager defaults on the root; children inherit what they leave unset', () => {
  const root = buildRoute({
    receiver: 'default', group_by: ['alertname'],
    routes: [{ matchers: ['team="a"'], group_wait: '10s', routes: [{ matchers: ['severity="critical"'], receiver: 'pager', group_by: ['service'] }, { matchers: ['severity="low"'] }] }],
  }, receivers);
  assert.equal(root.id, 'alerting.route');
  assert.deepEqual([root.groupWaitMs, root.groupIntervalMs, root.repeatIntervalMs], [routeDefaults.groupWaitMs, 300_000, 14_400_000]);
  const teamA = root.routes[0]!;
  assert.equal(teamA.id, 'alerting.route.routes[0]');
  assert.deepEqual([teamA.receiver, teamA.groupBy, teamA.groupWaitMs, teamA.groupIntervalMs], ['default', ['alertname'], 10_000, 300_000]);
  const critical = teamA.routes[0]!;
  assert.deepEqual([critical.receiver, critical.groupBy, critical.groupWaitMs, critical.repeatIntervalMs], ['pager', ['service'], 10_000, 14_400_000]);
  const low = teamA.routes[1]!;
  assert.deepEqual([low.receiver, low.groupBy, low.groupWaitMs], ['default', ['alertname'], 10_000]);
  assert.deepEqual(buildRoute(defaultRouteConfig('default'), receivers).groupBy, ['alertname', 'service']);
});

test('matching: first matching child wins, continue goes on to siblings, no matching child means the parent', () => {
  const root = buildRoute({
    receiver: 'default',
    routes: [
      { receiver: 'pager', matchers: ['severity="critical"'], continue: true },
      { receiver: 'team-a', matchers: ['team="a"'], routes: [{ receiver: 'pager', matchers: ['service="db"'] }] },
      { receiver: 'team-b', matchers: ['team=~"a|b"'] },
    ],
  }, receivers);
  const ids = (labels: Record<string, string>) => root.match(labels).map((r) => `${r.id}>${r.receiver}`);
  assert.deepEqual(ids({ team: 'a' }), ['alerting.route.routes[1]>team-a']);
  assert.deepEqual(ids({ team: 'a', service: 'db' }), ['alerting.route.routes[1].routes[0]>pager']);
  assert.deepEqual(ids({ team: 'b' }), ['alerting.route.routes[2]>team-b']);
  assert.deepEqual(ids({ team: 'a', severity: 'critical' }), ['alerting.route.routes[0]>pager', 'alerting.route.routes[1]>team-a']);
  assert.deepEqual(ids({ severity: 'critical' }), ['alerting.route.routes[0]>pager']);
  assert.deepEqual(ids({ team: 'c' }), ['alerting.route>default']);
});

test('group labels: the group_by labels the alert has; ... takes all of them', () => {
  const byService = buildRoute({ receiver: 'default', group_by: ['service', 'alertname'] }, receivers);
  assert.deepEqual(byService.groupLabels({ service: 'api', host: 'h1' }), { service: 'api' });
  const all = buildRoute({ receiver: 'default', group_by: ['...'] }, receivers);
  assert.equal(all.groupByAll, true);
  assert.deepEqual(all.groupLabels({ service: 'api', host: 'h1' }), { service: 'api', host: 'h1' });
  assert.deepEqual(buildRoute({ receiver: 'default', group_by: [] }, receivers).groupLabels({ service: 'api' }), {});
});

test('validation errors name the path and what to change', () => {
  const build = (route: unknown, names = receivers) => () => buildRoute(route, names);
  throwsConfig(build({ receiver: 'default', routes: [{ receiver: 'team-a' }, { receiver: 'nobody' }] }), 'alerting.route.routes[1].receiver', /no receiver named "nobody"; known receivers: default, pager, team-a, team-b/);
  throwsConfig(build({ receiver: 'default' }, []), 'alerting.route.receiver', /no receiver named "default"; no receivers are configured/);
  throwsConfig(build({ receiver: 'default', routes: [{}, { matchers: ['service=~"("'] }] }), 'alerting.route.routes[1].matchers[0]', /invalid regex/);
  throwsConfig(build({ receiver: 'default', routes: [{ match: { service: 'api' } }] }), 'alerting.route.routes[0].match', /unknown key; write matchers: \['name="value"'\]/);
  throwsConfig(build({ receiver: 'default', routes: [{ group_wiat: '1s' }] }), 'alerting.route.routes[0].group_wiat', /unknown key; allowed keys here: receiver, matchers/);
  throwsConfig(build({ receiver: 'default', matchers: ['service="api"'] }), 'alerting.route.matchers', /root route takes every alert/);
  throwsConfig(build({ receiver: 'default', continue: true }), 'alerting.route.continue', /root route cannot have continue/);
  throwsConfig(build({ group_by: ['alertname'] }), 'alerting.route.receiver', /root route must name a receiver/);
  throwsConfig(build({ receiver: 'default', group_by: ['...', 'service'] }), 'alerting.route.group_by', /'\.\.\.' \(every label\) must be the only entry/);
  throwsConfig(build({ receiver: 'default', group_by: ['service', 'service'] }), 'alerting.route.group_by[1]', /listed twice/);
  throwsConfig(build({ receiver: 'default', group_by: ['bad-name'] }), 'alerting.route.group_by[0]', /must be a label name/);
  throwsConfig(build({ receiver: 'default', routes: [{ group_interval: '0s' }] }), 'alerting.route.routes[0].group_interval', /greater than zero/);
  throwsConfig(build({ receiver: 'default', repeat_interval: 'often' }), 'alerting.route.repeat_interval', /must be a duration/);
  throwsConfig(build({ receiver: 'default', routes: [{ continue: 'yes' }] }), 'alerting.route.routes[0].continue', /true or false/);
  throwsConfig(build({ receiver: 'default', routes: {} }), 'alerting.route.routes', /must be a list of routes/);
  throwsConfig(build({ receiver: 'default', routes: ['x'] }), 'alerting.route.routes[0]', /must be a route object/);
  throwsConfig(build(null), 'alerting.route', /must be a route object/);
  throwsConfig(() => buildRoute({ receiver: 'x' }, receivers, 'alerts.tree'), 'alerts.tree.receiver', /no receiver named "x"/);
  assert.doesNotThrow(build({ receiver: 'default', group_wait: 0, matchers: [] }));
});

test('the example in docs/alerting-routing.md builds and routes as the doc says', () => {
  const doc = readFileSync(new URL('../../docs/alerting-routing.md', import.meta.url), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(yaml, 'the doc has a yaml example');
  const { alerting } = parseYaml(yaml) as { alerting: { receivers: { name: string }[]; route: unknown; inhibitRules: unknown } };
  const root = buildRoute(alerting.route, alerting.receivers.map((r) => r.name));
  const to = (labels: Record<string, string>) => root.match(labels).map((r) => `${r.receiver}/${r.groupWaitMs}`);
  assert.deepEqual(to({ alertname: 'X', service: 'payments', severity: 'critical' }), ['pager/0', 'payments-team/30000']);
  assert.deepEqual(to({ alertname: 'X', service: 'web', severity: 'medium' }), ['ops-slack/30000']);
  const idx = new InhibitionIndex(buildInhibitRules(alerting.inhibitRules), [{ fingerprint: 'c', labels: { service: 'payments', severity: 'critical' }, status: 'firing' }]);
  assert.deepEqual(idx.inhibitedBy('m', { service: 'payments', severity: 'medium' }), ['c']);
  assert.deepEqual(idx.inhibitedBy('w', { service: 'web', severity: 'medium' }), []);
});
