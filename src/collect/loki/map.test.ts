import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNormalizeOptions } from '../../normalize/index.js';
import { defaultMapping, mapEntry, mappingFrom, nanosStringToIso } from './map.js';

const at = new Date('2026-01-05T10:00:00Z');
const map = (labels: Record<string, string>, line: string, sm: [string, string][] = [], timestamp = '2026-01-05T09:59:59.000000001Z') =>
  mapEntry(new Map(Object.entries(labels)), { timestamp, line, structured: sm }, defaultMapping, defaultNormalizeOptions, at);

test('nanosecond epoch strings keep every digit', () => {
  assert.equal(nanosStringToIso('1767607199000000001'), '2026-01-05T09:59:59.000000001Z');
  assert.equal(nanosStringToIso('5'), '1970-01-01T00:00:00.000000005Z');
  assert.equal(nanosStringToIso('abc'), null);
});

test('a JSON line keeps its fields; labels fill what it lacks; the entry timestamp wins', () => {
  const o = map({ service_name: 'api', env: 'prod', level: 'warn', host: 'h1' }, '{"msg":"slow","took_ms":930,"ts":"2026-01-05T09:00:00Z"}');
  assert.deepEqual(o, { env: 'prod', took_ms: 930, message: 'slow', line_timestamp: '2026-01-05T09:00:00Z', service: 'api', host: 'h1', level: 'warn', timestamp: '2026-01-05T09:59:59.000000001Z' });
});

test('the line wins over labels and structured metadata; a different losing value is kept as loki.<name>', () => {
  const o = map({ app: 'from-label', host: 'h1', region: 'eu' }, '{"message":"m","service":"from-line","host":"h2","region":"eu","level":"error"}', [['region', 'us']]);
  assert.equal(o.service, 'from-line');
  assert.equal(o.app, 'from-label', 'an unused service label stays metadata');
  assert.equal(o.host, 'h2');
  assert.equal(o['loki.host'], 'h1');
  assert.equal(o.region, 'eu');
  assert.equal(o['loki.region'], 'us');
  assert.equal(o.level, 'ERROR');
});

test('a level label wins over a line that names none (or INFO); a line level other than INFO wins over the label', () => {
  assert.equal(map({ level: 'error' }, 'plain words').level, 'error');
  assert.equal(map({ level: 'error' }, 'level=info msg=x').level, 'error');
  const o = map({ level: 'info' }, 'WARN disk almost full');
  assert.equal(o.level, 'WARN');
  assert.equal(o['loki.level'], 'info');
  assert.equal(map({ detected_level: 'debug', job: 'varlogs' }, 'x').level, 'debug');
  assert.equal(map({ job: 'varlogs' }, 'x').service, 'varlogs');
});

test('structured metadata is preferred to labels for service/level/host and fills alias fields', () => {
  const o = map({ service_name: 'label-svc' }, 'hello', [['service_name', 'sm-svc'], ['trace_id', 't1'], ['pod', 'p']]);
  assert.equal(o.service, 'sm-svc');
  assert.equal(o['loki.service_name'], undefined);
  assert.equal(o.service_name, 'label-svc');
  assert.equal(o.trace_id, 't1');
  assert.equal(o.pod, 'p');
});

test('a mapping override replaces the default label lists', () => {
  const m = mappingFrom({ labels: { service: ['team'] } });
  assert.deepEqual(m.service, ['team']);
  assert.deepEqual(m.level, defaultMapping.level);
  const o = mapEntry(new Map([['team', 'payments'], ['app', 'api']]), { timestamp: undefined, line: 'x', structured: [] }, m, defaultNormalizeOptions, at);
  assert.equal(o.service, 'payments');
  assert.equal(o.app, 'api');
  assert.equal(o.timestamp, undefined);
});

test('a label named __proto__ is data, not a prototype', () => {
  const o = map({ ['__proto__']: 'x', app: 'a' }, 'm');
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, 'x');
});
