// The dispatcher on an injected clock: exact group_wait/group_interval/repeat timing, grouping, continue, dedup,
// resolution, silences, inhibition, nextDueMs, bounds and snapshot/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Alert, Labels, Notification } from './model.js';
import { Dispatcher } from './dispatcher.js';
import { buildInhibitRules, suggestedInhibitRules } from './inhibit.js';
import { buildRoute, type RouteConfig } from './route.js';
import { SilenceStore } from './silences.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const sec = 1000;
const min = 60_000;
const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function alert(labels: Labels, opts: { startsAt?: number; annotations?: Record<string, string> } = {}): Alert {
  const l = { alertname: 'HighErrorRate', ...labels };
  return {
    fingerprint: createHash('sha256').update(JSON.stringify(Object.entries(l).sort())).digest('hex').slice(0, 16),
    labels: l, annotations: opts.annotations ?? { summary: 'errors are up' }, status: 'firing', startsAt: iso(opts.startsAt ?? T0),
    generatorURL: 'http://localhost:8080/', samples: ['GET /x 500'], windowStart: iso(T0), windowEnd: iso(T0 + min),
  };
}
const resolve = (a: Alert, at: number): Alert => ({ ...a, status: 'resolved', endsAt: iso(at) });

function setup(route: RouteConfig, opts: { inhibit?: unknown; maxAlerts?: number } = {}) {
  let n = 0;
  const silences = new SilenceStore({ newId: () => `s${++n}` });
  const make = () => new Dispatcher(buildRoute(route, ['default', 'pager', 'team-a']), buildInhibitRules(opts.inhibit ?? []), silences, { externalURL: 'http://logsift.test', maxAlerts: opts.maxAlerts });
  return { d: make(), silences, make };
}

/** Each notification as `receiver groupKey status [service+host:status ...]` (alerts sorted), for compact exact assertions. */
const brief = (ns: Notification[]) => ns.map((n) => `${n.receiver} ${n.groupKey} ${n.status} [${n.alerts.map((a) => `${a.labels.service ?? ''}${a.labels.host ?? ''}:${a.status}`).sort().join(' ')}]`);

const timed: RouteConfig = { receiver: 'default', group_by: ['service'], group_wait: '30s', group_interval: '5m', repeat_interval: '1h' };

test('group_wait from the first alert, group_interval for changes, repeat_interval for an unchanged group', () => {
  const { d } = setup(timed);
  const a1 = alert({ service: 'api', host: '1' });
  assert.equal(d.add(a1, T0), 'new');
  assert.equal(d.nextDueMs(), T0 + 30 * sec);
  d.add(alert({ service: 'api', host: '2' }), T0 + 10 * sec);
  assert.equal(d.nextDueMs(), T0 + 30 * sec, 'a later alert does not push group_wait back');
  assert.deepEqual(d.tick(T0 + 30 * sec - 1), []);
  const first = d.tick(T0 + 30 * sec);
  assert.deepEqual(brief(first), ['default alerting.route:{service="api"} firing [api1:firing api2:firing]']);
  assert.deepEqual(d.tick(T0 + 30 * sec), [], 'nothing twice');
  assert.equal(d.nextDueMs(), T0 + 30 * sec + hour, 'unchanged: the repeat is next');
  d.add(alert({ service: 'api', host: '3' }), T0 + 60 * sec);
  assert.equal(d.nextDueMs(), T0 + 30 * sec + 5 * min);
  assert.deepEqual(d.tick(T0 + 30 * sec + 5 * min - 1), []);
  const second = d.tick(T0 + 30 * sec + 5 * min);
  assert.deepEqual(brief(second), ['default alerting.route:{service="api"} firing [api1:firing api2:firing api3:firing]']);
  const t2 = T0 + 30 * sec + 5 * min;
  assert.equal(d.nextDueMs(), t2 + hour);
  assert.deepEqual(d.tick(t2 + hour - 1), []);
  const repeat = d.tick(t2 + hour);
  assert.deepEqual(brief(repeat), brief(second));
  assert.equal(repeat[0]!.idempotencyKey, second[0]!.idempotencyKey, 'same content, same key');
  assert.equal(d.nextDueMs(), t2 + 2 * hour);
});

