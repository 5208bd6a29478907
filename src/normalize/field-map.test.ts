import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldAliases, hasField, isIpAddress, mapFields, type MapContext } from './field-map.js';
import type { Draft, Parsed } from './result.js';
import { resolveZone } from './timezone.js';

const mc: MapContext = { zone: resolveZone('UTC'), receivedAt: new Date('2024-06-01T00:00:00Z') };
const map = (o: Record<string, unknown>, fallback: string | null = null): Parsed => mapFields(o, mc, 'json', fallback);
function draft(o: Record<string, unknown>): Draft {
  const r = map(o);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r;
}

test('every alias maps its field', () => {
  const sample: Record<string, unknown> = {
    message: 'hello', level: 'warn', timestamp: '2024-01-01T00:00:00Z', service: 'api', user_id: 'u1',
    ip_address: '10.0.0.1', host: 'h1', trace_id: 't1', span_id: 's1',
  };
  for (const [field, aliases] of Object.entries(fieldAliases)) {
    for (const alias of aliases) {
      const o: Record<string, unknown> = { msg: 'm' };
      if (field === 'message') delete o.msg;
      const dot = alias.indexOf('.');
      if (dot > 0) o[alias.slice(0, dot)] = { [alias.slice(dot + 1)]: sample[field] };
      else o[alias] = sample[field];
      const d = draft(o);
      const got = field === 'level' ? d.level : field === 'timestamp' ? d.timestamp : (d as unknown as Record<string, unknown>)[field];
      const want = field === 'level' ? 'WARN' : sample[field];
      assert.equal(got, want, `${alias} -> ${field}`);
      assert.equal(d.metadata, null, `${alias} leaves no metadata`);
      if (dot > 0) assert.equal(draft({ msg: 'm', [alias]: sample[field] }).metadata, null, `flat "${alias}" key`);
    }
  }
});

test('the first listed alias wins; the others stay in metadata', () => {
  const d = draft({ msg: 'short', message: 'long', level: 'error', severity: 'info', app: 'a', service: 's' });
  assert.equal(d.message, 'long');
  assert.equal(d.level, 'ERROR');
  assert.equal(d.service, 's');
  assert.deepEqual(d.metadata, { msg: 'short', severity: 'info', app: 'a' });
});

test('nested objects resolve dotted aliases and keep their other keys', () => {
  const d = draft({ message: 'm', log: { level: 'warn', logger: 'x.y' }, service: { name: 'billing', version: '1.2' }, host: { name: 'h' } });
  assert.equal(d.level, 'WARN');
  assert.equal(d.service, 'billing');
  assert.equal(d.host, 'h');
  assert.deepEqual(d.metadata, { log: { logger: 'x.y' }, service: { version: '1.2' } });
});

test('values of the wrong type are not mapped and stay in metadata', () => {
  const d = draft({ message: 'm', user: { first: 'Ann' }, host: '', ip: 'not-an-ip', remote_addr: '2001:db8::1', trace_id: null });
  assert.equal(d.user_id, undefined);
  assert.equal(d.host, undefined);
  assert.equal(d.ip_address, '2001:db8::1');
  assert.deepEqual(d.metadata, { user: { first: 'Ann' }, host: '', ip: 'not-an-ip', trace_id: null });
});

test('numbers become strings for string fields; messages are trimmed', () => {
  const d = draft({ message: '  padded \n', uid: 1000, service: 7 });
  assert.equal(d.message, 'padded');
  assert.equal(d.user_id, '1000');
  assert.equal(d.service, '7');
  assert.equal(draft({ msg: 42 }).message, '42');
});

test('an unknown level keeps INFO and the original in metadata.level_raw', () => {
  const d = draft({ message: 'm', level: 'LOUD' });
  assert.equal(d.level, 'INFO');
  assert.deepEqual(d.metadata, { level_raw: 'LOUD' });
});

test('no message field rejects with missing_message unless a fallback is given', () => {
  const r = map({ text_body: 'x', level: 'info' });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'missing_message');
  assert.match(!r.ok ? r.message : '', /msg/);
  const f = map({ a: '1', b: '2' }, 'a=1 b=2');
  assert.ok(f.ok && f.message === 'a=1 b=2');
});

