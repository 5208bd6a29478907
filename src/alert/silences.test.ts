// The silence store: validation, pending/active/expired over time, matching, expiry, bounds, retention and snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { SilenceStore } from './silences.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const min = 60_000;

function store(opts: { maxSilences?: number; retentionMs?: number } = {}): SilenceStore {
  let n = 0;
  return new SilenceStore({ ...opts, newId: () => `s${++n}` });
}
const input = (over: Record<string, unknown> = {}) => ({ matchers: ['service="api"'], endsAt: iso(T0 + 60 * min), createdBy: 'ana', comment: 'deploy', ...over });

function throwsValidation(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && re.test(e.message), String(re));
}

test('a silence is pending, then active (muting matching alerts), then expired', () => {
  const s = store();
  const created = s.create(input({ startsAt: iso(T0 + 10 * min) }), T0);
  assert.deepEqual(created, {
    id: 's1', matchers: [{ name: 'service', value: 'api', isRegex: false, isEqual: true }], startsAt: iso(T0 + 10 * min), endsAt: iso(T0 + 60 * min),
    createdBy: 'ana', comment: 'deploy', updatedAt: iso(T0), state: 'pending',
  });
  const api = { alertname: 'X', service: 'api' };
  assert.deepEqual(s.isSilenced(api, T0), []);
  assert.deepEqual(s.isSilenced(api, T0 + 10 * min), ['s1']);
  assert.deepEqual(s.isSilenced({ alertname: 'X', service: 'web' }, T0 + 10 * min), []);
  assert.equal(s.get('s1', T0 + 59 * min)?.state, 'active');
  assert.deepEqual(s.isSilenced(api, T0 + 60 * min), []);
  assert.equal(s.get('s1', T0 + 60 * min)?.state, 'expired');
  assert.equal(s.nextTransitionMs(T0), T0 + 10 * min);
  assert.equal(s.nextTransitionMs(T0 + 10 * min), T0 + 60 * min);
  assert.equal(s.nextTransitionMs(T0 + 60 * min), undefined);
});

test('regex and structured matchers; all matchers must match; ids of every matching silence', () => {
  const s = store();
  s.create(input({ matchers: ['service=~"api|web"', 'severity!="low"'] }), T0);
  s.create(input({ matchers: [{ name: 'service', value: 'web', isRegex: false }] }), T0);
  assert.deepEqual(s.isSilenced({ service: 'web', severity: 'high' }, T0), ['s1', 's2']);
  assert.deepEqual(s.isSilenced({ service: 'api', severity: 'high' }, T0), ['s1']);
  assert.deepEqual(s.isSilenced({ service: 'api', severity: 'low' }, T0), []);
  assert.deepEqual(s.isSilenced({ service: 'apiv2', severity: 'high' }, T0), []);
});

test('startsAt defaults to now and a past one is taken as now', () => {
  const s = store();
  assert.equal(s.create(input(), T0).startsAt, iso(T0));
  assert.equal(s.create(input({ startsAt: iso(T0 - 5 * min) }), T0).startsAt, iso(T0));
});

test('invalid input lists every problem', () => {
  const s = store();
  throwsValidation(() => s.create(input({ endsAt: iso(T0 - min) }), T0), /cannot create silence: endsAt is in the past/);
  throwsValidation(() => s.create(input({ startsAt: iso(T0 + 2 * min), endsAt: iso(T0 + min) }), T0), /endsAt must be after startsAt/);
  throwsValidation(() => s.create(input({ endsAt: 'tomorrow' }), T0), /endsAt must be an RFC 3339 time/);
  throwsValidation(() => s.create(input({ matchers: [] }), T0), /matchers must be a non-empty list/);
  throwsValidation(() => s.create(input({ matchers: ['service=~".*"', 'team=""'] }), T0), /at least one matcher must not match the empty string/);
  throwsValidation(() => s.create(input({ matchers: ['service=~"("'] }), T0), /matchers\[0\]: cannot parse matcher .*invalid regex/);
  throwsValidation(() => s.create({ matchers: ['service'], endsAt: iso(T0 + min), createdBy: '', comment: 'x'.repeat(5000) }, T0),
    /matchers\[0\]: .*expected an operator.*; createdBy must be a non-empty string of at most 256 characters; comment must be a non-empty string of at most 4096 characters/);
  throwsValidation(() => s.create(null, T0), /expected an object/);
  assert.equal(s.size, 0);
});