test('a change long after the last notification is sent at once (group_interval is a minimum gap, not a ticker)', () => {
  const { d } = setup(timed);
  d.add(alert({ service: 'api', host: '1' }), T0);
  d.tick(T0 + 30 * sec);
  d.add(alert({ service: 'api', host: '2' }), T0 + 20 * min);
  assert.equal(d.nextDueMs(), T0 + 30 * sec + 5 * min);
  assert.equal(d.tick(T0 + 20 * min).length, 1);
});

test('grouping: one group per group_by value set, [] for one group, ... for one per label set', () => {
  const alerts = [alert({ service: 'api', host: '1' }), alert({ service: 'api', host: '2' }), alert({ service: 'web', host: '1' })];
  const run = (group_by: string[]) => {
    const { d } = setup({ receiver: 'default', group_by, group_wait: 0 });
    for (const a of alerts) d.add(a, T0);
    return d.tick(T0);
  };
  const byService = run(['service']);
  assert.deepEqual(brief(byService), [
    'default alerting.route:{service="api"} firing [api1:firing api2:firing]',
    'default alerting.route:{service="web"} firing [web1:firing]',
  ]);
  assert.deepEqual(byService[0]!.groupLabels, { service: 'api' });
  assert.deepEqual(byService[0]!.commonLabels, { alertname: 'HighErrorRate', service: 'api' });
  assert.equal(byService[0]!.externalURL, 'http://logsift.test');
  assert.deepEqual(brief(run([])), ['default alerting.route:{} firing [api1:firing api2:firing web1:firing]']);
  assert.equal(run([])[0]!.commonLabels.service, undefined);
  assert.deepEqual(run(['...']).map((n) => n.groupKey), [
    'alerting.route:{alertname="HighErrorRate",host="1",service="api"}',
    'alerting.route:{alertname="HighErrorRate",host="1",service="web"}',
    'alerting.route:{alertname="HighErrorRate",host="2",service="api"}',
  ]);
});

test('continue sends to every matching route, each with its own (inherited) timers', () => {
  const { d } = setup({
    receiver: 'default', group_by: ['service'], group_wait: '30s',
    routes: [{ receiver: 'pager', matchers: ['severity="critical"'], continue: true, group_wait: 0 }, { receiver: 'team-a', matchers: ['team="a"'] }],
  });
  d.add(alert({ service: 'api', team: 'a', severity: 'critical' }), T0);
  d.add(alert({ service: 'web', team: 'b', severity: 'low' }), T0);
  assert.equal(d.nextDueMs(), T0, 'group_wait 0: due at once');
  assert.deepEqual(brief(d.tick(T0)), ['pager alerting.route.routes[0]:{service="api"} firing [api:firing]']);
  assert.equal(d.nextDueMs(), T0 + 30 * sec);
  assert.deepEqual(brief(d.tick(T0 + 30 * sec)), [
    'team-a alerting.route.routes[1]:{service="api"} firing [api:firing]',
    'default alerting.route:{service="web"} firing [web:firing]',
  ], 'ordered by group key');
});

test('the same alert added again is one alert and not a change', () => {
  const { d } = setup(timed);
  const a = alert({ service: 'api' });
  assert.equal(d.add(a, T0), 'new');
  assert.equal(d.add({ ...a, samples: ['another line'] }, T0 + sec), 'unchanged');
  const [n] = d.tick(T0 + 30 * sec);
  assert.equal(n!.alerts.length, 1);
  assert.deepEqual(n!.alerts[0]!.samples, ['another line'], 'the newest copy is sent');
  assert.equal(d.add(a, T0 + min), 'unchanged');
  assert.equal(d.nextDueMs(), T0 + 30 * sec + hour);
  assert.deepEqual(d.tick(T0 + 30 * sec + 5 * min), []);
  assert.equal(d.alerts().length, 1);
});