test('a present but unparseable timestamp rejects with invalid_timestamp naming the field', () => {
  const r = map({ message: 'm', ts: 'last tuesday' });
  assert.ok(!r.ok);
  assert.equal(r.reason, 'invalid_timestamp');
  assert.match(r.message, /"ts".*last tuesday/);
  const nested = map({ message: 'm', timestamp: 'soon' });
  assert.ok(!nested.ok && nested.reason === 'invalid_timestamp');
});

test('__proto__ and constructor keys end up as plain metadata data', () => {
  const obj = JSON.parse('{"message":"m","__proto__":{"polluted":true},"constructor":{"prototype":{"bad":1}},"service":{"name":"s","__proto__":{"x":1}}}') as Record<string, unknown>;
  const d = draft(obj);
  const meta = d.metadata ?? {};
  assert.equal(Object.getPrototypeOf(meta), Object.prototype);
  assert.deepEqual(Object.keys(meta), ['__proto__', 'constructor', 'service']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value, { polluted: true });
  const svc = meta.service as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(svc), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(svc, '__proto__')?.value, { x: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((meta as { polluted?: unknown }).polluted, undefined);
});

test('isIpAddress accepts IPv4 and IPv6 as the schema does', () => {
  for (const ok of ['1.2.3.4', '255.255.255.255', '::1', '2001:db8::1', '::ffff:10.0.0.1']) assert.ok(isIpAddress(ok), ok);
  for (const bad of ['256.1.1.1', '01.2.3.4', '1.2.3', 'fe80::1%eth0', 'localhost', '', '1.2.3.4:80']) assert.ok(!isIpAddress(bad), bad);
});

test('ECS documents map alike nested or with dotted keys (Filebeat, Logstash, ECS loggers)', () => {
  const nested = draft({
    '@timestamp': '2026-01-05T10:00:00.123Z', message: 'GET /cart 500', log: { level: 'error', logger: 'http' },
    service: { name: 'shop', version: '2' }, host: { hostname: 'web-1', os: { type: 'linux' } }, trace: { id: 't1' }, span: { id: 's1' },
    user: { name: 'ann' }, source: { ip: '10.0.0.9' }, ecs: { version: '8.11.0' },
  });
  const dotted = draft({
    '@timestamp': '2026-01-05T10:00:00.123Z', message: 'GET /cart 500', 'log.level': 'error', 'log.logger': 'http',
    'service.name': 'shop', 'service.version': '2', 'host.hostname': 'web-1', 'host.os.type': 'linux', 'trace.id': 't1', 'span.id': 's1',
    'user.name': 'ann', 'source.ip': '10.0.0.9', 'ecs.version': '8.11.0',
  });
  for (const d of [nested, dotted]) {
    assert.deepEqual([d.timestamp, d.level, d.service, d.host, d.trace_id, d.span_id, d.user_id, d.ip_address],
      ['2026-01-05T10:00:00.123Z', 'ERROR', 'shop', 'web-1', 't1', 's1', 'ann', '10.0.0.9']);
  }
  // host.name beats host.hostname, user.id beats user.name.
  const both = draft({ message: 'm', host: { name: 'n', hostname: 'h' }, user: { id: 'u7', name: 'ann' } });
  assert.deepEqual([both.host, both.user_id], ['n', 'u7']);
  assert.deepEqual(both.metadata, { host: { hostname: 'h' }, user: { name: 'ann' } });
});

test('hasField finds a field by any alias, flat or nested, only with a value mapFields would take', () => {
  assert.ok(hasField({ app: 'a' }, 'service'));
  assert.ok(hasField({ service: { name: 'x' } }, 'service'));
  assert.ok(hasField({ 'service.name': 'x' }, 'service'));
  assert.ok(!hasField({ service: { type: 'x' } }, 'service'));
  assert.ok(!hasField({ service: '' }, 'service'));
  assert.ok(!hasField({ message: 'm' }, 'service'));
  assert.ok(hasField({ log: { level: 'warn' } }, 'level'));
});
