import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protoType } from '../proto-files.js';
import { decodeOtlpJson, decodeOtlpProtobuf, LOGS_SERVICE_PROTO, REQUEST_TYPE } from './decode.js';
import { anyValue, nanosToIso, severityLevel } from './map.js';
import { DecodeError } from '../decoders.js';

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });

test('severity numbers map by ranges of four', () => {
  assert.deepEqual([0, 1, 4, 5, 9, 12, 13, 17, 20, 21, 24, 25].map(severityLevel),
    [undefined, 'TRACE', 'TRACE', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'ERROR', 'FATAL', 'FATAL', undefined]);
});

test('nanosecond timestamps keep every digit', () => {
  assert.equal(nanosToIso('1767607200123456789'), '2026-01-05T10:00:00.123456789Z');
  assert.equal(nanosToIso('7'), '1970-01-01T00:00:00.000000007Z');
});

test('AnyValue of every kind, JSON and proto field names', () => {
  assert.equal(anyValue({ stringValue: 's' }), 's');
  assert.equal(anyValue({ int_value: '42' }), 42);
  assert.equal(anyValue({ intValue: '-9223372036854775808' }), '-9223372036854775808');
  assert.equal(anyValue({ doubleValue: 'NaN' }), 'NaN');
  assert.equal(anyValue({ boolValue: true }), true);
  assert.equal(anyValue({ bytesValue: new Uint8Array([1, 2, 3]) }), 'AQID');
  assert.deepEqual(anyValue({ kvlistValue: { values: [kv('a', { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'x' }] } })] } }), { a: [1, 'x'] });
  assert.equal(anyValue({}), null);
});

test('protobuf and JSON encodings of one request decode to the same records', () => {
  const resource = { attributes: [kv('service.name', { stringValue: 'svc' }), kv('host.name', { stringValue: 'h' }), kv('k8s.pod.name', { stringValue: 'p' })] };
  const rec = (ids: { traceId: unknown; spanId: unknown }) => ({
    timeUnixNano: '1767607200000000001', severityNumber: 17, severityText: 'Error',
    body: { kvlistValue: { values: [kv('k', { stringValue: 'v' })] } },
    attributes: [kv('level', { stringValue: 'attr' }), kv('client.address', { stringValue: '::1' }), kv('k8s.pod.name', { stringValue: 'q' })],
    flags: 1, droppedAttributesCount: 2, eventName: 'evt', ...ids,
  });
  const t = protoType(LOGS_SERVICE_PROTO, REQUEST_TYPE);
  const proto = Buffer.from(t.encode(t.create({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'lib', version: '1' }, logRecords: [rec({ traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'), spanId: Buffer.from('b7ad6b7169203331', 'hex') })] }] }] })).finish());
  const json = Buffer.from(JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'lib', version: '1' }, logRecords: [rec({ traceId: '0AF7651916CD43DD8448EB211C80319C', spanId: 'b7ad6b7169203331' })] }] }] }));
  const expected = {
    'k8s.pod.name': 'q', 'resource.k8s.pod.name': 'p', 'otel.scope.name': 'lib', 'otel.scope.version': '1',
    'attributes.level': 'attr', service: 'svc', host: 'h', timestamp: '2026-01-05T10:00:00.000000001Z', level: 'ERROR',
    'event.name': 'evt', message: '{"k":"v"}', body: { k: 'v' }, trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331',
    'otel.flags': 1, 'otel.dropped_attributes_count': 2, ip_address: '::1',
  };
  assert.deepEqual(decodeOtlpProtobuf(proto).values, [expected]);
  assert.deepEqual(decodeOtlpJson(json).values, [expected]);
});

test('bodies that are not ExportLogsServiceRequests are DecodeErrors', () => {
  assert.throws(() => decodeOtlpProtobuf(Buffer.from([0x0a, 0xff])), DecodeError);
  assert.throws(() => decodeOtlpJson(Buffer.from('[1]')), DecodeError);
  assert.throws(() => decodeOtlpJson(Buffer.from('{"resourceLogs": {}}')), DecodeError);
  assert.deepEqual(decodeOtlpJson(Buffer.from('{}')).values, []);
});