test('a changed annotation is a change, sent after group_interval', () => {
  const { d } = setup(timed);
  const a = alert({ service: 'api' });
  d.add(a, T0);
  d.tick(T0 + 30 * sec);
  assert.equal(d.add(alert({ service: 'api' }, { annotations: { summary: 'errors are way up' } }), T0 + min), 'updated');
  const [n] = d.tick(T0 + 30 * sec + 5 * min);
  assert.equal(n!.alerts[0]!.annotations.summary, 'errors are way up');
});

test('resolution: firing, then one resolved notification, then gone', () => {
  const { d } = setup(timed);
  const api1 = alert({ service: 'api', host: '1' });
  const api2 = alert({ service: 'api', host: '2' });
  d.add(api1, T0);
  d.add(api2, T0);
  d.tick(T0 + 30 * sec);
  assert.equal(d.add(resolve(api1, T0 + 2 * min), T0 + 2 * min), 'updated');
  assert.equal(d.nextDueMs(), T0 + 30 * sec + 5 * min);
  const [mixed] = d.tick(T0 + 30 * sec + 5 * min);
  assert.deepEqual(brief([mixed!]), ['default alerting.route:{service="api"} firing [api1:resolved api2:firing]']);
  assert.equal(mixed!.alerts[0]!.endsAt, iso(T0 + 2 * min));
  assert.deepEqual(d.alerts().map((s) => s.alert.labels.host), ['2'], 'the sent resolved alert is dropped');
  d.add(resolve(api2, T0 + 6 * min), T0 + 6 * min);
  const t = T0 + 30 * sec + 10 * min;
  assert.equal(d.nextDueMs(), t);
  assert.deepEqual(brief(d.tick(t)), ['default alerting.route:{service="api"} resolved [api2:resolved]']);
  assert.deepEqual(d.groups(), []);
  assert.deepEqual(d.alerts(), []);
  assert.equal(d.nextDueMs(), undefined);
  assert.deepEqual(d.tick(t + 10 * hour), []);
  assert.equal(d.add(resolve(api2, T0 + 7 * min), t), 'ignored', 'a resolve for an unknown alert is ignored');
});

test('an alert that fires and resolves within group_wait is never sent', () => {
  const { d } = setup(timed);
  const a = alert({ service: 'api' });
  d.add(a, T0);
  d.add(resolve(a, T0 + 10 * sec), T0 + 10 * sec);
  assert.deepEqual(d.groups(), []);
  assert.equal(d.nextDueMs(), undefined);
  assert.deepEqual(d.tick(T0 + 30 * sec), []);
});

test('silences: active ones mute, pending and expired ones do not; a silence ending makes the group due', () => {
  const { d, silences } = setup({ ...timed, group_by: [] });
  const s1 = silences.create({ matchers: ['service=~"api|web"', 'host!="keep"'], endsAt: iso(T0 + 10 * min), createdBy: 'ana', comment: 'deploy' }, T0);
  silences.create({ matchers: ['service="db"'], startsAt: iso(T0 + hour), endsAt: iso(T0 + 2 * hour), createdBy: 'ana', comment: 'later' }, T0);
  silences.create({ matchers: ['service="queue"'], endsAt: iso(T0 + 1), createdBy: 'ana', comment: 'over' }, T0);
  for (const service of ['api', 'web', 'db', 'queue']) d.add(alert({ service }), T0);
  d.add(alert({ service: 'api', host: 'keep' }), T0);
  assert.deepEqual(brief(d.tick(T0 + 30 * sec)), ['default alerting.route:{} firing [apikeep:firing db:firing queue:firing]']);
  const api = d.alerts().find((s) => s.alert.labels.service === 'api' && !s.alert.labels.host)!;
  assert.deepEqual([api.state, api.silencedBy, api.inhibitedBy], ['suppressed', [s1.id], []]);
  assert.equal(d.nextDueMs(), T0 + 10 * min, 'the silence end is the next moment something can change');
  assert.deepEqual(brief(d.tick(T0 + 10 * min)), ['default alerting.route:{} firing [api:firing apikeep:firing db:firing queue:firing web:firing]']);
});