test('expire ends a silence now; a pending one also starts now; unknown ids are undefined', () => {
  const s = store();
  s.create(input(), T0);
  s.create(input({ startsAt: iso(T0 + 30 * min) }), T0);
  const e1 = s.expire('s1', T0 + 5 * min)!;
  assert.deepEqual([e1.state, e1.endsAt, e1.updatedAt], ['expired', iso(T0 + 5 * min), iso(T0 + 5 * min)]);
  assert.deepEqual(s.isSilenced({ service: 'api' }, T0 + 5 * min), []);
  const e2 = s.expire('s2', T0 + 5 * min)!;
  assert.deepEqual([e2.state, e2.startsAt, e2.endsAt], ['expired', iso(T0 + 5 * min), iso(T0 + 5 * min)]);
  assert.equal(s.expire('s1', T0 + 9 * min)?.endsAt, iso(T0 + 5 * min));
  assert.equal(s.expire('nope', T0), undefined);
  const rev = s.revision;
  s.expire('s1', T0 + 9 * min);
  assert.equal(s.revision, rev, 'expiring an expired silence changes nothing');
  s.create(input(), T0 + 9 * min);
  assert.equal(s.revision, rev + 1);
});

test('list orders active, pending, expired and filters by state', () => {
  const s = store();
  s.create(input({ endsAt: iso(T0 + min) }), T0);
  s.create(input({ startsAt: iso(T0 + 10 * min) }), T0);
  s.create(input(), T0);
  const now = T0 + 2 * min;
  assert.deepEqual(s.list(now).map((x) => `${x.id}:${x.state}`), ['s3:active', 's2:pending', 's1:expired']);
  assert.deepEqual(s.list(now, 'expired').map((x) => x.id), ['s1']);
});

test('bounded: when full the oldest expired silence makes room, else create is refused; retention prunes', () => {
  const s = store({ maxSilences: 2, retentionMs: 60 * min });
  s.create(input({ endsAt: iso(T0 + min) }), T0);
  s.create(input(), T0);
  const third = s.create(input(), T0 + 2 * min);
  assert.equal(third.id, 's3');
  assert.deepEqual(s.list(T0 + 2 * min).map((x) => x.id).sort(), ['s2', 's3']);
  throwsValidation(() => s.create(input(), T0 + 2 * min), /the store holds 2 silences, the limit/);
  s.expire('s2', T0 + 3 * min);
  assert.equal(s.prune(T0 + 62 * min), 0);
  assert.equal(s.prune(T0 + 63 * min), 1);
  assert.deepEqual(s.list(T0 + 63 * min).map((x) => x.id), ['s3']);
});

test('snapshot and restore round trip through JSON', () => {
  const s = store();
  s.create(input({ matchers: ['service=~"api|web"', 'severity!~"low"'] }), T0);
  s.create(input({ startsAt: iso(T0 + 30 * min), comment: 'later' }), T0);
  s.expire('s1', T0 + min);
  const copy = new SilenceStore();
  copy.restore(JSON.parse(JSON.stringify(s.snapshot())));
  for (const now of [T0, T0 + 2 * min, T0 + 31 * min]) assert.deepEqual(copy.list(now), s.list(now));
  assert.deepEqual(copy.isSilenced({ service: 'api' }, T0 + 31 * min), ['s2']);
  throwsValidation(() => copy.restore({ version: 2, silences: [] }), /expected \{version: 1/);
  throwsValidation(() => copy.restore({ version: 1, silences: [{ id: 'x', matchers: ['a=~"("'], startsAt: 'x', endsAt: iso(T0), updatedAt: iso(T0), createdBy: 'a', comment: 'b' }] }),
    /cannot restore silences\[0\]: startsAt, endsAt and updatedAt must be RFC 3339 times; matchers\[0\]/);
  assert.equal(copy.size, 2);
});