test('a group whose alerts are all silenced sends nothing, and expiring the silence brings it back', () => {
  const { d, silences } = setup(timed);
  const s = silences.create({ matchers: ['service="api"'], endsAt: iso(T0 + 3 * hour), createdBy: 'ana', comment: 'noisy' }, T0);
  d.add(alert({ service: 'api' }), T0);
  assert.equal(d.nextDueMs(), T0 + 3 * hour, 'only the silence end is pending');
  assert.deepEqual(d.tick(T0 + 30 * sec), []);
  assert.equal(d.groups().length, 1, 'the group is kept while its alert fires');
  silences.expire(s.id, T0 + 2 * min);
  assert.equal(d.nextDueMs(T0 + 2 * min), T0 + 30 * sec, 'overdue: due at once');
  assert.equal(d.tick(T0 + 2 * min).length, 1);
  silences.create({ matchers: ['alertname="HighErrorRate"'], endsAt: iso(T0 + 5 * hour), createdBy: 'bo', comment: 'again' }, T0 + 3 * min);
  assert.deepEqual(d.alerts(T0 + 3 * min).map((a) => a.state), ['suppressed'], 'a new silence applies to alerts already held');
  assert.deepEqual(d.tick(T0 + 2 * min + hour), [], 'no repeat while silenced');
});

test('a resolve that arrives while silenced is sent once the silence ends (so the receiver can close what it opened)', () => {
  const { d, silences } = setup(timed);
  const a = alert({ service: 'api' });
  d.add(a, T0);
  d.tick(T0 + 30 * sec);
  silences.create({ matchers: ['service="api"'], endsAt: iso(T0 + 20 * min), createdBy: 'ana', comment: 'fixing' }, T0 + min);
  d.add(resolve(a, T0 + 2 * min), T0 + 2 * min);
  assert.equal(d.nextDueMs(T0 + 2 * min), T0 + 20 * min);
  assert.deepEqual(d.tick(T0 + 10 * min), []);
  assert.deepEqual(brief(d.tick(T0 + 20 * min)), ['default alerting.route:{service="api"} resolved [api:resolved]']);
  assert.deepEqual(d.groups(), []);
});

test('inhibition: a critical alert mutes medium of the same service, not of another', () => {
  const { d } = setup({ ...timed, group_by: [] }, { inhibit: suggestedInhibitRules });
  const crit = alert({ service: 'api', severity: 'critical' }, { startsAt: T0 });
  d.add(crit, T0);
  d.add(alert({ service: 'api', severity: 'medium' }, { startsAt: T0 + 1 }), T0);
  d.add(alert({ service: 'web', severity: 'medium' }, { startsAt: T0 + 2 }), T0);
  const [n] = d.tick(T0 + 30 * sec);
  assert.deepEqual(n!.alerts.map((a) => `${a.labels.service}/${a.labels.severity}`), ['api/critical', 'web/medium']);
  const muted = d.alerts().find((s) => s.alert.labels.severity === 'medium' && s.alert.labels.service === 'api')!;
  assert.deepEqual(muted.inhibitedBy, [crit.fingerprint]);
  d.add(resolve(crit, T0 + min), T0 + min);
  const [after] = d.tick(T0 + 30 * sec + 5 * min);
  assert.deepEqual(after!.alerts.map((a) => `${a.labels.service}/${a.labels.severity}:${a.status}`), ['api/critical:resolved', 'api/medium:firing', 'web/medium:firing']);
});

test('a group whose alerts are all inhibited sends nothing', () => {
  const { d } = setup({ ...timed, group_by: ['severity'] }, { inhibit: suggestedInhibitRules });
  d.add(alert({ service: 'api', severity: 'critical' }), T0);
  d.add(alert({ service: 'api', severity: 'high' }), T0);
  assert.deepEqual(d.tick(T0 + 30 * sec).map((n) => n.groupKey), ['alerting.route:{severity="critical"}']);
  assert.deepEqual(d.groups().map((g) => [g.groupKey, g.nextDueMs]), [['alerting.route:{severity="critical"}', T0 + 30 * sec + hour], ['alerting.route:{severity="high"}', undefined]]);
});

test('idempotency key: sha256 of receiver, group key and the sorted (fingerprint, status, startsAt, endsAt) list', () => {
  const run = () => {
    const { d } = setup({ ...timed, group_wait: 0 });
    const a = alert({ service: 'api', host: '2' });
    const b = alert({ service: 'api', host: '1' });
    d.add(a, T0);
    d.add(b, T0);
    return { n: d.tick(T0)[0]!, a, b };
  };
  const { n, a, b } = run();
  const items = [a, b].map((x) => [x.fingerprint, 'firing', iso(T0), null]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1));
  const expected = createHash('sha256').update(JSON.stringify(['default', 'alerting.route:{service="api"}', items])).digest('hex');
  assert.equal(n.idempotencyKey, expected);
  assert.equal(run().n.idempotencyKey, expected, 'deterministic');
});

test('bounded: the least recently updated resolved alert is evicted first, then the oldest firing; evictions are counted', () => {
  const { d } = setup({ ...timed, group_wait: 0 }, { maxAlerts: 2 });
  const a = alert({ service: 'api' });
  const b = alert({ service: 'web' });
  d.add(a, T0);
  d.add(b, T0);
  d.tick(T0);
  d.add(resolve(a, T0 + sec), T0 + sec);
  d.add(alert({ service: 'db' }), T0 + 2 * sec);
  assert.deepEqual(d.alerts().map((s) => s.alert.labels.service).sort(), ['db', 'web']);
  assert.equal(d.evictedAlerts, 1);
  d.add(alert({ service: 'queue' }), T0 + 3 * sec);
  assert.deepEqual(d.alerts().map((s) => s.alert.labels.service).sort(), ['db', 'queue']);
  assert.equal(d.evictedAlerts, 2);
  assert.deepEqual(d.groups().map((g) => g.groupLabels.service), ['db', 'queue']);
});

test('snapshot and restore through JSON give the same future notifications', () => {
  const { d, make, silences } = setup({ ...timed, routes: [{ receiver: 'pager', matchers: ['severity="critical"'], continue: true, group_wait: 0 }] }, { inhibit: suggestedInhibitRules });
  silences.create({ matchers: ['service="db"'], endsAt: iso(T0 + 20 * min), createdBy: 'ana', comment: 'x' }, T0);
  const api = alert({ service: 'api', severity: 'critical' });
  d.add(api, T0);
  d.add(alert({ service: 'api', severity: 'medium' }), T0);
  d.add(alert({ service: 'db', severity: 'high' }), T0);
  d.add(alert({ service: 'web', severity: 'low' }), T0 + 10 * sec);
  d.tick(T0);
  d.tick(T0 + 30 * sec);
  d.add(resolve(api, T0 + min), T0 + min);
  d.add(alert({ service: 'web', severity: 'high' }), T0 + 2 * min);
  const copy = make();
  copy.restore(JSON.parse(JSON.stringify(d.snapshot())), T0 + 3 * min);
  assert.deepEqual(copy.groups(), d.groups());
  assert.deepEqual(copy.alerts(), d.alerts());
  const script: [number, Alert | undefined][] = [[T0 + 4 * min, undefined], [T0 + 6 * min, alert({ service: 'queue' })], [T0 + 20 * min, undefined], [T0 + 2 * hour, undefined]];
  let total = 0;
  for (const [t, add] of script) {
    if (add) { d.add(add, t); copy.add(add, t); }
    assert.equal(copy.nextDueMs(t), d.nextDueMs(t));
    const [x, y] = [d.tick(t), copy.tick(t)];
    assert.deepEqual(y, x, `at +${(t - T0) / min} min`);
    total += x.length;
  }
  assert.ok(total >= 4, `the script exercises sends (${total})`);
  assert.throws(() => copy.restore({ version: 9 }, T0), ValidationError);
});

test('restore under a changed route: known groups keep their timers, new ones start at the restore', () => {
  const { d } = setup(timed);
  d.add(alert({ service: 'api' }), T0);
  d.tick(T0 + 30 * sec);
  const moved = new Dispatcher(buildRoute({ ...timed, group_by: ['alertname'] }, ['default']), [], new SilenceStore(), { externalURL: 'x' });
  moved.restore(d.snapshot(), T0 + hour);
  assert.deepEqual(moved.groups().map((g) => [g.groupKey, g.createdAtMs, g.nextDueMs]), [['alerting.route:{alertname="HighErrorRate"}', T0 + hour, T0 + hour + 30 * sec]]);
  const same = setup(timed).make();
  same.restore(d.snapshot(), T0 + hour);
  assert.deepEqual(same.groups().map((g) => [g.createdAtMs, g.lastNotifiedMs, g.nextDueMs]), [[T0, T0 + 30 * sec, T0 + 30 * sec + hour]]);
});

test('malformed alerts are refused with the problems named', () => {
  const { d } = setup(timed);
  assert.throws(() => d.add({ ...alert({}), fingerprint: '', status: 'open' } as unknown as Alert, T0),
    (e: unknown) => e instanceof ValidationError && /fingerprint must be a non-empty string; status must be firing or resolved/.test(e.message));
  assert.throws(() => setup(timed, { maxAlerts: 0 }).make(), /maxAlerts must be a positive integer/);
});

test('randomized: the cached state always agrees with a dispatcher rebuilt from a snapshot', () => {
  // DISPATCH_SEED=n runs another sequence (a failure prints the step).
  let seed = Number(process.env.DISPATCH_SEED ?? 42);
  const rand = (n: number) => {
    // mulberry32: small, seeded, well mixed.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const route: RouteConfig = {
    receiver: 'default', group_by: ['service'], group_wait: '10s', group_interval: '1m', repeat_interval: '10m',
    routes: [{ receiver: 'pager', matchers: ['severity="critical"'], continue: true, group_wait: 0, group_by: ['...'] }, { receiver: 'team-a', matchers: ['team="a"'] }],
  };
  const { d, make, silences } = setup(route, { inhibit: suggestedInhibitRules, maxAlerts: 12 });
  const held = new Map<string, Alert>();
  let now = T0;
  let sent = 0;
  for (let step = 0; step < 1500; step++) {
    const op = rand(10);
    if (op < 4) {
      const a = alert({ service: pick(['api', 'web', 'db']), severity: pick(['low', 'medium', 'high', 'critical']), team: pick(['a', 'b']), host: pick(['1', '2']) },
        { annotations: { summary: pick(['up', 'way up']) } });
      held.set(a.fingerprint, a);
      d.add(a, now);
    } else if (op < 6 && held.size > 0) {
      const a = pick([...held.values()]);
      held.delete(a.fingerprint);
      d.add(resolve(a, now), now);
    } else if (op === 6) {
      const m = pick(['service="api"', 'severity=~"low|medium"', 'team="b"', 'host="2"']);
      silences.create({ matchers: [m], startsAt: iso(now + rand(3) * min), endsAt: iso(now + (3 + rand(20)) * min), createdBy: 't', comment: 'c' }, now);
    } else if (op === 7) {
      const active = silences.list(now, 'active');
      if (active.length > 0) silences.expire(pick(active).id, now);
    } else {
      now += pick([0, 1, 5 * sec, 30 * sec, 2 * min, 7 * min]);
    }
    const fresh = make();
    fresh.restore(JSON.parse(JSON.stringify(d.snapshot())), now);
    assert.equal(d.nextDueMs(now), fresh.nextDueMs(now), `nextDueMs at step ${step}`);
    assert.deepEqual(d.alerts(now), fresh.alerts(now), `alerts at step ${step}`);
    const out = d.tick(now);
    assert.deepEqual(out, fresh.tick(now), `tick at step ${step}`);
    sent += out.length;
  }
  assert.ok(sent > 40, `notifications were sent (${sent})`);
  assert.ok(d.evictedAlerts > 0, 'eviction was exercised');
});
